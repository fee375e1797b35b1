// Seeded, bounded fuzzing of the frame parser, the frame decoder, every payload decoder and the
// PD receive path: only typed errors, no hang, and the state is still usable afterwards.
import { strict as assert } from 'node:assert';
import {
  CommandCode,
  FieldlinkError,
  FrameError,
  FrameParser,
  ManualClock,
  PayloadError,
  PeripheralDevice,
  ReplyCode,
  createMemoryPair,
  decodeCommand,
  decodeFrame,
  decodeReply,
  encodeCommand,
  encodeFrame,
  encodeReply,
  type DecodedFrame,
} from '../../../lib/osdp';
import { rig, until } from './helpers';

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

const rnd = prng(0x05d9);
const int = (n: number): number => Math.floor(rnd() * n);
const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => int(256)));

const SAMPLE_FRAMES: Buffer[] = [
  encodeFrame({ address: 1, reply: false, sqn: 1, crc: true, ...encodeCommand({ command: 'poll' }) }),
  encodeFrame({ address: 2, reply: true, sqn: 2, crc: false, ...encodeReply({ reply: 'raw', reader: 0, format: 1, bitCount: 26, data: Buffer.from([1, 2, 3, 0xc0]) }) }),
  encodeFrame({ address: 3, reply: false, sqn: 3, crc: true, ...encodeCommand({ command: 'text', reader: 0, controlCode: 1, tempTime: 0, row: 1, column: 1, text: 'fuzz' }) }),
  encodeFrame({ address: 4, reply: false, sqn: 0, crc: true, code: 0x69, data: Buffer.alloc(14), scb: { type: 0x17, data: Buffer.alloc(0) } }, { mac: () => Buffer.alloc(4, 7) }),
];

function mutate(b: Buffer): Buffer {
  const out = Buffer.from(b);
  const kind = int(4);
  if (kind === 0) out[int(out.length)] = int(256);
  else if (kind === 1) return out.subarray(0, int(out.length));
  else if (kind === 2) return Buffer.concat([out.subarray(0, int(out.length)), bytes(int(8)), out.subarray(int(out.length))]);
  else out[int(out.length)] ^= 1 << int(8);
  return out;
}

const COMMAND_CODES = Object.values(CommandCode) as number[];
const REPLY_CODES = Object.values(ReplyCode) as number[];

describe('osdp fuzz (seeded, bounded)', () => {
  it('the parser survives random and mutated streams in random chunks and still parses a good frame after', () => {
    for (let round = 0; round < 300; round++) {
      const frames: DecodedFrame[] = [];
      let t = 0;
      const p = new FrameParser({ onFrame: (f) => frames.push(f), onError: (e) => assert.ok(e instanceof FrameError), now: () => t });
      const parts: Buffer[] = [];
      for (let i = 0; i < 10; i++) parts.push(int(3) === 0 ? bytes(int(40)) : mutate(SAMPLE_FRAMES[int(SAMPLE_FRAMES.length)]));
      const stream = Buffer.concat(parts);
      for (let o = 0; o < stream.length; ) {
        const n = 1 + int(16);
        p.push(stream.subarray(o, o + n));
        o += n;
      }
      t += 10_000; // anything partial is now stale
      frames.length = 0;
      p.push(SAMPLE_FRAMES[0]);
      assert.ok(frames.some((f) => f.raw.equals(SAMPLE_FRAMES[0].subarray(1))), `round ${round}: good frame found after garbage`);
    }
  });

  it('decodeFrame throws only FrameError on mutated frames', () => {
    for (let i = 0; i < 3000; i++) {
      const raw = mutate(SAMPLE_FRAMES[int(SAMPLE_FRAMES.length)].subarray(1));
      try {
        decodeFrame(raw);
      } catch (err) {
        assert.ok(err instanceof FrameError, String(err));
      }
    }
  });

  it('every command and reply decoder throws only PayloadError on random payloads', () => {
    for (let i = 0; i < 4000; i++) {
      const data = bytes(int(40));
      try {
        const cmds = decodeCommand(COMMAND_CODES[int(COMMAND_CODES.length)], data);
        for (const c of cmds) encodeCommand(c); // whatever decodes re-encodes
      } catch (err) {
        assert.ok(err instanceof PayloadError, String(err));
      }
      try {
        encodeReply(decodeReply(REPLY_CODES[int(REPLY_CODES.length)], data));
      } catch (err) {
        assert.ok(err instanceof PayloadError, String(err));
      }
    }
  });

  it('a PD fed mutated command frames keeps answering a proper CP', async () => {
    const [cpSide, pdSide] = createMemoryPair();
    const clock = new ManualClock(); // the parser's staleness follows this clock, not the machine's load
    const pd = new PeripheralDevice({ address: 1, channel: pdSide, clock });
    const warnings: unknown[] = [];
    pd.on('warning', (w) => warnings.push(w));
    await pd.start();
    await cpSide.open();
    const replies: Buffer[] = [];
    cpSide.on('data', (d: Buffer) => replies.push(d));
    for (let i = 0; i < 500; i++) await cpSide.write(int(4) === 0 ? bytes(int(30)) : mutate(SAMPLE_FRAMES[int(3)]));
    await new Promise((r) => setImmediate(r)); // deliveries are made on the next turn
    await until(() => (pd as unknown as { bus: { parser: { stats: { frames: number; badFrames: number } } } }).bus.parser.stats.frames > 0, 'fuzz delivered');
    clock.advance(1000); // any partial frame left is now stale
    const n = replies.length;
    await cpSide.write(encodeFrame({ address: 1, reply: false, sqn: 0, crc: true, ...encodeCommand({ command: 'id' }) }));
    // Frames hidden in the abandoned partial may be answered first; the PDID must follow.
    await until(() => replies.slice(n).some((r) => decodeFrame(r.subarray(1)).code === ReplyCode.PDID), 'PDID after the fuzz');
    for (const w of warnings) assert.ok(w instanceof FieldlinkError);
    await pd.stop();
  });

  it('a CP fed garbage and mutated replies stays usable once the PD answers properly again', async () => {
    const r = await rig([{}], { responseTimeout: 30, retries: 1, offlineBackoff: 10 });
    try {
      await r.cp.waitOnline(0, 5000);
      let count = 0;
      r.pdSide.intercept = (b) => (count++ < 60 ? (int(2) ? mutate(b) : bytes(int(20))) : b);
      await until(() => count >= 60, 'fuzzed replies');
      r.pdSide.intercept = undefined;
      assert.equal(await r.cp.waitOnline(0, 5000), true);
      assert.equal((await r.cp.sendCommand(0, { command: 'keepactive', time: 1 })).status, 'ok');
    } finally {
      await r.close();
    }
  });
});
