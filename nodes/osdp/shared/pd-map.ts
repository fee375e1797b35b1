/**
 * osdp-pd's two directions: a command the panel sent, as plain JSON for msg.payload; and a
 * msg.payload event (card, keypad, status, mfg) as what the engine PeripheralDevice reports.
 */
import { InvalidArgumentError, fromHex, toHex } from '../../../lib/common';
import { encodeWiegand, type OsdpCommand, type PdEvent, type PdStatusState } from '../../../lib/osdp';
import { toNumber } from '../../common/input';
import { vendorHex } from './commands';

const COLOR_NAMES = ['off', 'red', 'green', 'amber', 'blue', 'magenta', 'cyan', 'white'];
const OUTPUT_ACTIONS = ['nop', 'off', 'on', 'off (allow timed)', 'on (allow timed)', 'pulse', 'pulse off'];

function colorName(code: number): string | number {
  return COLOR_NAMES[code] ?? code;
}

function ledHalf(h: { controlCode: number; onCount: number; offCount: number; onColor: number; offColor: number; timer?: number }): Record<string, unknown> {
  const out: Record<string, unknown> = {
    controlCode: h.controlCode, color: colorName(h.onColor), offColor: colorName(h.offColor), onTime: h.onCount * 100, offTime: h.offCount * 100,
  };
  if (h.timer !== undefined) out.duration = h.timer * 100;
  return out;
}

/** The command as JSON (never a key: KEYSET reports only its key type). */
export function commandToJson(cmd: OsdpCommand): Record<string, unknown> {
  switch (cmd.command) {
    case 'led':
      return { command: 'led', reader: cmd.reader, led: cmd.led, temporary: ledHalf(cmd.temporary), permanent: ledHalf(cmd.permanent) };
    case 'buzzer':
      return { command: 'buzzer', reader: cmd.reader, tone: cmd.controlCode === 2 ? 'default' : cmd.controlCode === 1 ? 'off' : cmd.controlCode, beepTime: cmd.onCount * 100, pauseTime: cmd.offCount * 100, count: cmd.repeat };
    case 'output':
      return { command: 'output', output: cmd.output, action: OUTPUT_ACTIONS[cmd.controlCode] ?? cmd.controlCode, controlCode: cmd.controlCode, pulseTime: cmd.timer * 100 };
    case 'text':
      return { command: 'text', reader: cmd.reader, text: cmd.text, row: cmd.row, column: cmd.column, mode: cmd.controlCode >= 3 ? 'temporary' : 'permanent', wrap: cmd.controlCode === 2 || cmd.controlCode === 4, duration: cmd.tempTime * 1000 };
    case 'status':
      return { command: 'status', kind: cmd.type };
    case 'comset':
      return { command: 'comset', newAddress: cmd.address, baudRate: cmd.baudRate };
    case 'mfg':
      return { command: 'mfg', vendor: vendorHex(cmd.vendorCode), data: toHex(cmd.data, '') };
    case 'keyset':
      return { command: 'keyset', keyType: cmd.keyType };
    case 'filetransfer':
      return { command: 'file', fileId: cmd.fileId, size: cmd.totalSize, offset: cmd.offset, length: cmd.data.length };
    case 'acurxsize':
      return { command: 'acurxsize', size: cmd.size };
    case 'keepactive':
      return { command: 'keepactive', time: cmd.time };
    case 'abort':
      return { command: 'abort' };
    default:
      return { command: cmd.command };
  }
}

/** What one input message asks the PD to report. */
export type PdInput = { kind: 'event'; event: PdEvent; summary: string } | { kind: 'status'; update: Partial<PdStatusState>; summary: string };

const WIEGAND = ['wiegand26', 'wiegand34', 'wiegand37'] as const;
const READER_STATES: Record<string, number> = { normal: 0, 'not connected': 1, tamper: 2 };

function bits(value: unknown, name: string): number[] {
  if (!Array.isArray(value)) throw new InvalidArgumentError(`${name} must be an array of booleans`);
  return value.map((v) => (v === true || v === 1 || v === '1' || v === 'on' ? 1 : 0));
}

function bytes(value: unknown, name: string): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (typeof value === 'string') {
    try {
      return fromHex(value);
    } catch {
      /* below */
    }
  }
  throw new InvalidArgumentError(`${name} must be hex digits or a Buffer`);
}

