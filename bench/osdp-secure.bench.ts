// OSDP Secure Channel and file transfer figures: commands per second under SC against plain text on
// the same channel (in-memory pair, and a socat pty at 115200 baud with the line-rate limit), the
// cost of sealing and opening one exchange, and file transfer bytes per second against the line rate.
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { ControlPanel, PeripheralDevice, DEFAULT_CAPABILITIES, createMemoryPair, type ChannelOptions, type Channel } from '../lib/osdp';
import { CpSecureChannel, CpScMachine, PdScMachine, buildFrame, createPdSessionFactory, splitFrame } from '../lib/osdp/secure';
import { attachFileReceiver, startFileTransfer, maxFragmentFor } from '../lib/osdp/file-transfer';
import { ptyPair } from '../test/lib/osdp/pty';
import { opsPerSecond, type BenchRow } from './types';

const KEY = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
const BAUD = 115200;
const CAPS = [...DEFAULT_CAPABILITIES, { function: 10, compliance: 0x00, numItems: 0x04 }]; // 1024-byte receive buffer
const OUT = { command: 'output', output: 0, controlCode: 2, timer: 0 } as const;
const ROUNDS = 3;

/** Wire bytes (with mark) of a frame with `data` bytes after CODE, plain or secured. */
function wireBytes(data: number, secure: boolean): number {
  if (!secure) return 1 + 5 + 1 + data + 2;
  const body = data === 0 ? 0 : Math.floor(data / 16) * 16 + 16;
  return 1 + 5 + 2 + 1 + body + 4 + 2;
}

function perSecondAtLine(bytesPerExchange: number): number {
  return BAUD / 10 / bytesPerExchange;
}

async function rig(cpChannel: Channel | ChannelOptions, pdChannel: Channel | ChannelOptions, secure: boolean, ops = false) {
  const sc = new CpSecureChannel({});
  const pd = new PeripheralDevice({ address: 1, channel: pdChannel, capabilities: CAPS, ...(secure ? { scbk: KEY } : {}), session: createPdSessionFactory({}), handler: () => undefined });
  if (ops) attachFileReceiver(pd, { open: () => undefined, write: () => undefined, close: () => undefined });
  const cp = new ControlPanel({ pds: [{ address: 1, ...(secure ? { scbk: KEY } : {}) }], channel: cpChannel, pollInterval: 10_000, session: sc.factory });
  sc.attach(cp);
  await pd.start();
  await cp.start();
  if (!(await cp.waitOnline(0, 10_000))) throw new Error('PD did not come online');
  if (secure && !(await sc.wait(0, 10_000))) throw new Error('no secure channel');
  return { cp, close: async () => { await cp.stop(); await pd.stop(); } };
}

async function commandsPerSecond(cp: ControlPanel, ms: number): Promise<number> {
  return opsPerSecond(async () => {
    const r = await cp.sendCommand(0, OUT);
    if (r.status !== 'ok') throw new Error(`command ${r.status}: ${r.error?.message}`);
  }, ms);
}

