import { strict as assert } from 'node:assert';
import { encodeCommand, encodeFrame, encodeReply, FrameParser, type DecodedFrame, type FrameError } from '../../../lib/osdp';

const poll = (addr: number, sqn: number, mark = true): Buffer => encodeFrame({ address: addr, reply: false, sqn, crc: true, ...encodeCommand({ command: 'poll' }) }, { mark });
const ack = (addr: number, sqn: number, crc = true): Buffer => encodeFrame({ address: addr, reply: true, sqn, crc, ...encodeReply({ reply: 'ack' }) });
const led = encodeFrame({
  address: 7,
  reply: false,
  sqn: 2,
  crc: false,
  ...encodeCommand({ command: 'led', reader: 0, led: 0, temporary: { controlCode: 0, onCount: 0, offCount: 0, onColor: 0, offColor: 0, timer: 0 }, permanent: { controlCode: 1, onCount: 1, offCount: 0, onColor: 0x53, offColor: 0 } }),
});

function collect(accept: 'command' | 'reply' | 'any' = 'any', now?: () => number): { p: FrameParser; frames: DecodedFrame[]; errors: FrameError[] } {
  const frames: DecodedFrame[] = [];
  const errors: FrameError[] = [];
  const p = new FrameParser({ accept, onFrame: (f) => frames.push(f), onError: (e) => errors.push(e), ...(now ? { now } : {}) });
  return { p, frames, errors };
}

describe('osdp frame parser', () => {
  it('reassembles a frame fed one byte at a time', () => {
    const { p, frames } = collect();
    const bytes = poll(101, 1);
    for (const b of bytes) p.push(Buffer.from([b]));
    assert.equal(frames.length, 1);
    assert.equal(frames[0].address, 101);
    assert.equal(frames[0].sqn, 1);
    assert.equal(p.pending, 0);
  });

  it('splits at every position', () => {
    const stream = Buffer.concat([poll(1, 1), led, ack(1, 1)]);
    for (let cut = 1; cut < stream.length; cut++) {
      const { p, frames } = collect();
      p.push(stream.subarray(0, cut));
      p.push(stream.subarray(cut));
      assert.equal(frames.length, 3, `cut at ${cut}`);
    }
  });

  it('takes several frames from one read, with and without marks', () => {
    const { p, frames } = collect();
    p.push(Buffer.concat([poll(1, 1), poll(2, 2, false), led, ack(3, 3, false)]));
    assert.deepEqual(frames.map((f) => [f.address, f.reply]), [[1, false], [2, false], [7, false], [3, true]]);
  });

  it('skips junk and extra marks between frames and counts the junk', () => {
    const { p, frames } = collect();
    p.push(Buffer.concat([Buffer.from([0x00, 0x12, 0xff, 0xff, 0xff]), poll(1, 1), Buffer.from('garbage'), Buffer.from([0xff]), led]));
    assert.equal(frames.length, 2);
    assert.equal(p.stats.junkBytes, 2 + 7);
  });

  it('rescans after a bad header: a SOM inside junk does not swallow the next frame', () => {
    const { p, frames } = collect();
    // 0x53 followed by a LEN of 0xFFFF (too long) and then a real frame.
    p.push(Buffer.concat([Buffer.from([0x53, 0x01, 0xff, 0xff, 0x04]), poll(1, 1)]));
    assert.equal(frames.length, 1);
    // 0x53 with a plausible but wrong LEN: the check fails, the parser rescans from the next byte.
    const { p: p2, frames: f2 } = collect();
    p2.push(Buffer.concat([Buffer.from([0x53, 0x01, 0x0a, 0x00, 0x04, 0x60]), poll(2, 2)]));
    assert.deepEqual(f2.map((f) => f.address), [2]);
    // a 0x53 data byte inside a valid frame is not a SOM (LED onColor is 0x53 above)
    const { p: p3, frames: f3 } = collect();
    p3.push(led);
    assert.equal(f3.length, 1);
  });

  it('reports a frame that fails its check (for NAK 1) and keeps going', () => {
    const { p, frames, errors } = collect('command');
    const bad = Buffer.from(poll(9, 1));
    bad[bad.length - 1] ^= 0xff;
    p.push(Buffer.concat([bad, poll(9, 2)]));
    assert.equal(errors.length, 1);
    assert.equal(errors[0].fault, 'check');
    assert.deepEqual(errors[0].header, { address: 9, reply: false, sqn: 1, crc: true });
    assert.equal(frames.length, 1);
    assert.equal(frames[0].sqn, 2);
  });

  it('a CP ignores command-direction frames (bus echo) and a PD ignores replies', () => {
    const cp = collect('reply');
    const pd = collect('command');
    const stream = Buffer.concat([poll(1, 1), ack(1, 1), poll(1, 2), ack(1, 2)]);
    cp.p.push(stream);
    pd.p.push(stream);
    assert.deepEqual(cp.frames.map((f) => f.reply), [true, true]);
    assert.deepEqual(pd.frames.map((f) => f.reply), [false, false]);
    assert.equal(cp.p.stats.ignored, 2);
    assert.equal(pd.p.stats.ignored, 2);
  });

  it('abandons a partial frame that goes stale and finds the frame behind it', () => {
    let t = 0;
    const { p, frames } = collect('any', () => t);
    p.push(Buffer.from([0x53, 0x01, 0x40, 0x00, 0x04, 0x60])); // claims 64 bytes, never completes
    assert.equal(frames.length, 0);
    assert.equal(p.pendingFrameLength, 64);
    t += 1000;
    p.push(poll(3, 3));
    assert.deepEqual(frames.map((f) => f.address), [3]);
  });

  it('reset() drops a partial frame', () => {
    const { p, frames } = collect();
    const b = poll(1, 1);
    p.push(b.subarray(0, 5));
    p.reset();
    p.push(b.subarray(5));
    p.push(poll(1, 2));
    assert.deepEqual(frames.map((f) => f.sqn), [2]);
  });
});
