import { strict as assert } from 'node:assert';
import {
  checksum8,
  crc16,
  decodeCommand,
  decodeFrame,
  decodeReply,
  encodeCommand,
  encodeFrame,
  encodeReply,
  FrameError,
  macInput,
  PayloadError,
  type OsdpCommand,
  type OsdpReply,
} from '../../../lib/osdp';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('osdp codec: check characters (issue vectors)', () => {
  it('CRC-16/AUG-CCITT check value', () => {
    assert.equal(crc16(Buffer.from('123456789')), 0xe5cc);
  });
  it('CRC bytes of the spec frames, LSB first', () => {
    const cases: Array<[string, string]> = [
      ['536508000460', '6090'],
      ['537F0D00046E0080250000', '6E38'],
      ['53000900046100', 'C066'],
    ];
    for (const [frame, bytes] of cases) {
      const c = crc16(hex(frame));
      assert.equal(Buffer.from([c & 0xff, c >> 8]).toString('hex'), bytes.toLowerCase(), frame);
    }
  });
  it('checksum vectors', () => {
    assert.equal(checksum8(hex('537F0C00006E0080250000')), 0x0f);
    assert.equal(checksum8(hex('53000800006100')), 0x44);
  });
});

describe('osdp codec: frames', () => {
  it('encodes POLL to 101 as FF 53 65 08 00 04 60 60 90', () => {
    const b = encodeFrame({ address: 101, reply: false, sqn: 0, crc: true, code: 0x60, data: Buffer.alloc(0) });
    assert.equal(b.toString('hex'), 'ff536508000460' + '6090');
    assert.equal(b.length + 9, 18, 'POLL + ACK with marks and CRC are 18 bytes');
  });
  it('encodes without the mark on request', () => {
    const b = encodeFrame({ address: 101, reply: false, sqn: 0, crc: true, code: 0x60, data: Buffer.alloc(0) }, { mark: false });
    assert.equal(b.toString('hex'), '53650800046060' + '90');
  });
  it('encodes the COMSET broadcast and the ID vector of the issue', () => {
    const comset = encodeCommand({ command: 'comset', address: 0, baudRate: 9600 });
    const b = encodeFrame({ address: 0x7f, reply: false, sqn: 0, crc: true, ...comset }, { mark: false });
    assert.equal(b.toString('hex'), '537f0d00046e0080250000' + '6e38');
    const id = encodeCommand({ command: 'id' });
    assert.equal(encodeFrame({ address: 0, reply: false, sqn: 1 & 0, crc: true, ...id }, { mark: false }).toString('hex'), '53000900046100c066');
  });
  it('encodes checksum frames of the issue', () => {
    const comset = encodeCommand({ command: 'comset', address: 0, baudRate: 9600 });
    assert.equal(encodeFrame({ address: 0x7f, reply: false, sqn: 0, crc: false, ...comset }, { mark: false }).toString('hex'), '537f0c00006e0080250000' + '0f');
    assert.equal(encodeFrame({ address: 0, reply: false, sqn: 0, crc: false, ...encodeCommand({ command: 'id' }) }, { mark: false }).toString('hex'), '5300080000610044');
  });
  it('decodes a reply with SQN, direction and check mode from CTRL', () => {
    const raw = encodeFrame({ address: 5, reply: true, sqn: 3, crc: false, code: 0x40, data: Buffer.alloc(0) }, { mark: false });
    assert.equal(raw[1], 0x85);
    assert.equal(raw[4], 0x03);
    const f = decodeFrame(raw);
    assert.deepEqual({ a: f.address, r: f.reply, s: f.sqn, c: f.crc, code: f.code, len: f.data.length }, { a: 5, r: true, s: 3, c: false, code: 0x40, len: 0 });
  });
  it('carries an SCB and a MAC: LEN counts them, the MAC sees the final header', () => {
    let seen: Buffer | undefined;
    const raw = encodeFrame(
      { address: 1, reply: false, sqn: 2, crc: true, code: 0x69, data: hex('0102'), scb: { type: 0x17, data: Buffer.alloc(0) } },
      { mark: false, mac: (b) => ((seen = Buffer.from(b)), hex('deadbeef00000000')) },
    );
    // 5 header + 2 SCB + 1 code + 2 data + 4 MAC + 2 CRC
    assert.equal(raw.length, 16);
    assert.equal(raw.readUInt16LE(2), 16);
    assert.equal(raw[4], 0x0e, 'SQN 2 | CRC | SCB');
    assert.equal(raw.subarray(5, 7).toString('hex'), '0217');
    assert.equal(seen?.toString('hex'), raw.subarray(0, 10).toString('hex'));
    const f = decodeFrame(raw);
    assert.deepEqual(f.scb, { type: 0x17, data: Buffer.alloc(0) });
    assert.equal(f.mac?.toString('hex'), 'deadbeef');
    assert.equal(f.data.toString('hex'), '0102');
    assert.equal(macInput(f).toString('hex'), seen?.toString('hex'));
  });
  it('handshake SCBs (0x11-0x14) carry data and no MAC', () => {
    const raw = encodeFrame({ address: 1, reply: false, sqn: 0, crc: true, code: 0x76, data: hex('b0b1b2b3b4b5b6b7'), scb: { type: 0x11, data: hex('01') } }, { mark: false });
    const f = decodeFrame(raw);
    assert.equal(f.scb?.type, 0x11);
    assert.equal(f.scb?.data.toString('hex'), '01');
    assert.equal(f.mac, undefined);
    assert.equal(raw.subarray(5, 8).toString('hex'), '031101');
  });
  it('refuses a MAC SCB without a MAC, and out-of-range header fields', () => {
    assert.throws(() => encodeFrame({ address: 1, reply: false, sqn: 0, crc: true, code: 0x60, data: Buffer.alloc(0), scb: { type: 0x15, data: Buffer.alloc(0) } }), RangeError);
    assert.throws(() => encodeFrame({ address: 0x80, reply: false, sqn: 0, crc: true, code: 0x60, data: Buffer.alloc(0) }), RangeError);
    assert.throws(() => encodeFrame({ address: 1, reply: false, sqn: 4, crc: true, code: 0x60, data: Buffer.alloc(0) }), RangeError);
  });
  it('rejects a bad CRC, a bad checksum, a LEN mismatch and a bad SCB with FrameError', () => {
    const good = hex('536508000460' + '6090');
    const badCrc = Buffer.from(good);
    badCrc[7] ^= 1;
    assert.throws(() => decodeFrame(badCrc), (e: unknown) => e instanceof FrameError && e.fault === 'check' && e.header?.address === 101);
    const badSum = hex('5300080000610045');
    assert.throws(() => decodeFrame(badSum), (e: unknown) => e instanceof FrameError && e.fault === 'check');
    assert.throws(() => decodeFrame(good.subarray(0, 7)), (e: unknown) => e instanceof FrameError && e.fault === 'length');
    // SCB flag set, SCB length byte 9 runs past the end of an 9-byte frame.
    const body = hex('53010900080960aa');
    const scbBad = Buffer.concat([body, Buffer.from([checksum8(body)])]);
    assert.throws(() => decodeFrame(scbBad), (e: unknown) => e instanceof FrameError && e.fault === 'scb');
  });
});

