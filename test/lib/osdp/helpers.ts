// Shared set-up for the OSDP engine tests: a CP and PDs over an in-memory pair, and event waits.
import { once } from 'node:events';
import type { EventEmitter } from 'node:events';
import {
  ControlPanel,
  PdBus,
  PeripheralDevice,
  createMemoryPair,
  decodeFrame,
  type ControlPanelOptions,
  type DecodedFrame,
  type MemoryChannel,
  type PeripheralDeviceOptions,
  type PdConfig,
} from '../../../lib/osdp';

export interface Rig {
  cp: ControlPanel;
  pds: PeripheralDevice[];
  bus: PdBus;
  cpSide: MemoryChannel;
  pdSide: MemoryChannel;
  /** Every frame the CP wrote (SOM..check). */
  sent: DecodedFrame[];
  /** Every frame the PDs wrote. */
  replies: DecodedFrame[];
  close(): Promise<void>;
}

function frames(chunk: Buffer): DecodedFrame[] {
  // Test channels deliver whole writes: one frame per write, with the mark.
  const raw = chunk[0] === 0xff ? chunk.subarray(1) : chunk;
  try {
    return [decodeFrame(Buffer.from(raw))];
  } catch {
    return [];
  }
}

export async function rig(
  pdOptions: Array<Partial<PeripheralDeviceOptions>> = [{}],
  cpOptions: Partial<ControlPanelOptions> = {},
  pdConfigs?: Array<Partial<PdConfig>>,
): Promise<Rig> {
  const [cpSide, pdSide] = createMemoryPair();
  const sent: DecodedFrame[] = [];
  const replies: DecodedFrame[] = [];
  const bus = new PdBus(pdSide);
  const pds = pdOptions.map((o, i) => new PeripheralDevice({ address: 101 + i, ...o }));
  for (const pd of pds) bus.add(pd);
  const tapCp = cpSide.write.bind(cpSide);
  cpSide.write = async (d: Buffer) => {
    sent.push(...frames(d));
    return tapCp(d);
  };
  const tapPd = pdSide.write.bind(pdSide);
  pdSide.write = async (d: Buffer) => {
    replies.push(...frames(d));
    return tapPd(d);
  };
  const configs = (pdConfigs ?? pds.map(() => ({}))).map((c, i) => ({ address: pds[i]?.address ?? 101 + i, ...c }));
  const cp = new ControlPanel({ pds: configs, channel: cpSide, pollInterval: 5, offlineBackoff: 20, ...cpOptions });
  for (const pd of pds) await pd.start();
  await bus.start();
  await cp.start();
  return {
    cp,
    pds,
    bus,
    cpSide,
    pdSide,
    sent,
    replies,
    async close() {
      await cp.stop();
      for (const pd of pds) await pd.stop();
      await bus.stop();
    },
  };
}

/** Waits for an event, failing the test with a message after `ms` (a safety net, never a timing assumption). */
export async function waitEvent<T extends unknown[]>(emitter: EventEmitter, event: string, ms = 10_000, filter?: (...args: T) => boolean): Promise<T> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), ms);
  try {
    for (;;) {
      const args = (await once(emitter, event, { signal: ac.signal })) as T;
      if (!filter || filter(...args)) return args;
    }
  } catch (err) {
    if (ac.signal.aborted) throw new Error(`no '${event}' event within ${ms} ms`);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves when `check()` holds, re-checking after every event of `emitter`s or each macrotask. */
export async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms: ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}
