/**
 * The UHPPOTE codec: 64-byte frames to and from plain objects, driven by the message table.
 * The only module that touches bytes. Decoders throw ProtocolError (never anything else) on frames
 * that are not 64 bytes, do not start with 0x17 (0x19 is accepted for event packets only), or
 * carry an unexpected function code.
 */
import { ProtocolError } from '../../common/errors';
import { toHex } from '../../common/hexdump';
import type { ControllerEvent } from '../types';
import { readField, writeField } from './fields';
import { BY_CODE, EVENT_CODE, FUNCTIONS, STATUS_FIELDS, type FieldDef, type FunctionDef, type FunctionName } from './messages';

export { FUNCTIONS, BY_CODE, EVENT_CODE, STATUS_FIELDS, type FunctionName, type FunctionDef, type FieldDef } from './messages';
export { MAGIC_WORD, parseDate, parseDateTime, parseHHmm, type FieldType } from './fields';

export const FRAME_SIZE = 64;
export const START_BYTE = 0x17;
/** Start byte firmware v6.62 uses for event packets. */
export const START_BYTE_V6_62 = 0x19;

export type Values = Record<string, unknown>;

function frame(code: number, controller: number, start = START_BYTE): Buffer {
  const buf = Buffer.alloc(FRAME_SIZE);
  buf[0] = start;
  buf[1] = code;
  writeField(buf, 4, 'uint32', controller, 'controller');
  return buf;
}

/** `lenient`: missing values encode as zero/unset (the simulator's replies); otherwise a missing date is an error. */
function writeAll(buf: Buffer, fields: FieldDef[], values: Values, op: string, lenient = false): void {
  for (const fd of fields) {
    const v = values[fd.name];
    writeField(buf, fd.offset, fd.type, lenient && v === undefined ? null : v, `${op}: ${fd.name}`);
  }
}

function readAll(buf: Uint8Array, fields: FieldDef[]): Values {
  const out: Values = { controller: readField(buf, 4, 'uint32') };
  for (const fd of fields) {
    const v = readField(buf, fd.offset, fd.type);
    out[fd.name] = v;
    if (fd.text) out[fd.name + 'Text'] = fd.text(v as number);
  }
  return out;
}

/** Adds the per-door reading of the relay and input bytes (bit n = door n+1) to a status/event. */
function withDoorBits(values: Values): Values {
  const relays = values.relays as number;
  const inputs = values.inputs as number;
  const bits = (byte: number): Record<1 | 2 | 3 | 4, boolean> => ({ 1: (byte & 1) !== 0, 2: (byte & 2) !== 0, 3: (byte & 4) !== 0, 4: (byte & 8) !== 0 });
  values.relayStates = bits(relays);
  values.inputStates = bits(inputs);
  return values;
}

/** Checks size, start byte and (if given) function code; returns the function code. */
export function checkFrame(buf: Uint8Array, expectedCode?: number, op = 'decode'): number {
  if (!(buf instanceof Uint8Array)) throw new ProtocolError(`${op}: not a byte buffer`, { operation: op });
  if (buf.length !== FRAME_SIZE) {
    throw new ProtocolError(`${op}: expected a 64-byte frame, got ${buf.length} bytes`, { operation: op }, 'EFRAME');
  }
  const code = buf[1];
  const startOk = buf[0] === START_BYTE || (buf[0] === START_BYTE_V6_62 && code === EVENT_CODE);
  if (!startOk) {
    throw new ProtocolError(`${op}: bad start byte 0x${buf[0].toString(16).padStart(2, '0')} (function 0x${code.toString(16)})`, { operation: op }, 'EFRAME');
  }
  if (expectedCode !== undefined && code !== expectedCode) {
    throw new ProtocolError(`${op}: expected function 0x${expectedCode.toString(16)}, got 0x${code.toString(16)}`, { operation: op }, 'EFUNCTION');
  }
  return code;
}

/** Encodes a request for `controller` (serial; 0 for a broadcast get-controller). */
export function encodeRequest(fn: FunctionName, controller: number, values: Values = {}): Buffer {
  const def: FunctionDef = FUNCTIONS[fn];
  const buf = frame(def.code, controller);
  writeAll(buf, def.request, values, def.name);
  return buf;
}

/** Decodes a reply to `fn`. Throws ProtocolError on a malformed frame or another function's reply. */
export function decodeReply<T = Values>(fn: FunctionName, buf: Uint8Array): T {
  const def: FunctionDef = FUNCTIONS[fn];
  if (!def.reply) throw new ProtocolError(`${def.name}: this function has no reply`, { operation: def.name });
  checkFrame(buf, def.code, def.name);
  if (buf[0] !== START_BYTE) throw new ProtocolError(`${def.name}: reply with start byte 0x${buf[0].toString(16)}`, { operation: def.name }, 'EFRAME');
  const values = readAll(buf, def.reply);
  return (def.code === EVENT_CODE ? withDoorBits(values) : values) as T;
}

/** Simulator side: decodes any request. Throws ProtocolError on a malformed frame or unknown function. */
export function decodeRequest(buf: Uint8Array): { fn: FunctionName; def: FunctionDef; controller: number; values: Values } {
  const code = checkFrame(buf, undefined, 'request');
  if (buf[0] !== START_BYTE) throw new ProtocolError('request: bad start byte', { operation: 'request' }, 'EFRAME');
  const fn = BY_CODE.get(code);
  if (!fn) throw new ProtocolError(`request: unknown function 0x${code.toString(16)}`, { operation: 'request' }, 'EFUNCTION');
  const def: FunctionDef = FUNCTIONS[fn];
  const values = readAll(buf, def.request);
  return { fn, def, controller: values.controller as number, values };
}

/** Simulator side: encodes a reply. */
export function encodeReply(fn: FunctionName, controller: number, values: Values): Buffer {
  const def: FunctionDef = FUNCTIONS[fn];
  if (!def.reply) throw new ProtocolError(`${def.name}: this function has no reply`, { operation: def.name });
  const buf = frame(def.code, controller);
  writeAll(buf, def.reply, values, def.name, true);
  return buf;
}

/** Decodes an event packet (function 0x20, start byte 0x17 or 0x19). */
export function decodeEvent(buf: Uint8Array): ControllerEvent {
  checkFrame(buf, EVENT_CODE, 'event');
  return withDoorBits(readAll(buf, STATUS_FIELDS)) as unknown as ControllerEvent;
}

/** Encodes an event packet (the simulator's side); `start` 0x19 mimics firmware v6.62. */
export function encodeEvent(controller: number, values: Values, start = START_BYTE): Buffer {
  const buf = frame(EVENT_CODE, controller, start);
  writeAll(buf, STATUS_FIELDS, values, 'event', true);
  return buf;
}

/** Reads the function code and serial of a frame without validating the rest (for reply matching and logs). */
export function peek(buf: Uint8Array): { code: number; controller: number } | undefined {
  if (buf.length < 8) return undefined;
  return { code: buf[1], controller: (buf[4] | (buf[5] << 8) | (buf[6] << 16) | (buf[7] << 24)) >>> 0 };
}

/** `17 20 00 00 ...` for error messages. */
export function describe(buf: Uint8Array): string {
  return toHex(buf.subarray(0, Math.min(buf.length, 16))) + (buf.length > 16 ? ' ...' : '');
}