/** [command, expected CODE, expected DATA hex]: layouts per SIA OSDP v2.2 (and libosdp). */
const COMMANDS: Array<[OsdpCommand, number, string]> = [
  [{ command: 'poll' }, 0x60, ''],
  [{ command: 'id', request: 0 }, 0x61, '00'],
  [{ command: 'cap', request: 0 }, 0x62, '00'],
  [{ command: 'status', type: 'local' }, 0x64, ''],
  [{ command: 'status', type: 'input' }, 0x65, ''],
  [{ command: 'status', type: 'output' }, 0x66, ''],
  [{ command: 'status', type: 'reader' }, 0x67, ''],
  [{ command: 'output', output: 1, controlCode: 5, timer: 10 }, 0x68, '01050a00'],
  [
    {
      command: 'led',
      reader: 0,
      led: 1,
      temporary: { controlCode: 2, onCount: 3, offCount: 4, onColor: 1, offColor: 0, timer: 0x0132 },
      permanent: { controlCode: 1, onCount: 5, offCount: 0, onColor: 2, offColor: 0 },
    },
    0x69,
    '00 01 02 03 04 01 00 32 01 01 05 00 02 00',
  ],
  [{ command: 'buzzer', reader: 0, controlCode: 2, onCount: 5, offCount: 5, repeat: 3 }, 0x6a, '0002050503'],
  [{ command: 'text', reader: 0, controlCode: 1, tempTime: 0, row: 1, column: 1, text: 'Hello' }, 0x6b, '000100010105' + Buffer.from('Hello').toString('hex')],
  [{ command: 'comset', address: 0, baudRate: 9600 }, 0x6e, '0080250000'],
  [{ command: 'keyset', keyType: 1, key: hex('303132333435363738393a3b3c3d3e3f') }, 0x75, '0110303132333435363738393a3b3c3d3e3f'],
  [{ command: 'chlng', random: hex('b0b1b2b3b4b5b6b7') }, 0x76, 'b0b1b2b3b4b5b6b7'],
  [{ command: 'scrypt', cryptogram: hex('26d3356e07762d262801fc8e6665a891') }, 0x77, '26d3356e07762d262801fc8e6665a891'],
  [{ command: 'acurxsize', size: 1024 }, 0x7b, '0004'],
  [{ command: 'filetransfer', fileId: 1, totalSize: 256, offset: 128, data: hex('aabbcc') }, 0x7c, '01 00010000 80000000 0300 aabbcc'],
  [{ command: 'mfg', vendorCode: 0x0a0b0c, data: hex('0102') }, 0x80, '0c0b0a0102'],
  [{ command: 'abort' }, 0xa2, ''],
  [{ command: 'keepactive', time: 1000 }, 0xa7, 'e803'],
];

