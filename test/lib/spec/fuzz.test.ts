// Fuzz the SPEC frame decoder with random and mutated frames (fixed seed, bounded count):
// only typed errors, no hang, and the decoder still decodes a good frame afterwards.
import { strict as assert } from 'node:assert';
import * as net from 'node:net';
import { once } from 'node:events';
import { FieldlinkError } from '../../../lib/common';
import { FrameDecoder, SpecClient, SpecCommand, encodeFrame, startSpecSimulator, toSpecArray, SpecType } from '../../../lib/spec';

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

const SEEDS = [
  encodeFrame({ cmd: SpecCommand.REPLY, sn: 1, name: 'var/x', value: 1.5 }, { littleEndian: true }),
  encodeFrame({ cmd: SpecCommand.EVENT, sn: 0, name: 'var/a', value: { a: 1, b: { c: 'x' } } }, { littleEndian: false }),
  encodeFrame({ cmd: SpecCommand.REPLY, sn: 2, value: toSpecArray([[1, 2], [3, 4]], SpecType.ARR_SHORT) }, { littleEndian: false, version: 3 }),
  encodeFrame({ cmd: SpecCommand.REPLY, sn: 3, value: toSpecArray([1, 2, 3], SpecType.ARR_ULONG64) }, { littleEndian: true, version: 2 }),
  encodeFrame({ cmd: SpecCommand.REPLY, sn: 4, value: toSpecArray(['ab', 'c']) }, { littleEndian: true }),
  encodeFrame({ cmd: SpecCommand.HELLO_REPLY, sn: 5, name: 'fourc', value: 'fourc' }, { littleEndian: true }),
];
const GOOD = encodeFrame({ cmd: SpecCommand.REPLY, sn: 99, name: 'var/ok', value: 'ok' }, { littleEndian: true });

function mutate(r: () => number, frame: Buffer): Buffer {
  const f = Buffer.from(frame);
  const kind = Math.floor(r() * 5);
  if (kind === 0) {
    // flip random bytes anywhere
    for (let i = 0, n = 1 + Math.floor(r() * 4); i < n; i++) f[Math.floor(r() * f.length)] = Math.floor(r() * 256);
    return f;
  }
  if (kind === 1) {
    // a random header field (vers, size, type, rows, cols, len) set to a random or extreme value
    const off = [4, 8, 28, 32, 36, 40][Math.floor(r() * 6)];
    const le = f.readUInt32LE(0) === 0xfeedface;
    const v = [0, 1, 0xffffffff, 0x7fffffff, Math.floor(r() * 0x100000000), Math.floor(r() * 300)][Math.floor(r() * 6)];
    if (le) f.writeUInt32LE(v >>> 0, off);
    else f.writeUInt32BE(v >>> 0, off);
    return f;
  }
  if (kind === 2) return f.subarray(0, Math.floor(r() * f.length)); // truncated
  if (kind === 3) return Buffer.concat([f, Buffer.from(Array.from({ length: Math.floor(r() * 40) }, () => Math.floor(r() * 256)))]);
  return Buffer.from(Array.from({ length: Math.floor(r() * 300) }, () => Math.floor(r() * 256))); // pure noise
}

describe('spec fuzz: frame decoder', () => {
  it('survives 20,000 random and mutated inputs with typed errors only', () => {
    const r = rng(0x5bec);
    const d = new FrameDecoder(1 << 20);
    let errors = 0;
    let frames = 0;
    for (let i = 0; i < 20000; i++) {
      const input = mutate(r, SEEDS[i % SEEDS.length]);
      // feed in random splits
      let pos = 0;
      try {
        while (pos < input.length) {
          const n = 1 + Math.floor(r() * (input.length - pos));
          for (const m of d.push(input.subarray(pos, pos + n))) {
            frames++;
            if (m.error) assert.ok(m.error instanceof FieldlinkError);
          }
          pos += n;
        }
      } catch (e) {
        errors++;
        assert.ok(e instanceof FieldlinkError, `untyped error: ${String(e)}`);
      }
      assert.ok(d.pending <= input.length + (1 << 20) + 1024, 'bounded buffering');
      if (i % 100 === 99) {
        // the decoder is still usable: a reset, then a good frame decodes
        d.reset();
        const [m] = d.push(GOOD);
        assert.equal(m.value, 'ok');
      }
    }
    assert.ok(errors > 1000, `mutations produced errors (${errors})`);
    assert.ok(frames > 1000, `mutations still produced frames (${frames})`);
  });

  it('a simulator fed garbage drops that client and keeps serving others', async () => {
    const sim = await startSpecSimulator({ port: 0 });
    const c = new SpecClient({ port: sim.port, reconnect: false });
    await c.connect();
    try {
      const r = rng(77);
      for (let i = 0; i < 20; i++) {
        const s = net.connect(sim.port, '127.0.0.1');
        await once(s, 'connect');
        s.on('error', () => undefined);
        s.write(mutate(r, SEEDS[i % SEEDS.length]));
        s.write(Buffer.from(Array.from({ length: 64 }, () => Math.floor(r() * 256))));
        s.end();
        await once(s, 'close');
      }
      assert.equal(await c.hello(), 'fourc');
      assert.equal(await c.read('motor/tth/position'), 0);
    } finally {
      await c.close();
      await sim.close();
    }
  });
});
