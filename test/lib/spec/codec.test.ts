import { strict as assert } from 'node:assert';
import { ProtocolError } from '../../../lib/common';
import {
  FrameDecoder,
  SpecArray,
  SpecCommand,
  SpecType,
  decodeFrame,
  decodeValue,
  encodeFrame,
  encodeValue,
  toPlain,
  toSpecArray,
} from '../../../lib/spec';
import { BODIES, HEADERS, type HeaderVector } from '../../fixtures/spec/vectors';

function nameHex(name: string, size = 80): string {
  const b = Buffer.from(name, 'latin1').toString('hex');
  return b + '00'.repeat(size - name.length);
}

function frameOf(v: HeaderVector): Buffer {
  return Buffer.from(v.fields.replace(/\s+/g, '') + nameHex(v.name) + (v.extra ?? '') + v.body, 'hex');
}

describe('spec codec: header vectors (hand-written from the layout)', () => {
  for (const v of HEADERS) {
    it(`decodes ${v.title}`, () => {
      const m = decodeFrame(frameOf(v));
      for (const [k, want] of Object.entries(v.expect)) assert.equal((m as unknown as Record<string, unknown>)[k], want, k);
      assert.equal(m.name, v.name);
    });
  }

  it('encodes version 4 headers byte for byte, in both byte orders', () => {
    const le = HEADERS[0];
    const got = encodeFrame({ cmd: SpecCommand.CHAN_READ, sn: 7, name: 'var/x', time: 1700000000123.456 }, { littleEndian: true });
    assert.equal(got.toString('hex'), frameOf(le).toString('hex'));
    const be = HEADERS[1];
    const got2 = encodeFrame({ cmd: SpecCommand.REPLY, sn: 7, name: 'motor/tth/position', value: 12.5, time: 1700000000000 }, { littleEndian: false });
    assert.equal(got2.toString('hex'), frameOf(be).toString('hex'));
  });

  it('encodes versions 2 and 3 when asked (a server answering an old client)', () => {
    const v3 = HEADERS[3];
    assert.equal(
      encodeFrame({ cmd: SpecCommand.HELLO_REPLY, sn: 1, name: 'fourc', value: 'fourc', time: 0 }, { littleEndian: false, version: 3 }).toString('hex'),
      frameOf(v3).toString('hex'),
    );
    const v2 = HEADERS[5];
    assert.equal(encodeFrame({ cmd: SpecCommand.HELLO, sn: 9, time: 0 }, { littleEndian: false, version: 2 }).toString('hex'), frameOf(v2).toString('hex'));
  });

  it('puts no command text in the name field (the body carries it)', () => {
    const f = encodeFrame({ cmd: SpecCommand.CMD_WITH_RETURN, sn: 1, value: 'mv tth 10' }, { littleEndian: true });
    const m = decodeFrame(f);
    assert.equal(m.name, '');
    assert.equal(m.value, 'mv tth 10');
    assert.equal(f.subarray(132).toString('latin1'), 'mv tth 10\0');
  });

  it('refuses a name of 80 bytes or more', () => {
    assert.throws(() => encodeFrame({ cmd: SpecCommand.CHAN_READ, sn: 1, name: 'x'.repeat(80) }), { code: 'EINVAL' });
  });
});