async function fileBytesPerSecond(cp: ControlPanel, size: number): Promise<number> {
  const file = randomBytes(size);
  const t0 = process.hrtime.bigint();
  const h = await startFileTransfer(cp, 0, { fileId: 1, source: file });
  const r = await h.done;
  if (r.outcome !== 'ok') throw new Error(`file transfer ${r.outcome}`);
  return size / (Number(process.hrtime.bigint() - t0) / 1e9);
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];

  // In-memory pair: the engine alone.
  // Both rigs up at once, measured in alternating rounds, best round kept: a busy machine skews one
  // side less this way.
  const mem: Record<string, number> = { false: 0, true: 0 };
  const memFile: Record<string, number> = { false: 0, true: 0 };
  const memRigs = await Promise.all([false, true].map(async (secure) => {
    const [a, b] = createMemoryPair();
    return { secure, r: await rig(a, b, secure, true) };
  }));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const { secure, r } of memRigs) {
        mem[String(secure)] = Math.max(mem[String(secure)], await commandsPerSecond(r.cp, 500));
        memFile[String(secure)] = Math.max(memFile[String(secure)], await fileBytesPerSecond(r.cp, 128 * 1024));
      }
    }
  } finally {
    for (const { r } of memRigs) await r.close();
  }
  rows.push({ operation: 'OSDP OUT+ACK under Secure Channel vs plain, in-memory pair (best of 3 alternating rounds)', fieldlink: mem.true, peer: mem.false, peerName: 'plain, same channel', unit: 'cmd/s' });
  rows.push({ operation: 'OSDP file transfer under SC vs plain, in-memory pair, 1024-byte PD buffer', fieldlink: memFile.true / 1024, peer: memFile.false / 1024, peerName: 'plain', unit: 'KiB/s' });

  // Crypto cost of one secured exchange (seal command, open it, seal reply, open it).
  const cpM = new CpScMachine({ scbk: KEY });
  const pdM = new PdScMachine({ cUid: Buffer.alloc(8, 1), scbk: KEY });
  let m = cpM.begin();
  for (let i = 0; i < 2; i++) {
    const d = pdM.handle(splitFrame(buildFrame({ addr: 1, sqn: i === 0 ? 0 : 1, crc: true, reply: false }, m.scb, m.code, m.data)));
    const s = cpM.handleHandshakeReply(splitFrame((d as { frame: Buffer }).frame));
    if (s.kind === 'send') m = s.message;
  }
  const data = Buffer.from([0, 2, 0, 0]);
  let exch = 0;
  for (let round = 0; round < ROUNDS; round++) exch = Math.max(exch, await opsPerSecond(() => {
    const w = cpM.seal({ addr: 1, sqn: 1, crc: true }, 0x68, data);
    pdM.handle(splitFrame(w));
    cpM.open(splitFrame(pdM.sealReply({ addr: 1, sqn: 1, crc: true }, 0x40, Buffer.alloc(0))));
  }, 400));
  const lineSecure = perSecondAtLine(wireBytes(4, true) + wireBytes(0, true));
  rows.push({
    operation: 'OSDP SC crypto per exchange (seal+open command and reply), CPU only',
    fieldlink: exch,
    unit: 'exch/s',
    limit: lineSecure,
    limitName: 'secured OUT+ACK at 115200 baud',
    note: `CPU per exchange ${(1e6 / exch).toFixed(1)} µs = ${((100 * lineSecure) / exch).toFixed(2)} % of its line time`,
  });

  // Over a pty at 115200 (the pty itself does not pace bytes; the line rate is the limit to compare with).
  if (spawnSync('socat', ['-V'], { stdio: 'ignore' }).status !== 0) {
    rows.push({ operation: 'OSDP SC over a pty: socat not installed, not measured', fieldlink: NaN, unit: '' });
    return rows;
  }
  const pty: Record<string, number> = { false: 0, true: 0 };
  const ptyFile: Record<string, number> = { false: 0, true: 0 };
  const ptyRigs = await Promise.all([false, true].map(async (secure) => {
    const p = await ptyPair();
    return { secure, p, r: await rig({ type: 'serial', path: p.a, baudRate: BAUD }, { type: 'serial', path: p.b, baudRate: BAUD }, secure, true) };
  }));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const { secure, r } of ptyRigs) {
        pty[String(secure)] = Math.max(pty[String(secure)], await commandsPerSecond(r.cp, 500));
        ptyFile[String(secure)] = Math.max(ptyFile[String(secure)], await fileBytesPerSecond(r.cp, 100 * 1024));
      }
    }
  } finally {
    for (const { r, p } of ptyRigs) {
      await r.close();
      await p.close();
    }
  }
  const linePlain = perSecondAtLine(wireBytes(4, false) + wireBytes(0, false));
  rows.push({
    operation: 'OSDP OUT+ACK under Secure Channel vs plain, pty at 115200',
    fieldlink: pty.true,
    peer: pty.false,
    peerName: 'plain, same pty',
    unit: 'cmd/s',
    limit: lineSecure,
    limitName: `line rate secured (${wireBytes(4, true) + wireBytes(0, true)} B/exch; plain ${Math.round(linePlain)}/s)`,
  });
  const frag = maxFragmentFor(1024, true);
  const perFragment = wireBytes(11 + frag, true) + wireBytes(7, true);
  rows.push({
    operation: 'OSDP file transfer 100 kB under SC, pty at 115200, 1024-byte PD buffer',
    fieldlink: ptyFile.true,
    peer: ptyFile.false,
    peerName: 'plain',
    unit: 'B/s',
    limit: (frag * BAUD) / 10 / perFragment,
    limitName: `115200 baud with framing (raw line ${BAUD / 10} B/s)`,
    note: 'a pty does not pace bytes at the baud rate, so figures above the limit mean the engine is not the bottleneck',
  });
  return rows;
}
