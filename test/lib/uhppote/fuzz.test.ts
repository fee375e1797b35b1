// Fuzz (fixed seed, bounded counts): random and mutated 64-byte frames and odd-length packets into
// every decoder, the listener, the simulator and the engine's reply path. Only typed errors, no
// hang, and everything keeps working afterwards.
import * as assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FieldlinkError, ProtocolError } from '../../../lib/common';
import { codec, Uhppote, UhppoteListener, UhppoteSimulator, type ControllerEvent } from '../../../lib/uhppote';

/** mulberry32: a small seeded PRNG so failures reproduce. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const vectors = (JSON.parse(fs.readFileSync(path.join(__dirname, '../../fixtures/uhppote/test-data.json'), 'utf8')) as {
  testdata: { tests: Array<{ request: { message: string }; response?: { message: string } }> };
}).testdata.tests;
const SEEDS = vectors.flatMap((v) => [v.request.message, v.response?.message].filter((m): m is string => !!m).map((m) => Buffer.from(m, 'base64')));

function* packets(rand: () => number, count: number): Generator<Buffer> {
  const byte = (): number => Math.floor(rand() * 256);
  for (let i = 0; i < count; i++) {
    const kind = i % 4;
    if (kind === 0) {
      // random 64 bytes, valid start byte and a known function code half of the time
      const b = Buffer.from(Array.from({ length: 64 }, byte));
      if (rand() < 0.5) {
        b[0] = rand() < 0.8 ? 0x17 : 0x19;
        const codes = [...codec.BY_CODE.keys()];
        b[1] = codes[Math.floor(rand() * codes.length)];
      }
      yield b;
    } else if (kind === 1) {
      // a real frame with 1..8 bytes mutated
      const b = Buffer.from(SEEDS[Math.floor(rand() * SEEDS.length)]);
      const n = 1 + Math.floor(rand() * 8);
      for (let j = 0; j < n; j++) b[Math.floor(rand() * 64)] = byte();
      yield b;
    } else if (kind === 2) {
      // odd lengths: 0..130 bytes
      const len = Math.floor(rand() * 131);
      const b = Buffer.from(Array.from({ length: len }, byte));
      if (len > 1) b[0] = 0x17;
      yield b;
    } else {
      // a real frame truncated or extended
      const base = SEEDS[Math.floor(rand() * SEEDS.length)];
      const len = rand() < 0.5 ? Math.floor(rand() * 64) : 65 + Math.floor(rand() * 64);
      const b = Buffer.alloc(len);
      base.copy(b, 0, 0, Math.min(64, len));
      yield b;
    }
  }
}

function typedOnly(fn: () => unknown, what: string): void {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ProtocolError, `${what}: threw ${String(err)}`);
  }
}

describe('uhppote fuzz', () => {
  it('every decoder: only ProtocolError, for 1500 packets (seed 0xC0FFEE)', () => {
    const rand = prng(0xc0ffee);
    const fns = Object.keys(codec.FUNCTIONS) as codec.FunctionName[];
    let decoded = 0;
    for (const p of packets(rand, 1500)) {
      for (const fn of fns) {
        if ((codec.FUNCTIONS[fn] as codec.FunctionDef).reply) {
          typedOnly(() => {
            codec.decodeReply(fn, p);
            decoded++;
          }, `decodeReply ${fn} ${p.toString('hex')}`);
        }
      }
      typedOnly(() => codec.decodeRequest(p), `decodeRequest ${p.toString('hex')}`);
      typedOnly(() => codec.decodeEvent(p), `decodeEvent ${p.toString('hex')}`);
    }
    assert.ok(decoded > 100, 'some frames did decode (the fuzz reaches field decoding)');
  });

  it('the listener reports bad packets and keeps delivering events (1000 packets, seed 7)', async () => {
    const rand = prng(7);
    const listener = new UhppoteListener({ listen: '127.0.0.1:0' });
    await listener.start();
    const port = listener.address()!.port;
    const errors: Error[] = [];
    let statuses = 0;
    listener.on('error', (e) => errors.push(e));
    listener.on('status', () => statuses++);
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', () => resolve()));
    const send = (p: Buffer): Promise<void> => new Promise((resolve, reject) => sock.send(p, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
    /** Sends a good packet and waits for it: the listener is still working, and the socket buffer has drained. */
    let markers = 0;
    const marker = async (): Promise<ControllerEvent> => {
      const index = 0xabc000 + ++markers;
      const got = new Promise<ControllerEvent>((resolve) => {
        const on = (e: ControllerEvent): void => {
          if (e.controller === 1234 && e.eventIndex === index) {
            listener.off('status', on);
            resolve(e);
          }
        };
        listener.on('status', on);
      });
      await send(codec.encodeEvent(1234, { eventIndex: index, eventType: 1, eventCard: 99 }));
      return got;
    };
    let sent = 0;
    for (const p of packets(rand, 1000)) {
      if (p.length === 0) continue;
      await send(p);
      if (++sent % 20 === 0) await marker();
    }
    const e = await marker();
    sock.close();
    await listener.close();
    assert.equal(e.eventCard, 99);
    for (const err of errors) assert.ok(err instanceof ProtocolError, String(err));
    // datagrams on loopback arrive: each was either decoded or reported
    assert.equal(errors.length + statuses, sent + markers, 'every datagram was decoded or reported');
  });

  it('the simulator drops bad requests and keeps answering (1000 packets, seed 11)', async () => {
    const rand = prng(11);
    const sim = new UhppoteSimulator({ port: 0, controllers: [405419896] });
    const { port } = await sim.start();
    const sock = dgram.createSocket('udp4');
    sock.on('message', () => undefined);
    await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', () => resolve()));
    const u = new Uhppote({ bind: '127.0.0.1', broadcast: `127.0.0.1:${port}`, timeout: 2000 });
    let sent = 0;
    for (const p of packets(rand, 1000)) {
      if (p.length === 0) continue;
      await new Promise<void>((resolve, reject) => sock.send(p, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
      // every 20 packets: the simulator still answers (and its socket buffer has drained)
      if (++sent % 20 === 0) assert.equal((await u.getStatus(405419896)).controller, 405419896);
    }
    assert.equal((await u.getStatus(405419896)).controller, 405419896);
    assert.equal((await u.getStatus({ id: 405419896, address: `127.0.0.1:${port}`, protocol: 'tcp' })).controller, 405419896);
    await u.close();
    sock.close();
    await sim.close();
    assert.ok(sim.stats.dropped > 0);
  });

  it('engine: fuzzed replies to real requests give results or typed errors only (240 calls, seed 99)', async () => {
    const rand = prng(99);
    const serial = 405419896;
    // a fake controller that answers every request with the request's header on a fuzzed body
    const fake = dgram.createSocket('udp4');
    fake.on('message', (req, rinfo) => {
      const body = packets(rand, 1).next().value as Buffer;
      const reply = Buffer.from(body);
      if (reply.length >= 8 && rand() < 0.8) req.copy(reply, 0, 0, 8); // matching function + serial most of the time
      fake.send(reply, rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve) => fake.bind(0, '127.0.0.1', () => resolve()));
    const u = new Uhppote({ bind: '127.0.0.1', broadcast: `127.0.0.1:${fake.address().port}`, timeout: 40 });
    const calls: Array<() => Promise<unknown>> = [
      () => u.getStatus(serial),
      () => u.getStatusRecord(serial),
      () => u.getCardRecord(serial, 1),
      () => u.getCardRecordAtIndex(serial, 1),
      () => u.getEventRecord(serial, 1),
      () => u.getTimeProfileRecord(serial, 2),
      () => u.getController(serial),
      () => u.getTime(serial),
      () => u.getListener(serial),
      () => u.getDoor(serial, 1),
      () => u.getAntiPassback(serial),
      () => u.openDoor(serial, 1),
    ];
    let ok = 0;
    let typed = 0;
    for (let i = 0; i < 240; i++) {
      try {
        await calls[i % calls.length]();
        ok++;
      } catch (err) {
        assert.ok(err instanceof FieldlinkError, `call ${i}: ${String(err)}`);
        typed++;
      }
    }
    await u.close();
    fake.close();
    assert.equal(ok + typed, 240);
    assert.ok(ok > 0 && typed > 0);
  });
});
