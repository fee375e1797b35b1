/**
 * Plain-data helpers for flows: turn a JSON object (a node's msg.payload) into a typed command
 * with friendly fields (colour names, milliseconds), and turn events and replies into JSON-safe
 * payloads (card numbers decoded). Node adapters use these so they never touch bytes.
 */
import { InvalidArgumentError } from '../common/errors';
import { fromHex, toHex } from '../common/hexdump';
import type { CpEventRecord } from './cp';
import { LedColor, type AppCommand, type LedColorName, type LedParams, type LedTemporaryParams, type OsdpEvent, type OsdpReply, type StatusType } from './types';
import { decodeWiegand } from './wiegand';

type Obj = Record<string, unknown>;

function fail(message: string): never {
  throw new InvalidArgumentError(message, { operation: 'parse-command' });
}

function int(o: Obj, key: string, def: number | undefined, min: number, max: number): number {
  const raw = o[key];
  if (raw === undefined || raw === null || raw === '') {
    if (def === undefined) fail(`${key} is required`);
    return def;
  }
  const n = typeof raw === 'string' ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) fail(`${key} must be an integer ${min}..${max}, got ${JSON.stringify(raw)}`);
  return n;
}

/** Milliseconds -> units of 100 ms (rounded, at least 1 when ms > 0). */
function tenths(ms: number): number {
  return ms <= 0 ? 0 : Math.max(1, Math.round(ms / 100));
}

/** Colour name or number -> OSDP colour code. */
export function ledColor(value: unknown, key = 'color'): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 255) return value;
  if (typeof value === 'string') {
    const c = LedColor[value.trim().toUpperCase() as keyof typeof LedColor];
    if (c !== undefined) return c;
    if (/^\d+$/.test(value.trim())) return Number(value);
  }
  fail(`${key} must be one of ${Object.keys(LedColor).map((k) => k.toLowerCase()).join(', ')}, got ${JSON.stringify(value)}`);
}

export const LED_COLOR_NAMES: LedColorName[] = ['black', 'red', 'green', 'amber', 'blue', 'magenta', 'cyan', 'white'];

function bytesOf(value: unknown, key: string): Buffer {
  if (value === undefined || value === null) return Buffer.alloc(0);
  if (Buffer.isBuffer(value)) return Buffer.from(value);
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (Array.isArray(value) && value.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)) return Buffer.from(value as number[]);
  if (typeof value === 'object' && (value as Obj).type === 'Buffer' && Array.isArray((value as Obj).data)) return Buffer.from((value as { data: number[] }).data);
  if (typeof value === 'string') {
    try {
      return fromHex(value);
    } catch {
      fail(`${key} must be hex, a Buffer or an array of bytes`);
    }
  }
  fail(`${key} must be hex, a Buffer or an array of bytes`);
}

function ledHalf(o: Obj, temporary: boolean): LedParams | LedTemporaryParams {
  const onColor = ledColor(o.onColor ?? o.color ?? 'black', 'onColor');
  const offColor = ledColor(o.offColor ?? (o.onTime !== undefined || o.offTime !== undefined || o.flash ? 'black' : (o.onColor ?? o.color ?? 'black')), 'offColor');
  const flashing = o.onTime !== undefined || o.offTime !== undefined || o.onCount !== undefined || o.flash === true;
  const onCount = o.onCount !== undefined ? int(o, 'onCount', 0, 0, 255) : flashing ? tenths(int(o, 'onTime', 500, 0, 25500)) : 1;
  const offCount = o.offCount !== undefined ? int(o, 'offCount', 0, 0, 255) : flashing ? tenths(int(o, 'offTime', 500, 0, 25500)) : 0;
  const base: LedParams = { controlCode: int(o, 'controlCode', temporary ? 2 : 1, 0, 255), onCount, offCount, onColor, offColor };
  if (!temporary) return base;
  const timer = o.timer !== undefined ? int(o, 'timer', 0, 0, 0xffff) : tenths(int(o, 'duration', 3000, 0, 6_553_500));
  return { ...base, timer };
}

const NOP_TEMP: LedTemporaryParams = { controlCode: 0, onCount: 0, offCount: 0, onColor: 0, offColor: 0, timer: 0 };
const NOP_PERM: LedParams = { controlCode: 0, onCount: 0, offCount: 0, onColor: 0, offColor: 0 };

