/**
 * Payload codecs of every OSDP command (SIA OSDP v2.2 layouts, checked against libosdp).
 * `encodeCommand` gives CODE and DATA for a typed command; `decodeCommand` turns CODE and DATA
 * back into typed commands (several for a multi-record OUT or LED). Encoders throw RangeError on
 * out-of-range fields; decoders throw PayloadError (with the NAK code a PD should answer).
 */
import { CommandCode, NakCode, type OsdpCommand, type StatusType, type LedParams, type LedTemporaryParams } from '../types';
import { PayloadError, bytes, expectAtLeast, expectLength, u16, u24, u32, u8 } from './payload-error';

export interface Payload {
  code: number;
  data: Buffer;
}

const STATUS_CODE: Record<StatusType, number> = {
  local: CommandCode.LSTAT,
  input: CommandCode.ISTAT,
  output: CommandCode.OSTAT,
  reader: CommandCode.RSTAT,
};

export const COMMAND_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(CommandCode).map(([k, v]) => [v, k]),
);

export const LED_RECORD_LENGTH = 14;
export const OUTPUT_RECORD_LENGTH = 4;
/** Longest TEXT the codec carries (its length byte); parseCommand keeps flows to libosdp's 32. */
export const TEXT_MAX_LENGTH = 255;

function ledParams(p: LedParams, what: string): number[] {
  return [u8(p.controlCode, `${what}.controlCode`), u8(p.onCount, `${what}.onCount`), u8(p.offCount, `${what}.offCount`), u8(p.onColor, `${what}.onColor`), u8(p.offColor, `${what}.offColor`)];
}

