/**
 * Field primitives of the 64-byte UHPPOTE frame: little-endian integers, IPv4, MAC, BCD dates and
 * times, the 3-byte PIN and the 0x55AAAA55 magic word. Decoders never throw on odd content (a bad
 * BCD date reads as null); encoders throw InvalidArgumentError on values that cannot be encoded.
 */
import { InvalidArgumentError } from '../../common/errors';
import type { DateInput, DateTimeInput } from '../types';

export const MAGIC_WORD = 0x55aaaa55;

export type FieldType =
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'bool'
  | 'ipv4'
  | 'mac'
  | 'version'
  | 'date'
  | 'shortDate'
  | 'datetime'
  | 'time'
  | 'HHmm'
  | 'pin'
  | 'pin32'
  | 'magic';

/** Bytes each field type occupies. */
export const FIELD_SIZE: Record<FieldType, number> = {
  uint8: 1,
  uint16: 2,
  uint32: 4,
  bool: 1,
  ipv4: 4,
  mac: 6,
  version: 2,
  date: 4,
  shortDate: 3,
  datetime: 7,
  time: 3,
  HHmm: 2,
  pin: 3,
  pin32: 4,
  magic: 4,
};

function bcd(buf: Uint8Array, offset: number, length: number): string | null {
  let out = '';
  for (let i = 0; i < length; i++) {
    const b = buf[offset + i];
    const hi = b >> 4;
    const lo = b & 0x0f;
    if (hi > 9 || lo > 9) return null;
    out += String(hi) + String(lo);
  }
  return out;
}

function writeBcd(buf: Uint8Array, offset: number, digits: string): void {
  for (let i = 0; i < digits.length / 2; i++) {
    const hi = digits.charCodeAt(2 * i) - 48;
    const lo = digits.charCodeAt(2 * i + 1) - 48;
    buf[offset + i] = (hi << 4) | lo;
  }
}

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

function validTime(h: number, m: number, s: number): boolean {
  return h <= 23 && m <= 59 && s <= 59;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Reads a BCD yyyymmdd date: `YYYY-MM-DD`, or null when zero or invalid. */
function readDate(buf: Uint8Array, offset: number): string | null {
  const s = bcd(buf, offset, 4);
  if (s === null || s === '00000000') return null;
  const y = Number(s.slice(0, 4));
  const m = Number(s.slice(4, 6));
  const d = Number(s.slice(6, 8));
  return validDate(y, m, d) ? `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}` : null;
}

function readShortDate(buf: Uint8Array, offset: number): string | null {
  const s = bcd(buf, offset, 3);
  if (s === null || s === '000000') return null;
  const y = 2000 + Number(s.slice(0, 2));
  const m = Number(s.slice(2, 4));
  const d = Number(s.slice(4, 6));
  return validDate(y, m, d) ? `20${s.slice(0, 2)}-${s.slice(2, 4)}-${s.slice(4, 6)}` : null;
}

function readDateTime(buf: Uint8Array, offset: number): string | null {
  const s = bcd(buf, offset, 7);
  if (s === null || s === '00000000000000') return null;
  const [y, mo, d, h, mi, se] = [s.slice(0, 4), s.slice(4, 6), s.slice(6, 8), s.slice(8, 10), s.slice(10, 12), s.slice(12, 14)];
  if (!validDate(+y, +mo, +d) || !validTime(+h, +mi, +se)) return null;
  return `${y}-${mo}-${d} ${h}:${mi}:${se}`;
}

function readTime(buf: Uint8Array, offset: number): string | null {
  const s = bcd(buf, offset, 3);
  if (s === null) return null;
  const [h, m, se] = [s.slice(0, 2), s.slice(2, 4), s.slice(4, 6)];
  return validTime(+h, +m, +se) ? `${h}:${m}:${se}` : null;
}

function readHHmm(buf: Uint8Array, offset: number): string | null {
  const s = bcd(buf, offset, 2);
  if (s === null) return null;
  const [h, m] = [s.slice(0, 2), s.slice(2, 4)];
  return validTime(+h, +m, 0) ? `${h}:${m}` : null;
}

/** Parses a date input into [y, m, d]; throws InvalidArgumentError. */
export function parseDate(value: DateInput | null | undefined, what: string): [number, number, number] {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new InvalidArgumentError(`${what}: invalid Date`);
    return [value.getFullYear(), value.getMonth() + 1, value.getDate()];
  }
  const m = typeof value === 'string' ? /^\s*(\d{4})-?(\d{2})-?(\d{2})\s*$/.exec(value) : null;
  if (!m || !validDate(+m[1], +m[2], +m[3])) throw new InvalidArgumentError(`${what}: expected a date YYYY-MM-DD, got ${JSON.stringify(value)}`);
  return [+m[1], +m[2], +m[3]];
}

