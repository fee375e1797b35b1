/**
 * osdp-command's input side: the editor's fields (with msg.payload on top) turned into one typed
 * engine command, and the engine's reply turned into plain JSON for msg.payload. No bytes here:
 * hex strings become Buffers through lib/common, everything else is numbers and names.
 */
import { InvalidArgumentError, fromHex, toHex } from '../../../lib/common';
import { CapabilityFunction, LedColor, type AppCommand, type OsdpReply, type StatusType } from '../../../lib/osdp';
import { toNumber } from '../../common/input';

export const OPERATIONS = [
  'led', 'buzzer', 'output', 'text', 'lstat', 'istat', 'ostat', 'rstat', 'id', 'cap', 'mfg', 'comset', 'keyset', 'file',
] as const;
export type Operation = (typeof OPERATIONS)[number];

/** What the node asks the bus to do for one message. */
export type Request =
  | { kind: 'command'; operation: Operation; command: AppCommand; summary: string }
  | { kind: 'id'; operation: 'id'; summary: string }
  | { kind: 'cap'; operation: 'cap'; summary: string }
  | { kind: 'comset'; operation: 'comset'; address: number | undefined; baud: number | undefined; summary: string }
  | { kind: 'keyset'; operation: 'keyset'; key: Buffer | undefined; summary: string }
  | { kind: 'file'; operation: 'file'; fileId: number; file: Buffer | string; summary: string };

const COLORS: Record<string, number> = {
  off: LedColor.BLACK, black: LedColor.BLACK, red: LedColor.RED, green: LedColor.GREEN, amber: LedColor.AMBER,
  blue: LedColor.BLUE, magenta: LedColor.MAGENTA, cyan: LedColor.CYAN, white: LedColor.WHITE,
};
const COLOR_NAMES = ['off', 'red', 'green', 'amber', 'blue', 'magenta', 'cyan', 'white'];
const BAUD_RATES = [9600, 19200, 38400, 57600, 115200, 230400];
const STATUS_OPS: Record<string, StatusType> = { lstat: 'local', istat: 'input', ostat: 'output', rstat: 'reader' };

function color(value: unknown, name: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 7) return value;
  const c = COLORS[String(value ?? '').trim().toLowerCase()];
  if (c === undefined) throw new InvalidArgumentError(`${name} must be one of ${COLOR_NAMES.join(', ')}, got ${JSON.stringify(value)}`);
  return c;
}

/** Milliseconds to OSDP's 100 ms units, rounded, within [0, max]. */
function tenths(value: unknown, name: string, max: number): number {
  const ms = toNumber(value, name, { min: 0, max: max * 100 });
  return Math.round(ms / 100);
}

function oneOf<T extends string>(value: unknown, name: string, allowed: readonly T[]): T {
  const v = String(value ?? '').trim().toLowerCase();
  if (!(allowed as readonly string[]).includes(v)) throw new InvalidArgumentError(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  return v as T;
}

function bool(value: unknown): boolean {
  return value === true || value === 'true' || value === 1 || value === '1';
}

function hexOrBuffer(value: unknown, name: string): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value === undefined || value === null || value === '') return Buffer.alloc(0);
  if (Array.isArray(value) && value.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) return Buffer.from(value as number[]);
  if (typeof value === 'string') {
    try {
      return fromHex(value);
    } catch {
      throw new InvalidArgumentError(`${name} must be hex digits (e.g. "01 02 0a") or a Buffer, got ${JSON.stringify(value)}`);
    }
  }
  throw new InvalidArgumentError(`${name} must be hex digits or a Buffer, got ${typeof value}`);
}

/** A vendor OUI: 6 hex digits or a number. */
function vendorCode(value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffff) return value;
  const text = String(value ?? '').replace(/^0x/i, '').replace(/[\s:-]/g, '');
  if (!/^[0-9a-fA-F]{6}$/.test(text)) throw new InvalidArgumentError(`vendor must be the vendor's OUI as 6 hex digits, got ${JSON.stringify(value)}`);
  return parseInt(text, 16);
}

/** A 16-byte Secure Channel key from hex or a Buffer. */
export function parseKey(value: unknown, name = 'key'): Buffer {
  let key: Buffer;
  try {
    key = Buffer.isBuffer(value) ? value : fromHex(String(value ?? ''));
  } catch {
    throw new InvalidArgumentError(`${name} must be 32 hex digits (16 bytes)`);
  }
  if (key.length !== 16) throw new InvalidArgumentError(`${name} must be 16 bytes (32 hex digits), got ${key.length} bytes`);
  return key;
}

