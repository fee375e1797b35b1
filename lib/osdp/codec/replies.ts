/**
 * Payload codecs of every OSDP reply (SIA OSDP v2.2 layouts, checked against libosdp).
 * Encoders throw RangeError on out-of-range fields; decoders throw PayloadError.
 */
import { ReplyCode, type Capability, type OsdpReply } from '../types';
import { PayloadError, bytes, expectAtLeast, expectLength, u16, u24, u32, u8 } from './payload-error';
import type { Payload } from './commands';

export const REPLY_NAMES: Record<number, string> = Object.fromEntries(Object.entries(ReplyCode).map(([k, v]) => [v, k]));

function bitList(values: number[], what: string): Buffer {
  if (!Array.isArray(values)) throw new RangeError(`${what} must be an array of numbers`);
  return Buffer.from(values.map((v, i) => u8(v, `${what}[${i}]`)));
}

function vendor(v: number): number[] {
  u24(v, 'vendorCode');
  return [v & 0xff, (v >> 8) & 0xff, v >> 16];
}

/** CODE and DATA of a reply. */
export function encodeReply(r: OsdpReply): Payload {
  switch (r.reply) {
    case 'ack':
      return { code: ReplyCode.ACK, data: Buffer.alloc(0) };
    case 'nak':
      return { code: ReplyCode.NAK, data: Buffer.concat([Buffer.from([u8(r.code, 'code')]), r.data ? bytes(r.data, 'data') : Buffer.alloc(0)]) };
    case 'pdid': {
      const d = Buffer.alloc(12);
      Buffer.from(vendor(r.vendorCode)).copy(d, 0);
      d[3] = u8(r.model, 'model');
      d[4] = u8(r.version, 'version');
      d.writeUInt32LE(u32(r.serialNumber, 'serialNumber'), 5);
      d[9] = u8(r.firmware.major, 'firmware.major');
      d[10] = u8(r.firmware.minor, 'firmware.minor');
      d[11] = u8(r.firmware.build, 'firmware.build');
      return { code: ReplyCode.PDID, data: d };
    }
    case 'pdcap':
      return {
        code: ReplyCode.PDCAP,
        data: Buffer.from(r.capabilities.flatMap((c, i) => [u8(c.function, `capabilities[${i}].function`), u8(c.compliance, `capabilities[${i}].compliance`), u8(c.numItems, `capabilities[${i}].numItems`)])),
      };
    case 'lstatr':
      return { code: ReplyCode.LSTATR, data: Buffer.from([r.tamper ? 1 : 0, r.power ? 1 : 0]) };
    case 'istatr':
      return { code: ReplyCode.ISTATR, data: bitList(r.inputs, 'inputs') };
    case 'ostatr':
      return { code: ReplyCode.OSTATR, data: bitList(r.outputs, 'outputs') };
    case 'rstatr':
      return { code: ReplyCode.RSTATR, data: bitList(r.readers, 'readers') };
    case 'raw': {
      const data = bytes(r.data, 'data');
      u16(r.bitCount, 'bitCount');
      if (data.length !== Math.ceil(r.bitCount / 8)) throw new RangeError(`raw card data must be ${Math.ceil(r.bitCount / 8)} bytes for ${r.bitCount} bits`);
      return { code: ReplyCode.RAW, data: Buffer.concat([Buffer.from([u8(r.reader, 'reader'), u8(r.format, 'format'), r.bitCount & 0xff, r.bitCount >> 8]), data]) };
    }
    case 'fmt': {
      const text = Buffer.from(String(r.data), 'latin1');
      if (text.length > 0xff) throw new RangeError('formatted card data longer than 255 characters');
      return { code: ReplyCode.FMT, data: Buffer.concat([Buffer.from([u8(r.reader, 'reader'), u8(r.direction, 'direction'), text.length]), text]) };
    }
    case 'keypad': {
      const keys = bytes(r.keys, 'keys');
      if (keys.length > 0xff) throw new RangeError('too many keys');
      return { code: ReplyCode.KEYPAD, data: Buffer.concat([Buffer.from([u8(r.reader, 'reader'), keys.length]), keys]) };
    }
    case 'com': {
      const d = Buffer.alloc(5);
      d[0] = u8(r.address, 'address');
      d.writeUInt32LE(u32(r.baudRate, 'baudRate'), 1);
      return { code: ReplyCode.COM, data: d };
    }
    case 'ccrypt':
      return { code: ReplyCode.CCRYPT, data: Buffer.concat([bytes(r.clientUid, 'clientUid', 8), bytes(r.random, 'random', 8), bytes(r.cryptogram, 'cryptogram', 16)]) };
    case 'rmac-i':
      return { code: ReplyCode.RMAC_I, data: bytes(r.rmac, 'rmac', 16) };
    case 'busy':
      return { code: ReplyCode.BUSY, data: Buffer.alloc(0) };
    case 'ftstat': {
      const d = Buffer.alloc(7);
      d[0] = u8(r.control, 'control');
      d.writeUInt16LE(u16(r.delay, 'delay'), 1);
      if (!Number.isInteger(r.status) || r.status < -32768 || r.status > 32767) throw new RangeError('status must be a 16-bit signed integer');
      d.writeInt16LE(r.status, 3);
      d.writeUInt16LE(u16(r.rxSize, 'rxSize'), 5);
      return { code: ReplyCode.FTSTAT, data: d };
    }
    case 'mfgrep':
      return { code: ReplyCode.MFGREP, data: Buffer.concat([Buffer.from(vendor(r.vendorCode)), bytes(r.data, 'data')]) };
    default:
      throw new RangeError(`unknown OSDP reply ${String((r as { reply?: unknown }).reply)}`);
  }
}