/** Parses a date/time input into [y, m, d, h, mi, s]; throws InvalidArgumentError. */
export function parseDateTime(value: DateTimeInput | null | undefined, what: string): [number, number, number, number, number, number] {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new InvalidArgumentError(`${what}: invalid Date`);
    return [value.getFullYear(), value.getMonth() + 1, value.getDate(), value.getHours(), value.getMinutes(), value.getSeconds()];
  }
  const m = typeof value === 'string' ? /^\s*(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*$/.exec(value) : null;
  if (!m || !validDate(+m[1], +m[2], +m[3]) || !validTime(+m[4], +m[5], +(m[6] ?? 0))) {
    throw new InvalidArgumentError(`${what}: expected a date/time YYYY-MM-DD HH:mm:ss, got ${JSON.stringify(value)}`);
  }
  return [+m[1], +m[2], +m[3], +m[4], +m[5], +(m[6] ?? 0)];
}

/** Parses `H:mm`, `HH:mm`, `HHmm` or `HH:mm:ss` into [h, m]; throws InvalidArgumentError. */
export function parseHHmm(value: string | null | undefined, what: string): [number, number] {
  if (value === null || value === undefined || value === '') return [0, 0];
  const m = typeof value === 'string' ? /^\s*(\d{1,2}):?(\d{2})(?::\d{2})?\s*$/.exec(value) : null;
  if (!m || !validTime(+m[1], +m[2], 0)) throw new InvalidArgumentError(`${what}: expected a time HH:mm, got ${JSON.stringify(value)}`);
  return [+m[1], +m[2]];
}

function parseIPv4(value: unknown, what: string): number[] {
  const parts = typeof value === 'string' ? value.trim().split('.') : [];
  const bytes = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
  if (bytes.length !== 4 || bytes.some((b) => !(b >= 0 && b <= 255))) {
    throw new InvalidArgumentError(`${what}: expected an IPv4 address, got ${JSON.stringify(value)}`);
  }
  return bytes;
}

function toInt(value: unknown, what: string, max: number): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : typeof value === 'boolean' ? Number(value) : (value as number);
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > max) {
    throw new InvalidArgumentError(`${what}: expected an integer 0..${max}, got ${JSON.stringify(value)}`);
  }
  return n;
}

function toBool(value: unknown, what: string): boolean {
  if (value === true || value === 1 || value === 'true' || value === '1') return true;
  if (value === false || value === 0 || value === 'false' || value === '0' || value === undefined || value === null) return false;
  throw new InvalidArgumentError(`${what}: expected true or false, got ${JSON.stringify(value)}`);
}

const u16 = (b: Uint8Array, o: number): number => b[o] | (b[o + 1] << 8);
const u32 = (b: Uint8Array, o: number): number => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
function setU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
  b[o + 2] = (v >>> 16) & 0xff;
  b[o + 3] = (v >>> 24) & 0xff;
}

/** Reads one field. */
export function readField(buf: Uint8Array, offset: number, type: FieldType): unknown {
  switch (type) {
    case 'uint8':
      return buf[offset];
    case 'uint16':
      return u16(buf, offset);
    case 'uint32':
      return u32(buf, offset);
    case 'bool':
      return buf[offset] === 1;
    case 'ipv4':
      return `${buf[offset]}.${buf[offset + 1]}.${buf[offset + 2]}.${buf[offset + 3]}`;
    case 'mac':
      return Array.from(buf.subarray(offset, offset + 6), (b) => b.toString(16).padStart(2, '0')).join(':');
    case 'version':
      return `v${buf[offset].toString(16)}.${buf[offset + 1].toString(16).padStart(2, '0')}`;
    case 'date':
      return readDate(buf, offset);
    case 'shortDate':
      return readShortDate(buf, offset);
    case 'datetime':
      return readDateTime(buf, offset);
    case 'time':
      return readTime(buf, offset);
    case 'HHmm':
      return readHHmm(buf, offset);
    case 'pin':
      return buf[offset] | (buf[offset + 1] << 8) | (buf[offset + 2] << 16);
    case 'pin32':
      return u32(buf, offset);
    case 'magic':
      return u32(buf, offset) === MAGIC_WORD;
  }
}