/** Builds the request for one message from the merged editor + msg.payload values. */
export function buildRequest(v: Record<string, unknown>): Request {
  const operation = oneOf(v.operation ?? 'led', 'operation', OPERATIONS);
  const reader = (): number => toNumber(v.reader ?? 0, 'reader', { min: 0, max: 255, integer: true });
  switch (operation) {
    case 'led': {
      const pattern = oneOf(v.pattern ?? 'steady', 'pattern', ['steady', 'slow', 'fast', 'custom'] as const);
      const [onCount, offCount] =
        pattern === 'steady' ? [1, 0] : pattern === 'slow' ? [5, 5] : pattern === 'fast' ? [1, 1]
          : [tenths(v.onTime ?? 500, 'onTime', 255), tenths(v.offTime ?? 500, 'offTime', 255)];
      const onColor = color(v.color ?? 'green', 'color');
      const offColor = color(v.offColor ?? 'off', 'offColor');
      const mode = oneOf(v.mode ?? 'permanent', 'mode', ['temporary', 'permanent'] as const);
      const led = toNumber(v.led ?? 0, 'led', { min: 0, max: 255, integer: true });
      const params = { onCount, offCount, onColor, offColor };
      const none = { controlCode: 0, onCount: 0, offCount: 0, onColor: 0, offColor: 0 };
      const command: AppCommand = mode === 'temporary'
        ? { command: 'led', reader: reader(), led, temporary: { controlCode: 2, ...params, timer: tenths(v.duration ?? 3000, 'duration', 0xffff) }, permanent: none }
        : { command: 'led', reader: reader(), led, temporary: { ...none, timer: 0 }, permanent: { controlCode: 1, ...params } };
      return { kind: 'command', operation, command, summary: `LED ${COLOR_NAMES[onColor]}${pattern === 'steady' ? '' : ' ' + pattern}` };
    }
    case 'buzzer': {
      const tone = oneOf(v.tone ?? 'default', 'tone', ['default', 'off'] as const);
      const command: AppCommand = {
        command: 'buzzer',
        reader: reader(),
        controlCode: tone === 'off' ? 1 : 2,
        onCount: tenths(v.beepTime ?? 200, 'beepTime', 255),
        offCount: tenths(v.pauseTime ?? 200, 'pauseTime', 255),
        repeat: toNumber(v.count ?? 1, 'count', { min: 0, max: 255, integer: true }),
      };
      return { kind: 'command', operation, command, summary: tone === 'off' ? 'buzzer off' : 'beep' };
    }
    case 'output': {
      const action = oneOf(v.action ?? 'pulse', 'action', ['pulse', 'on', 'off'] as const);
      const output = toNumber(v.output ?? 0, 'output', { min: 0, max: 255, integer: true });
      const timer = action === 'pulse' ? tenths(v.pulseTime ?? 3000, 'pulseTime', 0xffff) : 0;
      if (action === 'pulse' && timer === 0) throw new InvalidArgumentError('pulseTime must be at least 100 ms');
      const command: AppCommand = { command: 'output', output, controlCode: action === 'pulse' ? 5 : action === 'on' ? 2 : 1, timer };
      return { kind: 'command', operation, command, summary: `${action} output ${output}` };
    }
    case 'text': {
      const text = v.text === undefined || v.text === null ? '' : String(v.text);
      if (text.length > 32) throw new InvalidArgumentError(`text is at most 32 characters, got ${text.length}`);
      if (!/^[\x20-\x7e]*$/.test(text)) throw new InvalidArgumentError('text must be printable ASCII');
      const temporary = oneOf(v.mode ?? 'permanent', 'mode', ['temporary', 'permanent'] as const) === 'temporary';
      const wrap = bool(v.wrap);
      const command: AppCommand = {
        command: 'text',
        reader: reader(),
        controlCode: (temporary ? 3 : 1) + (wrap ? 1 : 0),
        tempTime: temporary ? Math.min(255, Math.max(1, Math.ceil(toNumber(v.duration ?? 3000, 'duration', { min: 0 }) / 1000))) : 0,
        row: toNumber(v.row ?? 1, 'row', { min: 0, max: 255, integer: true }),
        column: toNumber(v.column ?? 1, 'column', { min: 0, max: 255, integer: true }),
        text,
      };
      return { kind: 'command', operation, command, summary: `text "${text}"` };
    }
    case 'lstat':
    case 'istat':
    case 'ostat':
    case 'rstat':
      return { kind: 'command', operation, command: { command: 'status', type: STATUS_OPS[operation] }, summary: operation };
    case 'id':
      return { kind: 'id', operation, summary: 'id' };
    case 'cap':
      return { kind: 'cap', operation, summary: 'capabilities' };
    case 'mfg': {
      const command: AppCommand = { command: 'mfg', vendorCode: vendorCode(v.vendor), data: hexOrBuffer(v.data, 'data') };
      return { kind: 'command', operation, command, summary: 'mfg' };
    }
    case 'comset': {
      const address = v.address === undefined || v.address === '' ? undefined : toNumber(v.address, 'address', { min: 0, max: 126, integer: true });
      const baud = v.baud === undefined || v.baud === '' ? undefined : toNumber(v.baud, 'baud', { integer: true });
      if (baud !== undefined && !BAUD_RATES.includes(baud)) throw new InvalidArgumentError(`baud must be one of ${BAUD_RATES.join(', ')}, got ${baud}`);
      if (address === undefined && baud === undefined) throw new InvalidArgumentError('comset needs a new address or a new baud rate');
      // The bus fills in whichever of the two stays as it is.
      return { kind: 'comset', operation, address, baud, summary: `comset${address !== undefined ? ' address ' + address : ''}${baud !== undefined ? ' ' + baud + ' baud' : ''}` };
    }
    case 'keyset':
      return { kind: 'keyset', operation, key: v.key === undefined || v.key === '' ? undefined : parseKey(v.key), summary: 'key set' };
    case 'file': {
      const fileId = toNumber(v.fileId ?? 1, 'fileId', { min: 0, max: 255, integer: true });
      const file = v.file;
      if (Buffer.isBuffer(file)) {
        if (file.length === 0) throw new InvalidArgumentError('the file is empty');
        return { kind: 'file', operation, fileId, file, summary: 'file' };
      }
      if (typeof file !== 'string' || file.trim() === '') throw new InvalidArgumentError('file must be a path or a Buffer (msg.payload)');
      return { kind: 'file', operation, fileId, file: file.trim(), summary: 'file' };
    }
  }
}