/** Reads one msg.payload of osdp-pd. */
export function parsePdInput(p: Record<string, unknown>): PdInput {
  const event = String(p.event ?? '').toLowerCase();
  const reader = toNumber(p.reader ?? 0, 'reader', { min: 0, max: 255, integer: true });
  switch (event) {
    case 'card': {
      if (p.raw !== undefined) {
        const data = bytes(p.raw, 'raw');
        const bitCount = toNumber(p.bits ?? data.length * 8, 'bits', { min: 1, max: data.length * 8, integer: true });
        return { kind: 'event', event: { event: 'card', reader, format: p.format === 'raw' ? 'raw' : 'wiegand', direction: 0, bitCount, data }, summary: `card ${bitCount} bits` };
      }
      if (p.format === 'ascii') {
        const text = String(p.card ?? '');
        if (!text || !/^[\x20-\x7e]+$/.test(text)) throw new InvalidArgumentError('an ascii card needs printable text in card');
        return { kind: 'event', event: { event: 'card', reader, format: 'ascii', direction: 0, bitCount: text.length, data: Buffer.from(text, 'latin1') }, summary: `card ${text}` };
      }
      const format = String(p.format ?? 'wiegand26').toLowerCase();
      if (!(WIEGAND as readonly string[]).includes(format)) throw new InvalidArgumentError(`format must be one of ${WIEGAND.join(', ')} or ascii (or give raw bits), got ${JSON.stringify(p.format)}`);
      const card = toNumber(p.card, 'card', { min: 0, integer: true });
      const facility = toNumber(p.facility ?? 0, 'facility', { min: 0, integer: true });
      let encoded: { data: Buffer; bitCount: number };
      try {
        encoded = encodeWiegand(format as (typeof WIEGAND)[number], facility, card);
      } catch (err) {
        throw new InvalidArgumentError(`${format}: ${(err as Error).message}`);
      }
      return { kind: 'event', event: { event: 'card', reader, format: 'wiegand', direction: 0, bitCount: encoded.bitCount, data: encoded.data }, summary: `card ${card}` };
    }
    case 'keypad':
    case 'keys': {
      const keys = String(p.keys ?? '');
      if (!/^[0-9*#]+$/.test(keys)) throw new InvalidArgumentError(`keys must be digits, * and # (e.g. "1234#"), got ${JSON.stringify(p.keys)}`);
      // OSDP keypad codes: ASCII digits, 0x7F for '*', 0x0D for '#'.
      const data = Buffer.from(keys.replace(/\*/g, '\x7f').replace(/#/g, '\r'), 'latin1');
      return { kind: 'event', event: { event: 'keypress', reader, keys: data }, summary: `keys ${keys}` };
    }
    case 'input':
      return { kind: 'status', update: { inputs: bits(p.inputs, 'inputs') }, summary: 'inputs' };
    case 'output':
      return { kind: 'status', update: { outputs: bits(p.outputs, 'outputs') }, summary: 'outputs' };
    case 'local':
    case 'tamper':
    case 'power': {
      const update: Partial<PdStatusState> = {};
      if (p.tamper !== undefined) update.tamper = p.tamper === true;
      if (p.power !== undefined) update.power = p.power === true;
      if (update.tamper === undefined && update.power === undefined) throw new InvalidArgumentError('a local status needs tamper and/or power (booleans)');
      return { kind: 'status', update, summary: update.tamper ? 'tamper' : 'local status' };
    }
    case 'reader': {
      if (!Array.isArray(p.readers)) throw new InvalidArgumentError('readers must be an array ("normal", "not connected", "tamper")');
      const readers = p.readers.map((r) => {
        const n = typeof r === 'number' ? r : READER_STATES[String(r)];
        if (n === undefined || !Number.isInteger(n) || n < 0 || n > 255) throw new InvalidArgumentError(`reader status must be normal, not connected or tamper, got ${JSON.stringify(r)}`);
        return n;
      });
      return { kind: 'status', update: { readers }, summary: 'reader status' };
    }
    case 'mfg': {
      const vendor = String(p.vendor ?? '').replace(/^0x/i, '');
      if (!/^[0-9a-fA-F]{6}$/.test(vendor)) throw new InvalidArgumentError(`vendor must be 6 hex digits, got ${JSON.stringify(p.vendor)}`);
      return { kind: 'event', event: { event: 'mfgrep', vendorCode: parseInt(vendor, 16), data: p.data === undefined ? Buffer.alloc(0) : bytes(p.data, 'data') }, summary: 'mfg reply' };
    }
    default:
      throw new InvalidArgumentError(`event must be card, keypad, input, output, local, reader or mfg, got ${JSON.stringify(p.event)}`);
  }
}