/** Writes one field; `value` undefined writes the zero value (dates excepted: they are required). */
export function writeField(buf: Uint8Array, offset: number, type: FieldType, value: unknown, what: string): void {
  switch (type) {
    case 'uint8':
      buf[offset] = toInt(value ?? 0, what, 0xff);
      return;
    case 'uint16': {
      const v = toInt(value ?? 0, what, 0xffff);
      buf[offset] = v & 0xff;
      buf[offset + 1] = v >>> 8;
      return;
    }
    case 'uint32':
      setU32(buf, offset, toInt(value ?? 0, what, 0xffffffff));
      return;
    case 'bool':
      buf[offset] = toBool(value, what) ? 1 : 0;
      return;
    case 'ipv4':
      buf.set(parseIPv4(value ?? '0.0.0.0', what), offset);
      return;
    case 'mac': {
      if (value === null) return;
      const parts = typeof value === 'string' ? value.split(/[:-]/) : [];
      if (parts.length !== 6 || parts.some((p) => !/^[0-9a-f]{1,2}$/i.test(p))) {
        throw new InvalidArgumentError(`${what}: expected a MAC address, got ${JSON.stringify(value)}`);
      }
      buf.set(parts.map((p) => parseInt(p, 16)), offset);
      return;
    }
    case 'version': {
      if (value === null) return;
      const m = typeof value === 'string' ? /^v?([0-9]{1,2})\.([0-9]{2})$/.exec(value) : null;
      if (!m) throw new InvalidArgumentError(`${what}: expected a version vN.NN, got ${JSON.stringify(value)}`);
      buf[offset] = parseInt(m[1], 16);
      buf[offset + 1] = parseInt(m[2], 16);
      return;
    }
    case 'date': {
      if (value === null) return; // an unset date is all zeros
      const [y, m, d] = parseDate(value as DateInput, what);
      writeBcd(buf, offset, `${String(y).padStart(4, '0')}${pad2(m)}${pad2(d)}`);
      return;
    }
    case 'shortDate': {
      if (value === null) return;
      const [y, m, d] = parseDate(value as DateInput, what);
      writeBcd(buf, offset, `${pad2(y % 100)}${pad2(m)}${pad2(d)}`);
      return;
    }
    case 'datetime': {
      if (value === null) return;
      const [y, mo, d, h, mi, s] = parseDateTime(value as DateTimeInput, what);
      writeBcd(buf, offset, `${String(y).padStart(4, '0')}${pad2(mo)}${pad2(d)}${pad2(h)}${pad2(mi)}${pad2(s)}`);
      return;
    }
    case 'time': {
      if (value === null) return;
      const m = typeof value === 'string' ? /^\s*(\d{1,2}):(\d{2}):(\d{2})\s*$/.exec(value) : null;
      if (!m || !validTime(+m[1], +m[2], +m[3])) throw new InvalidArgumentError(`${what}: expected a time HH:mm:ss, got ${JSON.stringify(value)}`);
      writeBcd(buf, offset, `${pad2(+m[1])}${m[2]}${m[3]}`);
      return;
    }
    case 'HHmm': {
      const [h, m] = parseHHmm(value as string | null | undefined, what);
      writeBcd(buf, offset, `${pad2(h)}${pad2(m)}`);
      return;
    }
    case 'pin': {
      const pin = toInt(value ?? 0, what, 999999);
      buf[offset] = pin & 0xff;
      buf[offset + 1] = (pin >> 8) & 0xff;
      buf[offset + 2] = (pin >> 16) & 0xff;
      return;
    }
    case 'pin32':
      setU32(buf, offset, toInt(value ?? 0, what, 999999));
      return;
    case 'magic':
      setU32(buf, offset, value === false ? 0 : MAGIC_WORD);
      return;
  }
}