const CAPABILITY_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(CapabilityFunction).map(([k, n]) => [n, k.toLowerCase().replace(/_/g, '-')]),
);
const READER_STATUS = ['normal', 'not connected', 'tamper'];

/** The reply as plain JSON for msg.payload (merged with pd, address, operation). */
export function replyToJson(reply: OsdpReply | undefined): Record<string, unknown> {
  if (!reply) return {};
  switch (reply.reply) {
    case 'ack':
      return {};
    case 'lstatr':
      return { tamper: reply.tamper, power: reply.power };
    case 'istatr':
      return { inputs: reply.inputs.map((s) => s !== 0) };
    case 'ostatr':
      return { outputs: reply.outputs.map((s) => s !== 0) };
    case 'rstatr':
      return { readers: reply.readers.map((s) => READER_STATUS[s] ?? `status ${s}`) };
    case 'pdid':
      return { id: pdIdToJson(reply) };
    case 'pdcap':
      return {
        capabilities: reply.capabilities.map((c) => ({
          function: CAPABILITY_NAMES[c.function] ?? `function-${c.function}`, code: c.function, compliance: c.compliance, numItems: c.numItems,
        })),
      };
    case 'mfgrep':
      return { vendor: vendorHex(reply.vendorCode), data: toHex(reply.data, '') };
    case 'com':
      return { address: reply.address, baudRate: reply.baudRate };
    case 'nak':
      return { nak: reply.code };
    default:
      return { reply: reply.reply };
  }
}

export function vendorHex(code: number): string {
  return code.toString(16).padStart(6, '0');
}

export function pdIdToJson(id: { vendorCode: number; model: number; version: number; serialNumber: number; firmware: { major: number; minor: number; build: number } }): Record<string, unknown> {
  return {
    vendor: vendorHex(id.vendorCode),
    model: id.model,
    version: id.version,
    serialNumber: id.serialNumber,
    firmware: `${id.firmware.major}.${id.firmware.minor}.${id.firmware.build}`,
  };
}
