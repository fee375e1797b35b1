import { strict as assert } from 'node:assert';
import { decodeWiegand, encodeWiegand, eventToPayload, keysToString, ledColor, packBits, parseCommand, bitString, replyToPayload } from '../../../lib/osdp';

describe('osdp Wiegand decoding', () => {
  it('H10301 26-bit: facility 1 card 1001 with parity, from independently built bits', () => {
    // 0 | 00000001 | 0000001111101001 | P: even parity over the first 12 data bits (one 1 -> 1), odd over the last 12.
    const data = '00000001' + '0000001111101001';
    const evenOnes = [...data.slice(0, 12)].filter((b) => b === '1').length;
    const oddOnes = [...data.slice(12)].filter((b) => b === '1').length;
    const bits = (evenOnes % 2 ? '1' : '0') + data + (oddOnes % 2 ? '0' : '1');
    const d = decodeWiegand(packBits(bits), 26);
    assert.deepEqual(d, { format: 'wiegand26', bitCount: 26, bits, facility: 1, card: 1001, parityOk: true });
    assert.equal(encodeWiegand('wiegand26', 1, 1001).bits, bits);
  });
  it('detects a parity error', () => {
    const w = encodeWiegand('wiegand26', 200, 54321);
    const flipped = (w.bits[0] === '1' ? '0' : '1') + w.bits.slice(1);
    assert.equal(decodeWiegand(packBits(flipped), 26).parityOk, false);
  });
  it('34 and 37 bit round trips', () => {
    for (const [fmt, fac, card] of [['wiegand34', 65535, 65535], ['wiegand37', 1234, 524287]] as const) {
      const w = encodeWiegand(fmt, fac, card);
      const d = decodeWiegand(w.data, w.bitCount);
      assert.deepEqual([d.format, d.facility, d.card, d.parityOk], [fmt, fac, card, true]);
    }
  });
  it('other lengths give the bits and their value', () => {
    assert.deepEqual(decodeWiegand(Buffer.from([0xab, 0xc0]), 12), { format: 'raw', bitCount: 12, bits: '101010111100', card: 0xabc });
    assert.equal(bitString(Buffer.from([0x80]), 3), '100');
  });
  it('refuses values that do not fit', () => {
    assert.throws(() => encodeWiegand('wiegand26', 256, 1), RangeError);
    assert.throws(() => encodeWiegand('wiegand26', 1, 65536), RangeError);
  });
});

describe('osdp flow helpers', () => {
  it('parseCommand builds an LED command from colour names and milliseconds', () => {
    assert.deepEqual(parseCommand({ command: 'led', color: 'green', mode: 'temporary', duration: 2000, onTime: 200, offTime: 200 }), {
      command: 'led',
      reader: 0,
      led: 0,
      temporary: { controlCode: 2, onCount: 2, offCount: 2, onColor: 2, offColor: 0, timer: 20 },
      permanent: { controlCode: 0, onCount: 0, offCount: 0, onColor: 0, offColor: 0 },
    });
    const perm = parseCommand({ command: 'led', color: 'red' });
    assert.equal(perm.command === 'led' && perm.permanent.onColor, 1);
    assert.equal(perm.command === 'led' && perm.temporary.controlCode, 1, 'a permanent colour cancels any temporary state');
  });
  it('parseCommand: output pulse, buzzer, text, status, mfg, comset', () => {
    assert.deepEqual(parseCommand({ command: 'output', output: 0, action: 'pulse', duration: 3000 }), { command: 'output', output: 0, controlCode: 5, timer: 30 });
    assert.deepEqual(parseCommand({ command: 'buzzer', repeat: 2 }), { command: 'buzzer', reader: 0, controlCode: 2, onCount: 5, offCount: 5, repeat: 2 });
    assert.deepEqual(parseCommand({ command: 'text', text: 'Hello', temporary: true, duration: 3 }), { command: 'text', reader: 0, controlCode: 3, tempTime: 3, row: 1, column: 1, text: 'Hello' });
    assert.deepEqual(parseCommand({ command: 'status', type: 'input' }), { command: 'status', type: 'input' });
    assert.deepEqual(parseCommand({ command: 'mfg', vendorCode: 'f1e1d0', data: '0101' }), { command: 'mfg', vendorCode: 0xf1e1d0, data: Buffer.from([1, 1]) });
    assert.deepEqual(parseCommand({ command: 'comset', address: 5, baudRate: 38400 }), { command: 'comset', address: 5, baudRate: 38400 });
  });
  it('parseCommand refuses bad input with readable InvalidArgumentErrors', () => {
    const bad: unknown[] = [null, 'led', {}, { command: 'fly' }, { command: 'led', color: 'pink' }, { command: 'output', output: 999 }, { command: 'output', action: 'toggle' }, { command: 'text', text: 'x'.repeat(40) }, { command: 'status', type: 'all' }, { command: 'mfg', vendorCode: 'zz' }, { command: 'comset' }];
    for (const b of bad) assert.throws(() => parseCommand(b), { code: 'EINVAL' }, JSON.stringify(b));
  });
  it('eventToPayload decodes card numbers and keys into JSON-safe data', () => {
    const w = encodeWiegand('wiegand26', 1, 1001);
    const p = eventToPayload({ event: 'card', reader: 0, format: 'wiegand', direction: 0, bitCount: 26, data: w.data });
    assert.equal(p.card, 1001);
    assert.equal(p.facility, 1);
    assert.equal(p.parityOk, true);
    assert.equal(p.decoded, 'wiegand26');
    assert.equal(typeof p.data, 'string');
    assert.deepEqual(JSON.parse(JSON.stringify(p)), p);
    assert.equal(eventToPayload({ event: 'keypress', reader: 0, keys: Buffer.from([0x31, 0x32, 0x7f, 0x0d]) }).keys, '12*#');
    assert.equal(keysToString(Buffer.from('9')), '9');
    assert.deepEqual(replyToPayload({ reply: 'mfgrep', vendorCode: 1, data: Buffer.from([0xab]) }), { reply: 'mfgrep', vendorCode: 1, data: 'ab' });
    assert.equal(ledColor('AMBER'), 3);
  });
});