/**
 * A typed command from plain data. `command` is one of led, buzzer, output, text, status, mfg,
 * comset, keepactive, abort, acurxsize, keyset, filetransfer. Friendly fields:
 * - led: reader, led, color/onColor/offColor (names or codes), onTime/offTime ms (flash), mode
 *   'permanent' (default) or 'temporary' with duration ms; or explicit `temporary`/`permanent` objects.
 * - buzzer: reader, tone (default 2), onTime/offTime ms (default 500/500) or onCount/offCount, repeat (default 1).
 * - output: output, action 'on' | 'off' | 'pulse' (duration ms, default 1000), or controlCode + timer.
 * - text: reader, text, row, column, temporary (bool), wrap (bool), duration s.
 * - status: type local | input | output | reader. mfg: vendorCode (number or hex), data (hex/Buffer/array).
 * Throws InvalidArgumentError with a message a flow author can act on.
 */
export function parseCommand(input: unknown): AppCommand {
  if (!input || typeof input !== 'object') fail('command must be an object with a "command" field');
  const o = input as Obj;
  const name = typeof o.command === 'string' ? o.command.toLowerCase() : fail('"command" is required (led, buzzer, output, text, status, mfg, comset, ...)');
  switch (name) {
    case 'led': {
      const reader = int(o, 'reader', 0, 0, 255);
      const led = int(o, 'led', 0, 0, 255);
      if (o.temporary !== undefined || o.permanent !== undefined) {
        const temporary = o.temporary && typeof o.temporary === 'object' ? (ledHalf(o.temporary as Obj, true) as LedTemporaryParams) : NOP_TEMP;
        const permanent = o.permanent && typeof o.permanent === 'object' ? ledHalf(o.permanent as Obj, false) : NOP_PERM;
        return { command: 'led', reader, led, temporary, permanent };
      }
      const mode = o.mode ?? 'permanent';
      if (mode === 'temporary') return { command: 'led', reader, led, temporary: ledHalf(o, true) as LedTemporaryParams, permanent: NOP_PERM };
      if (mode !== 'permanent') fail(`mode must be permanent or temporary, got ${JSON.stringify(mode)}`);
      return { command: 'led', reader, led, temporary: { ...NOP_TEMP, controlCode: 1 }, permanent: ledHalf(o, false) };
    }
    case 'buzzer':
    case 'buz': {
      const onCount = o.onCount !== undefined ? int(o, 'onCount', 0, 0, 255) : tenths(int(o, 'onTime', 500, 0, 25500));
      const offCount = o.offCount !== undefined ? int(o, 'offCount', 0, 0, 255) : tenths(int(o, 'offTime', 500, 0, 25500));
      return { command: 'buzzer', reader: int(o, 'reader', 0, 0, 255), controlCode: int(o, 'tone', int(o, 'controlCode', 2, 0, 255), 0, 255), onCount, offCount, repeat: int(o, 'repeat', 1, 0, 255) };
    }
    case 'output':
    case 'out': {
      const output = int(o, 'output', 0, 0, 255);
      if (o.controlCode !== undefined) return { command: 'output', output, controlCode: int(o, 'controlCode', 0, 0, 255), timer: int(o, 'timer', 0, 0, 0xffff) };
      const action = o.action ?? 'pulse';
      if (action === 'on') return { command: 'output', output, controlCode: 2, timer: 0 };
      if (action === 'off') return { command: 'output', output, controlCode: 1, timer: 0 };
      if (action === 'pulse') return { command: 'output', output, controlCode: 5, timer: tenths(int(o, 'duration', 1000, 1, 6_553_500)) };
      fail(`action must be on, off or pulse, got ${JSON.stringify(action)}`);
      break;
    }
    case 'text': {
      const text = o.text === undefined ? '' : String(o.text);
      if (text.length > 32) fail('text is longer than 32 characters');
      if (!/^[\x20-\x7e]*$/.test(text)) fail('text must be printable ASCII');
      const temporary = o.temporary === true;
      const wrap = o.wrap === true;
      const controlCode = o.controlCode !== undefined ? int(o, 'controlCode', 1, 1, 4) : (temporary ? 3 : 1) + (wrap ? 1 : 0);
      return { command: 'text', reader: int(o, 'reader', 0, 0, 255), controlCode, tempTime: int(o, 'duration', int(o, 'tempTime', temporary ? 5 : 0, 0, 255), 0, 255), row: int(o, 'row', 1, 0, 255), column: int(o, 'column', 1, 0, 255), text };
    }
    case 'status': {
      const type = (o.type ?? 'local') as StatusType;
      if (!['local', 'input', 'output', 'reader'].includes(type)) fail(`type must be local, input, output or reader, got ${JSON.stringify(o.type)}`);
      return { command: 'status', type };
    }
    case 'mfg': {
      const vc = typeof o.vendorCode === 'string' ? parseInt(o.vendorCode.replace(/^0x/i, ''), 16) : o.vendorCode;
      if (typeof vc !== 'number' || !Number.isInteger(vc) || vc < 0 || vc > 0xffffff) fail('vendorCode must be a 24-bit number or hex string');
      return { command: 'mfg', vendorCode: vc, data: bytesOf(o.data, 'data') };
    }
    case 'comset':
      return { command: 'comset', address: int(o, 'address', undefined, 0, 126), baudRate: int(o, 'baudRate', 9600, 1200, 1_000_000) };
    case 'keepactive':
      return { command: 'keepactive', time: int(o, 'time', 5000, 0, 0xffff) };
    case 'abort':
      return { command: 'abort' };
    case 'acurxsize':
      return { command: 'acurxsize', size: int(o, 'size', undefined, 0, 0xffff) };
    case 'keyset':
      return { command: 'keyset', keyType: int(o, 'keyType', 1, 0, 255), key: bytesOf(o.key, 'key') };
    case 'filetransfer':
      return { command: 'filetransfer', fileId: int(o, 'fileId', 1, 0, 255), totalSize: int(o, 'totalSize', undefined, 0, 0xffffffff), offset: int(o, 'offset', 0, 0, 0xffffffff), data: bytesOf(o.data, 'data') };
    default:
      fail(`unknown command ${JSON.stringify(o.command)}`);
  }
}

