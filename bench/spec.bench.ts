// SPEC: round trips of read('var/x'), a 1,000,000-element ARR_DOUBLE read against the loopback
// TCP limit (a plain socket sending the same bytes, measured in the same run), and events per
// second from a watched property. Client and simulator share this process, as do the two ends
// of the loopback baseline.
import * as net from 'node:net';
import { once } from 'node:events';
import { SpecArray, SpecClient, SpecCommand, SpecType, encodeFrame, startSpecSimulator, type SpecEvent } from '../lib/spec';
import { opsPerSecond, type BenchRow } from './types';

const ELEMENTS = 1_000_000;

/** A plain TCP server answering each 1-byte request with `frame`, and a fetch() that reads it whole. */
async function plainLoopback(frame: Buffer): Promise<{ fetch: () => Promise<void>; close: () => Promise<void> }> {
  const server = net.createServer((s) => {
    s.setNoDelay(true);
    s.on('data', () => s.write(frame));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  // The best a plain socket can do when each message must end up in memory of its own (as a value
  // handed to the caller must): the kernel copies straight into a fresh buffer of the message's size.
  let got = 0;
  let wake: (() => void) | undefined;
  let sink = Buffer.allocUnsafeSlow(frame.length);
  const sock = net.connect({
    port,
    host: '127.0.0.1',
    onread: {
      buffer: () => sink.subarray(got),
      callback: (n: number) => {
        got += n;
        if (got >= frame.length) {
          sink = Buffer.allocUnsafeSlow(frame.length);
          got = 0;
          wake?.();
        }
        return true;
      },
    },
  });
  sock.setNoDelay(true);
  await once(sock, 'connect');
  return {
    fetch: () =>
      new Promise((resolve) => {
        wake = () => {
          wake = undefined;
          resolve();
        };
        sock.write(Buffer.from([1]));
      }),
    close: async () => {
      sock.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function run(): Promise<BenchRow[]> {
  const sim = await startSpecSimulator({ port: 0 });
  const client = new SpecClient({ port: sim.port, reconnect: false });
  await client.connect();
  const rows: BenchRow[] = [];
  try {
    // 1. round trips, against a plain socket ping-pong of the same reply frame (alternating, best of 3)
    sim.setVariable('x', 1.5);
    const small = await plainLoopback(encodeFrame({ cmd: SpecCommand.REPLY, sn: 1, name: 'var/x', value: 1.5 }));
    let rtt = 0;
    let rttLimit = 0;
    for (let i = 0; i < 2000; i++) await client.read('var/x'); // warm-up (JIT)
    try {
      for (let k = 0; k < 3; k++) {
        rtt = Math.max(rtt, await opsPerSecond(() => client.read('var/x'), 400));
        rttLimit = Math.max(rttLimit, await opsPerSecond(() => small.fetch(), 400));
      }
    } finally {
      await small.close();
    }
    rows.push({
      operation: "SPEC read('var/x'), sequential round trips",
      fieldlink: rtt,
      unit: 'req/s',
      limit: rttLimit,
      limitName: 'loopback TCP ping-pong, same reply bytes',
      note: 'client and simulator in one process',
    });
    const pipelined = await opsPerSecond(() => Promise.all(Array.from({ length: 32 }, () => client.read('var/x'))), 1000);
    rows.push({ operation: "SPEC read('var/x'), 32 in flight", fieldlink: pipelined * 32, unit: 'req/s', note: 'replies matched by serial number' });

    // 2. a 1,000,000-element ARR_DOUBLE
    const data = new Float64Array(ELEMENTS);
    for (let i = 0; i < ELEMENTS; i++) data[i] = Math.sin(i / 1000);
    const big = new SpecArray(SpecType.ARR_DOUBLE, 1, ELEMENTS, data);
    sim.setVariable('big', big);
    const rounds = 40;
    const first = (await client.read('var/big')) as SpecArray; // warm-up; also primes the simulator's body cache
    if (first.length !== ELEMENTS || first.data[12345] !== data[12345]) throw new Error('ARR_DOUBLE read came back wrong');
    const frame = encodeFrame({ cmd: SpecCommand.REPLY, sn: 1, name: 'var/big', value: big });
    const plain = await plainLoopback(frame);
    await plain.fetch();
    // Alternate one SPEC read and one plain copy, and compare median times, so load from elsewhere
    // on the machine falls on both alike.
    const ours: number[] = [];
    const theirs: number[] = [];
    try {
      for (let i = 0; i < rounds; i++) {
        let t = performance.now();
        await client.read('var/big');
        ours.push(performance.now() - t);
        t = performance.now();
        await plain.fetch();
        theirs.push(performance.now() - t);
      }
    } finally {
      await plain.close();
    }
    const mbps = frame.length / 1e6 / (median(ours) / 1000);
    const limit = frame.length / 1e6 / (median(theirs) / 1000);
    rows.push({
      operation: `SPEC read of a ${ELEMENTS.toLocaleString('en-US')}-element ARR_DOUBLE (${(frame.length / 1e6).toFixed(1)} MB)`,
      fieldlink: mbps,
      unit: 'MB/s',
      limit,
      limitName: 'loopback TCP: plain socket, same bytes, read straight into a fresh buffer per message',
      note: `${((mbps / limit) * 100).toFixed(0)} % of the loopback limit (goal ≥ 80 %); median of ${rounds} reads, alternating with the plain copy; value decoded to a Float64Array`,
    });

    // 3. events from a watched property
    const N = 50_000;
    const w = client.watch('var/ev');
    await w.waitFor(() => true);
    let received = 0;
    const done = new Promise<void>((resolve) => {
      w.on('event', (ev: SpecEvent) => {
        received++;
        if (ev.value === N) resolve();
      });
    });
    const e0 = process.hrtime.bigint();
    for (let i = 1; i <= N; i++) {
      sim.setVariable('ev', i);
      if (i % 500 === 0) await new Promise((r) => setImmediate(r));
    }
    await done;
    const esecs = Number(process.hrtime.bigint() - e0) / 1e9;
    w.close();
    rows.push({ operation: 'SPEC events from a watched var (EVENT -> SpecWatch)', fieldlink: received / esecs, unit: 'events/s', note: `${received} of ${N} changes delivered` });
  } finally {
    await client.close();
    await sim.close();
  }
  return rows;
}