/** CODE and DATA of a command. */
export function encodeCommand(cmd: OsdpCommand): Payload {
  switch (cmd.command) {
    case 'poll':
      return { code: CommandCode.POLL, data: Buffer.alloc(0) };
    case 'id':
      return { code: CommandCode.ID, data: Buffer.from([u8(cmd.request ?? 0, 'request')]) };
    case 'cap':
      return { code: CommandCode.CAP, data: Buffer.from([u8(cmd.request ?? 0, 'request')]) };
    case 'status': {
      const code = STATUS_CODE[cmd.type];
      if (code === undefined) throw new RangeError(`status type must be local, input, output or reader, got ${String(cmd.type)}`);
      return { code, data: Buffer.alloc(0) };
    }
    case 'output': {
      const t = u16(cmd.timer, 'timer');
      return { code: CommandCode.OUT, data: Buffer.from([u8(cmd.output, 'output'), u8(cmd.controlCode, 'controlCode'), t & 0xff, t >> 8]) };
    }
    case 'led': {
      const t = u16(cmd.temporary.timer, 'temporary.timer');
      return {
        code: CommandCode.LED,
        data: Buffer.from([
          u8(cmd.reader, 'reader'),
          u8(cmd.led, 'led'),
          ...ledParams(cmd.temporary, 'temporary'),
          t & 0xff,
          t >> 8,
          ...ledParams(cmd.permanent, 'permanent'),
        ]),
      };
    }
    case 'buzzer':
      return {
        code: CommandCode.BUZ,
        data: Buffer.from([u8(cmd.reader, 'reader'), u8(cmd.controlCode, 'controlCode'), u8(cmd.onCount, 'onCount'), u8(cmd.offCount, 'offCount'), u8(cmd.repeat, 'repeat')]),
      };
    case 'text': {
      if (typeof cmd.text !== 'string') throw new RangeError('text must be a string');
      const text = Buffer.from(cmd.text, 'latin1');
      if (text.length > TEXT_MAX_LENGTH) throw new RangeError(`text longer than ${TEXT_MAX_LENGTH} characters`);
      return {
        code: CommandCode.TEXT,
        data: Buffer.concat([
          Buffer.from([u8(cmd.reader, 'reader'), u8(cmd.controlCode, 'controlCode'), u8(cmd.tempTime, 'tempTime'), u8(cmd.row, 'row'), u8(cmd.column, 'column'), text.length]),
          text,
        ]),
      };
    }
    case 'comset': {
      if (!Number.isInteger(cmd.address) || cmd.address < 0 || cmd.address > 0x7e) throw new RangeError('comset address must be 0..126');
      const d = Buffer.alloc(5);
      d[0] = cmd.address;
      d.writeUInt32LE(u32(cmd.baudRate, 'baudRate'), 1);
      return { code: CommandCode.COMSET, data: d };
    }
    case 'keyset': {
      const key = bytes(cmd.key, 'key');
      if (key.length > 0xff) throw new RangeError('key too long');
      return { code: CommandCode.KEYSET, data: Buffer.concat([Buffer.from([u8(cmd.keyType, 'keyType'), key.length]), key]) };
    }
    case 'chlng':
      return { code: CommandCode.CHLNG, data: bytes(cmd.random, 'random', 8) };
    case 'scrypt':
      return { code: CommandCode.SCRYPT, data: bytes(cmd.cryptogram, 'cryptogram', 16) };
    case 'acurxsize': {
      const d = Buffer.alloc(2);
      d.writeUInt16LE(u16(cmd.size, 'size'));
      return { code: CommandCode.ACURXSIZE, data: d };
    }
    case 'filetransfer': {
      const frag = bytes(cmd.data, 'data');
      const d = Buffer.alloc(11 + frag.length);
      d[0] = u8(cmd.fileId, 'fileId');
      d.writeUInt32LE(u32(cmd.totalSize, 'totalSize'), 1);
      d.writeUInt32LE(u32(cmd.offset, 'offset'), 5);
      d.writeUInt16LE(u16(frag.length, 'fragment length'), 9);
      frag.copy(d, 11);
      return { code: CommandCode.FILETRANSFER, data: d };
    }
    case 'mfg': {
      const v = u24(cmd.vendorCode, 'vendorCode');
      return { code: CommandCode.MFG, data: Buffer.concat([Buffer.from([v & 0xff, (v >> 8) & 0xff, v >> 16]), bytes(cmd.data, 'data')]) };
    }
    case 'abort':
      return { code: CommandCode.ABORT, data: Buffer.alloc(0) };
    case 'keepactive': {
      const d = Buffer.alloc(2);
      d.writeUInt16LE(u16(cmd.time, 'time'));
      return { code: CommandCode.KEEPACTIVE, data: d };
    }
    default:
      throw new RangeError(`unknown OSDP command ${String((cmd as { command?: unknown }).command)}`);
  }
}

function readLedParams(d: Buffer, o: number): LedParams {
  return { controlCode: d[o], onCount: d[o + 1], offCount: d[o + 2], onColor: d[o + 3], offColor: d[o + 4] };
}