const REPLIES: Array<[OsdpReply, number, string]> = [
  [{ reply: 'ack' }, 0x40, ''],
  [{ reply: 'nak', code: 3 }, 0x41, '03'],
  [{ reply: 'pdid', vendorCode: 0x0a0b0c, model: 2, version: 3, serialNumber: 0x11223344, firmware: { major: 1, minor: 2, build: 3 } }, 0x45, '0c0b0a 02 03 44332211 010203'],
  [{ reply: 'pdcap', capabilities: [{ function: 1, compliance: 1, numItems: 4 }, { function: 8, compliance: 1, numItems: 0 }] }, 0x46, '010104 080100'],
  [{ reply: 'lstatr', tamper: true, power: false }, 0x48, '0100'],
  [{ reply: 'istatr', inputs: [0, 1, 0, 1] }, 0x49, '00010001'],
  [{ reply: 'ostatr', outputs: [1, 0] }, 0x4a, '0100'],
  [{ reply: 'rstatr', readers: [0] }, 0x4b, '00'],
  [{ reply: 'raw', reader: 0, format: 1, bitCount: 26, data: hex('0102037f') }, 0x50, '00 01 1a00 0102037f'],
  [{ reply: 'fmt', reader: 0, direction: 0, data: '1234' }, 0x51, '000004' + Buffer.from('1234').toString('hex')],
  [{ reply: 'keypad', reader: 0, keys: hex('31327f') }, 0x53, '000331327f'],
  [{ reply: 'com', address: 5, baudRate: 38400 }, 0x54, '0500960000'],
  [{ reply: 'ccrypt', clientUid: hex('0001020304050607'), random: hex('a0a1a2a3a4a5a6a7'), cryptogram: hex('fde5d2f428ec16312471ea3c02bd7796') }, 0x76, '0001020304050607a0a1a2a3a4a5a6a7fde5d2f428ec16312471ea3c02bd7796'],
  [{ reply: 'rmac-i', rmac: hex('b2a30057eb98ba2229ec1f875662b524') }, 0x78, 'b2a30057eb98ba2229ec1f875662b524'],
  [{ reply: 'busy' }, 0x79, ''],
  [{ reply: 'ftstat', control: 1, delay: 10, status: -1, rxSize: 512 }, 0x7a, '01 0a00 ffff 0002'],
  [{ reply: 'mfgrep', vendorCode: 0x0a0b0c, data: hex('99') }, 0x90, '0c0b0a99'],
];