/** JSON-safe form of an event: card data decoded (Wiegand 26/34/37), keys as a string, bytes as hex. */
export function eventToPayload(event: OsdpEvent): Record<string, unknown> {
  switch (event.event) {
    case 'card': {
      if (event.format === 'ascii') return { type: 'card', reader: event.reader, format: 'ascii', direction: event.direction, bitCount: event.bitCount, text: event.data.toString('latin1'), data: toHex(event.data, '') };
      const d = decodeWiegand(event.data, event.bitCount);
      const out: Record<string, unknown> = { type: 'card', reader: event.reader, format: event.format, bitCount: event.bitCount, data: toHex(event.data, ''), bits: d.bits, decoded: d.format };
      if (d.card !== undefined) out.card = d.card;
      if (d.facility !== undefined) out.facility = d.facility;
      if (d.parityOk !== undefined) out.parityOk = d.parityOk;
      return out;
    }
    case 'keypress':
      return { type: 'keypress', reader: event.reader, keys: keysToString(event.keys), data: toHex(event.keys, '') };
    case 'status':
      return { type: 'status', status: event.type, report: [...event.report] };
    case 'mfgrep':
      return { type: 'mfgrep', vendorCode: event.vendorCode, data: toHex(event.data, '') };
    case 'notification': {
      const out: Record<string, unknown> = { type: 'notification', notification: event.type, what: event.what };
      if (event.status) out.status = event.status;
      if (event.detail) out.detail = event.detail;
      return out;
    }
  }
}

/** JSON-safe form of a CP event record (adds pd name, address, ISO time). */
export function eventRecordToPayload(rec: CpEventRecord): Record<string, unknown> {
  return { pd: rec.name, address: rec.address, time: new Date(rec.time).toISOString(), ...eventToPayload(rec.event) };
}

/** Keypad bytes as text: digits, '*' for 0x7F, '#' for 0x0D. */
export function keysToString(keys: Uint8Array): string {
  let s = '';
  for (const k of keys) s += k === 0x7f ? '*' : k === 0x0d ? '#' : String.fromCharCode(k);
  return s;
}

/** JSON-safe form of a reply (Buffers as hex). */
export function replyToPayload(reply: OsdpReply): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(reply)) out[k] = Buffer.isBuffer(v) ? toHex(v, '') : v;
  return out;
}