/** Typed command(s) from CODE and DATA. Throws PayloadError (nak 2 for lengths, 3 for unknown codes). */
export function decodeCommand(code: number, data: Buffer): OsdpCommand[] {
  switch (code) {
    case CommandCode.POLL:
      expectLength(code, data, 0, 'POLL');
      return [{ command: 'poll' }];
    case CommandCode.ID:
      expectLength(code, data, 1, 'ID');
      return [{ command: 'id', request: data[0] }];
    case CommandCode.CAP:
      expectLength(code, data, 1, 'CAP');
      return [{ command: 'cap', request: data[0] }];
    case CommandCode.LSTAT:
    case CommandCode.ISTAT:
    case CommandCode.OSTAT:
    case CommandCode.RSTAT: {
      expectLength(code, data, 0, 'status request');
      const type = (Object.keys(STATUS_CODE) as StatusType[]).find((k) => STATUS_CODE[k] === code)!;
      return [{ command: 'status', type }];
    }
    case CommandCode.OUT: {
      if (data.length === 0 || data.length % OUTPUT_RECORD_LENGTH !== 0) throw new PayloadError(`OUT: ${data.length} bytes is not a whole number of 4-byte records`, code);
      const out: OsdpCommand[] = [];
      for (let o = 0; o < data.length; o += OUTPUT_RECORD_LENGTH) {
        out.push({ command: 'output', output: data[o], controlCode: data[o + 1], timer: data.readUInt16LE(o + 2) });
      }
      return out;
    }
    case CommandCode.LED: {
      if (data.length === 0 || data.length % LED_RECORD_LENGTH !== 0) throw new PayloadError(`LED: ${data.length} bytes is not a whole number of 14-byte records`, code);
      const out: OsdpCommand[] = [];
      for (let o = 0; o < data.length; o += LED_RECORD_LENGTH) {
        const temporary: LedTemporaryParams = { ...readLedParams(data, o + 2), timer: data.readUInt16LE(o + 7) };
        out.push({ command: 'led', reader: data[o], led: data[o + 1], temporary, permanent: readLedParams(data, o + 9) });
      }
      return out;
    }
    case CommandCode.BUZ:
      expectLength(code, data, 5, 'BUZ');
      return [{ command: 'buzzer', reader: data[0], controlCode: data[1], onCount: data[2], offCount: data[3], repeat: data[4] }];
    case CommandCode.TEXT: {
      expectAtLeast(code, data, 6, 'TEXT');
      if (data.length !== 6 + data[5]) throw new PayloadError(`TEXT: length byte ${data[5]} does not match ${data.length - 6} characters`, code);
      return [{ command: 'text', reader: data[0], controlCode: data[1], tempTime: data[2], row: data[3], column: data[4], text: data.subarray(6).toString('latin1') }];
    }
    case CommandCode.COMSET:
      expectLength(code, data, 5, 'COMSET');
      if (data[0] > 0x7e) throw new PayloadError(`COMSET: address ${data[0]} is not 0..126`, code, NakCode.RECORD);
      return [{ command: 'comset', address: data[0], baudRate: data.readUInt32LE(1) }];
    case CommandCode.KEYSET:
      expectAtLeast(code, data, 2, 'KEYSET');
      if (data.length !== 2 + data[1]) throw new PayloadError(`KEYSET: key length ${data[1]} does not match ${data.length - 2} bytes`, code);
      return [{ command: 'keyset', keyType: data[0], key: Buffer.from(data.subarray(2)) }];
    case CommandCode.CHLNG:
      expectLength(code, data, 8, 'CHLNG');
      return [{ command: 'chlng', random: Buffer.from(data) }];
    case CommandCode.SCRYPT:
      expectLength(code, data, 16, 'SCRYPT');
      return [{ command: 'scrypt', cryptogram: Buffer.from(data) }];
    case CommandCode.ACURXSIZE:
      expectLength(code, data, 2, 'ACURXSIZE');
      return [{ command: 'acurxsize', size: data.readUInt16LE(0) }];
    case CommandCode.FILETRANSFER: {
      expectAtLeast(code, data, 11, 'FILETRANSFER');
      const n = data.readUInt16LE(9);
      if (data.length !== 11 + n) throw new PayloadError(`FILETRANSFER: fragment length ${n} does not match ${data.length - 11} bytes`, code);
      return [{ command: 'filetransfer', fileId: data[0], totalSize: data.readUInt32LE(1), offset: data.readUInt32LE(5), data: Buffer.from(data.subarray(11)) }];
    }
    case CommandCode.MFG:
      expectAtLeast(code, data, 3, 'MFG');
      return [{ command: 'mfg', vendorCode: data[0] | (data[1] << 8) | (data[2] << 16), data: Buffer.from(data.subarray(3)) }];
    case CommandCode.ABORT:
      expectLength(code, data, 0, 'ABORT');
      return [{ command: 'abort' }];
    case CommandCode.KEEPACTIVE:
      expectLength(code, data, 2, 'KEEPACTIVE');
      return [{ command: 'keepactive', time: data.readUInt16LE(0) }];
    default:
      throw new PayloadError(`unknown command code 0x${code.toString(16)}`, code, NakCode.UNKNOWN_COMMAND);
  }
}

/** The wire code a command goes out with. */
export function commandCode(cmd: OsdpCommand): number {
  return encodeCommand(cmd).code;
}