describe('spec codec: body vectors', () => {
  for (const v of BODIES) {
    it(`decodes ${v.title}`, () => {
      const value = decodeValue(v.type, v.rows, v.cols, Buffer.from(v.body, 'hex'), v.littleEndian);
      assert.deepEqual(toPlain(value), v.json);
      if (v.type >= SpecType.ARR_DOUBLE) {
        assert.ok(value instanceof SpecArray);
        assert.equal(value.rows, v.rows);
        assert.equal(value.cols, v.cols);
      }
    });
  }

  it('keeps a 1-D array 1-D and a 2-D array 2-D', () => {
    const one = decodeValue(SpecType.ARR_LONG, 1, 3, Buffer.from('010000000200000003000000', 'hex'), true) as SpecArray;
    assert.equal(one.is2D, false);
    assert.deepEqual(one.toJSON(), [1, 2, 3]);
    const two = decodeValue(SpecType.ARR_LONG, 3, 1, Buffer.from('010000000200000003000000', 'hex'), true) as SpecArray;
    assert.equal(two.is2D, true);
    assert.deepEqual(two.toJSON(), [[1], [2], [3]]);
  });

  it('encodes numeric arrays to the same bytes as the vectors', () => {
    for (const v of BODIES.filter((b) => b.type >= SpecType.ARR_DOUBLE && b.type !== SpecType.ARR_STRING && b.body.length / 2 !== b.rows * b.cols * ({ 5: 8, 6: 4, 7: 4, 8: 4, 9: 2, 10: 2, 11: 1, 12: 1, 14: 8, 15: 8 } as Record<number, number>)[b.type] + 1)) {
      const value = decodeValue(v.type, v.rows, v.cols, Buffer.from(v.body, 'hex'), v.littleEndian);
      const enc = encodeValue(value, v.littleEndian);
      assert.equal(enc.body.toString('hex'), v.body, v.title);
      assert.equal(enc.rows, v.rows);
      assert.equal(enc.cols, v.cols);
    }
  });

  it('encodes numbers and strings as NUL-terminated text, objects as ASSOC', () => {
    assert.equal(encodeValue(12.5, true).body.toString('hex'), '31322e3500');
    assert.equal(encodeValue(12.5, true).type, SpecType.DOUBLE);
    assert.equal(encodeValue('ab', false).body.toString('hex'), '616200');
    const assoc = encodeValue({ a: 1, b: { c: 'x' } }, true);
    assert.equal(assoc.type, SpecType.ASSOC);
    assert.equal(assoc.body.toString('hex'), '6100' + '3100' + '621c6300' + '7800' + '00');
  });

  it('rejects arrays whose body does not match rows x cols', () => {
    assert.throws(() => decodeValue(SpecType.ARR_DOUBLE, 1, 2, Buffer.alloc(15), true), ProtocolError);
    assert.throws(() => decodeValue(SpecType.ARR_DOUBLE, 1, 2, Buffer.alloc(18), true), ProtocolError);
    assert.throws(() => decodeValue(99, 0, 0, Buffer.alloc(0), true), ProtocolError);
    assert.throws(() => decodeValue(SpecType.DOUBLE, 0, 0, Buffer.from('abc'), true), ProtocolError);
  });

  it('round-trips every array type through toSpecArray, 1-D and 2-D, both byte orders', () => {
    const types = [5, 6, 7, 8, 9, 10, 11, 12, 14, 15] as const;
    for (const t of types) {
      for (const le of [true, false]) {
        for (const data of [[1, 2, 3], [[1, 2], [3, 4], [5, 6]]]) {
          const arr = toSpecArray(data, t);
          const enc = encodeValue(arr, le);
          const back = decodeValue(enc.type, enc.rows, enc.cols, enc.body, le);
          assert.deepEqual(toPlain(back), data, `type ${t} le ${le}`);
        }
      }
    }
  });
});

describe('spec codec: streaming decoder', () => {
  const frames = HEADERS.map(frameOf);
  const all = Buffer.concat(frames);

  it('takes the stream one byte at a time', () => {
    const d = new FrameDecoder();
    const got = [];
    for (let i = 0; i < all.length; i++) got.push(...d.push(all.subarray(i, i + 1)));
    assert.equal(got.length, frames.length);
    assert.deepEqual(got.map((m) => m.name), HEADERS.map((h) => h.name));
    assert.equal(d.pending, 0);
  });

  it('takes every frame coalesced into one read, and odd splits', () => {
    const d = new FrameDecoder();
    assert.equal(d.push(all).length, frames.length);
    for (const cut of [3, 12, 100, 131, 133, 300]) {
      const d2 = new FrameDecoder();
      const got = [...d2.push(all.subarray(0, cut)), ...d2.push(all.subarray(cut))];
      assert.equal(got.length, frames.length, `cut at ${cut}`);
    }
  });

  it('throws a typed error on a bad magic and is usable after reset', () => {
    const d = new FrameDecoder();
    const bad = Buffer.from(frames[0]);
    bad[0] ^= 0xff;
    assert.throws(() => d.push(bad), (e: unknown) => e instanceof ProtocolError && (e as ProtocolError).code === 'EBADMAGIC');
    assert.equal(d.pending, 0);
    assert.equal(d.push(frames[1]).length, 1);
  });

  it('hands on a frame whose body does not decode with an error, staying in step', () => {
    const d = new FrameDecoder();
    const bad = Buffer.from(HEADERS[1].fields.replace(/\s+/g, '') + nameHex('x') + '4142434400', 'hex'); // DOUBLE "ABCD"
    const got = d.push(Buffer.concat([bad, frames[0]]));
    assert.equal(got.length, 2);
    assert.ok(got[0].error instanceof ProtocolError);
    assert.equal(got[1].name, 'var/x');
  });

  it('refuses a body beyond the size limit', () => {
    const d = new FrameDecoder(1000);
    const big = Buffer.from(HEADERS[0].fields.replace(/\s+/g, '').replace(/00000000 00000000 00000000$/, ''), 'hex');
    const f = Buffer.from(frames[0]);
    f.writeUInt32LE(5000, 40);
    assert.ok(big.length > 0);
    assert.throws(() => d.push(f), { code: 'ETOOBIG' });
  });
});
