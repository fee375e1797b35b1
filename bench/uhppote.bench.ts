// UHPPOTE: get-status requests per second over UDP on 127.0.0.1 against the simulator, fieldlink's
// engine vs the npm `uhppoted` client in the same run: sequential (one controller, one request at
// a time) and concurrent (100 simulated controllers, one request to each at once, repeated),
// counting lost requests (timeouts or errors). The simulator runs in this process for both.
import * as dgram from 'node:dgram';
import { Uhppote, UhppoteSimulator } from '../lib/uhppote';
import { opsPerSecond, type BenchRow } from './types';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const uhppoted = require('uhppoted') as {
  Config: new (...args: unknown[]) => unknown;
  getStatus: (ctx: unknown, id: number) => Promise<{ state?: { serialNumber?: number } }>;
};

const CONTROLLERS = 100;
const FIRST = 405419000;
const SEQUENTIAL_MS = 2000;
const CONCURRENT_ROUNDS = 30;
const TIMEOUT = 2500;

interface Concurrent {
  perSecond: number;
  sent: number;
  lost: number;
}

async function concurrent(call: (id: number) => Promise<unknown>, ids: number[]): Promise<Concurrent> {
  let lost = 0;
  let sent = 0;
  const start = process.hrtime.bigint();
  for (let round = 0; round < CONCURRENT_ROUNDS; round++) {
    const results = await Promise.allSettled(ids.map((id) => call(id)));
    sent += ids.length;
    lost += results.filter((r) => r.status === 'rejected').length;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { perSecond: (sent - lost) / seconds, sent, lost };
}

/**
 * The loopback limit: a bare 64-byte UDP echo in this process (no codec, no controller logic),
 * sequential and with `inFlight` datagrams outstanding.
 */
async function loopbackEcho(inFlight: number, ms: number): Promise<number> {
  const echo = dgram.createSocket('udp4');
  echo.on('message', (m, r) => echo.send(m, r.port, r.address));
  await new Promise<void>((resolve) => echo.bind(0, '127.0.0.1', () => resolve()));
  const client = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => client.bind(0, '127.0.0.1', () => resolve()));
  const port = echo.address().port;
  const frame = Buffer.alloc(64, 0x17);
  let waiting: (() => void) | undefined;
  let outstanding = 0;
  client.on('message', () => {
    outstanding--;
    waiting?.();
  });
  let count = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(ms) * 1_000_000n;
  while (process.hrtime.bigint() < end) {
    for (let i = 0; i < inFlight; i++) {
      outstanding++;
      client.send(frame, port, '127.0.0.1');
    }
    // a datagram lost on a busy box must not hang the bench: give up on a batch after 1 s
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000);
      waiting = () => {
        if (outstanding === 0) {
          clearTimeout(timer);
          resolve();
        }
      };
    });
    count += inFlight - outstanding;
    outstanding = 0;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  client.close();
  echo.close();
  return count / seconds;
}

export async function run(): Promise<BenchRow[]> {
  const ids = Array.from({ length: CONTROLLERS }, (_, i) => FIRST + i);
  const sim = new UhppoteSimulator({ port: 0, controllers: ids });
  const { port } = await sim.start();
  const target = `127.0.0.1:${port}`;
  const ours = new Uhppote({ bind: '127.0.0.1', broadcast: target, timeout: TIMEOUT });
  const ctx = { config: new uhppoted.Config('bench', '127.0.0.1', target, '127.0.0.1:0', TIMEOUT, [], false), logger: (): void => undefined };
  try {
    // warm up both (JIT, first socket)
    for (let i = 0; i < 200; i++) {
      await ours.getStatus(FIRST);
      await uhppoted.getStatus(ctx, FIRST);
    }
    let ourSeqLost = 0;
    let theirSeqLost = 0;
    const seqOurs = await opsPerSecond(() => ours.getStatus(FIRST).catch(() => ourSeqLost++), SEQUENTIAL_MS);
    const seqTheirs = await opsPerSecond(() => uhppoted.getStatus(ctx, FIRST).catch(() => theirSeqLost++), SEQUENTIAL_MS);
    const conOurs = await concurrent((id) => ours.getStatus(id), ids);
    const conTheirs = await concurrent((id) => uhppoted.getStatus(ctx, id), ids);
    const limitSeq = await loopbackEcho(1, SEQUENTIAL_MS);
    const limitCon = await loopbackEcho(CONTROLLERS, SEQUENTIAL_MS);
    return [
      {
        operation: 'UHPPOTE get-status, sequential, UDP 127.0.0.1 (simulator in-process)',
        fieldlink: seqOurs,
        peer: seqTheirs,
        peerName: 'uhppoted 0.7.2 (npm)',
        unit: 'req/s',
        limit: limitSeq,
        limitName: 'bare 64-byte UDP echo, loopback',
        note: `lost: fieldlink ${ourSeqLost}, uhppoted ${theirSeqLost}`,
      },
      {
        operation: `UHPPOTE get-status, ${CONTROLLERS} controllers concurrently x ${CONCURRENT_ROUNDS} rounds, UDP`,
        fieldlink: conOurs.perSecond,
        peer: conTheirs.perSecond,
        peerName: 'uhppoted 0.7.2 (npm)',
        unit: 'req/s',
        limit: limitCon,
        limitName: `bare UDP echo, ${CONTROLLERS} in flight`,
        note: `lost: fieldlink ${conOurs.lost}/${conOurs.sent}, uhppoted ${conTheirs.lost}/${conTheirs.sent}`,
      },
    ];
  } finally {
    await ours.close();
    await sim.close();
  }
}