describe('osdp codec: every command', () => {
  for (const [cmd, code, data] of COMMANDS) {
    const label = cmd.command === 'status' ? `status ${cmd.type}` : cmd.command;
    it(`${label}: encodes to 0x${code.toString(16)} ${data || '(no data)'} and back`, () => {
      const p = encodeCommand(cmd);
      assert.equal(p.code, code);
      assert.equal(p.data.toString('hex'), data.replace(/\s+/g, ''));
      assert.deepEqual(decodeCommand(p.code, p.data), [cmd]);
      // Through a whole frame too.
      const f = decodeFrame(encodeFrame({ address: 3, reply: false, sqn: 1, crc: true, ...p }, { mark: false }));
      assert.deepEqual(decodeCommand(f.code, f.data), [cmd]);
    });
  }
  it('decodes multi-record OUT and LED payloads into one command per record', () => {
    const out = decodeCommand(0x68, hex('00020000 01050a00'));
    assert.deepEqual(out, [
      { command: 'output', output: 0, controlCode: 2, timer: 0 },
      { command: 'output', output: 1, controlCode: 5, timer: 10 },
    ]);
    const led = encodeCommand(COMMANDS[8][0]).data;
    assert.equal(decodeCommand(0x69, Buffer.concat([led, led])).length, 2);
  });
  it('rejects wrong lengths with NAK 2 and unknown codes with NAK 3', () => {
    const bad: Array<[number, string]> = [[0x60, '00'], [0x61, ''], [0x68, '010203'], [0x69, '00'], [0x6a, '00'], [0x6b, '0001000101'], [0x6b, '00010001010561'], [0x6e, '00'], [0x75, '0110aa'], [0x76, '00'], [0x77, '00'], [0x7b, '00'], [0x7c, '01000100008000000005aa'], [0x80, '0c0b'], [0xa2, '00'], [0xa7, '00']];
    for (const [code, data] of bad) {
      assert.throws(() => decodeCommand(code, hex(data)), (e: unknown) => e instanceof PayloadError && e.nak === 2, `0x${code.toString(16)} ${data}`);
    }
    assert.throws(() => decodeCommand(0x63, Buffer.alloc(0)), (e: unknown) => e instanceof PayloadError && e.nak === 3);
  });
  it('refuses out-of-range fields when encoding', () => {
    assert.throws(() => encodeCommand({ command: 'output', output: 256, controlCode: 1, timer: 0 }), RangeError);
    assert.throws(() => encodeCommand({ command: 'text', reader: 0, controlCode: 1, tempTime: 0, row: 0, column: 0, text: 'x'.repeat(256) }), RangeError);
    assert.throws(() => encodeCommand({ command: 'comset', address: 127, baudRate: 9600 }), RangeError);
    assert.throws(() => encodeCommand({ command: 'chlng', random: Buffer.alloc(7) }), RangeError);
    assert.throws(() => encodeCommand({ command: 'nope' } as unknown as OsdpCommand), RangeError);
  });
});

describe('osdp codec: every reply', () => {
  for (const [r, code, data] of REPLIES) {
    it(`${r.reply}: encodes to 0x${code.toString(16)} ${data || '(no data)'} and back`, () => {
      const p = encodeReply(r);
      assert.equal(p.code, code);
      assert.equal(p.data.toString('hex'), data.replace(/\s+/g, ''));
      assert.deepEqual(decodeReply(p.code, p.data), r);
    });
  }
  it('PDID firmware is 3 bytes major, minor, build', () => {
    const r = decodeReply(0x45, hex('0c0b0a 02 03 44332211 0a1400')) as Extract<OsdpReply, { reply: 'pdid' }>;
    assert.deepEqual(r.firmware, { major: 10, minor: 20, build: 0 });
    assert.equal(r.serialNumber, 0x11223344);
    assert.equal(r.vendorCode, 0x0a0b0c);
  });
  it('rejects malformed replies', () => {
    const bad: Array<[number, string]> = [[0x40, '00'], [0x41, ''], [0x45, '00'], [0x46, '0101'], [0x48, '00'], [0x50, '00011a000102'], [0x51, '000005313233'], [0x53, '000231'], [0x54, '00'], [0x76, '00'], [0x78, '00'], [0x79, '00'], [0x7a, '00'], [0x90, '0c']];
    for (const [code, data] of bad) assert.throws(() => decodeReply(code, hex(data)), PayloadError, `0x${code.toString(16)} ${data}`);
    assert.throws(() => decodeReply(0x42, Buffer.alloc(0)), PayloadError);
  });
  it('refuses a RAW reply whose data does not match its bit count', () => {
    assert.throws(() => encodeReply({ reply: 'raw', reader: 0, format: 1, bitCount: 26, data: hex('0102') }), RangeError);
  });
});