/** A typed reply from CODE and DATA. Throws PayloadError. */
export function decodeReply(code: number, data: Buffer): OsdpReply {
  switch (code) {
    case ReplyCode.ACK:
      expectLength(code, data, 0, 'ACK');
      return { reply: 'ack' };
    case ReplyCode.NAK: {
      expectAtLeast(code, data, 1, 'NAK');
      const r: OsdpReply = { reply: 'nak', code: data[0] };
      if (data.length > 1) r.data = Buffer.from(data.subarray(1));
      return r;
    }
    case ReplyCode.PDID:
      expectLength(code, data, 12, 'PDID');
      return {
        reply: 'pdid',
        vendorCode: data[0] | (data[1] << 8) | (data[2] << 16),
        model: data[3],
        version: data[4],
        serialNumber: data.readUInt32LE(5),
        firmware: { major: data[9], minor: data[10], build: data[11] },
      };
    case ReplyCode.PDCAP: {
      if (data.length % 3 !== 0) throw new PayloadError(`PDCAP: ${data.length} bytes is not a whole number of 3-byte entries`, code);
      const capabilities: Capability[] = [];
      for (let o = 0; o < data.length; o += 3) capabilities.push({ function: data[o], compliance: data[o + 1], numItems: data[o + 2] });
      return { reply: 'pdcap', capabilities };
    }
    case ReplyCode.LSTATR:
      expectLength(code, data, 2, 'LSTATR');
      return { reply: 'lstatr', tamper: data[0] !== 0, power: data[1] !== 0 };
    case ReplyCode.ISTATR:
      return { reply: 'istatr', inputs: [...data] };
    case ReplyCode.OSTATR:
      return { reply: 'ostatr', outputs: [...data] };
    case ReplyCode.RSTATR:
      return { reply: 'rstatr', readers: [...data] };
    case ReplyCode.RAW: {
      expectAtLeast(code, data, 4, 'RAW');
      const bitCount = data.readUInt16LE(2);
      if (data.length - 4 !== Math.ceil(bitCount / 8)) throw new PayloadError(`RAW: ${bitCount} bits need ${Math.ceil(bitCount / 8)} bytes, got ${data.length - 4}`, code);
      return { reply: 'raw', reader: data[0], format: data[1], bitCount, data: Buffer.from(data.subarray(4)) };
    }
    case ReplyCode.FMT:
      expectAtLeast(code, data, 3, 'FMT');
      if (data.length - 3 !== data[2]) throw new PayloadError(`FMT: length byte ${data[2]} does not match ${data.length - 3} characters`, code);
      return { reply: 'fmt', reader: data[0], direction: data[1], data: data.subarray(3).toString('latin1') };
    case ReplyCode.KEYPAD:
      expectAtLeast(code, data, 2, 'KEYPAD');
      if (data.length - 2 !== data[1]) throw new PayloadError(`KEYPAD: count ${data[1]} does not match ${data.length - 2} keys`, code);
      return { reply: 'keypad', reader: data[0], keys: Buffer.from(data.subarray(2)) };
    case ReplyCode.COM:
      expectLength(code, data, 5, 'COM');
      return { reply: 'com', address: data[0], baudRate: data.readUInt32LE(1) };
    case ReplyCode.CCRYPT:
      expectLength(code, data, 32, 'CCRYPT');
      return { reply: 'ccrypt', clientUid: Buffer.from(data.subarray(0, 8)), random: Buffer.from(data.subarray(8, 16)), cryptogram: Buffer.from(data.subarray(16, 32)) };
    case ReplyCode.RMAC_I:
      expectLength(code, data, 16, 'RMAC_I');
      return { reply: 'rmac-i', rmac: Buffer.from(data) };
    case ReplyCode.BUSY:
      expectLength(code, data, 0, 'BUSY');
      return { reply: 'busy' };
    case ReplyCode.FTSTAT:
      expectLength(code, data, 7, 'FTSTAT');
      return { reply: 'ftstat', control: data[0], delay: data.readUInt16LE(1), status: data.readInt16LE(3), rxSize: data.readUInt16LE(5) };
    case ReplyCode.MFGREP:
      expectAtLeast(code, data, 3, 'MFGREP');
      return { reply: 'mfgrep', vendorCode: data[0] | (data[1] << 8) | (data[2] << 16), data: Buffer.from(data.subarray(3)) };
    default:
      throw new PayloadError(`unknown reply code 0x${code.toString(16)}`, code, 0);
  }
}
