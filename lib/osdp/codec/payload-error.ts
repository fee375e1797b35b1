import { ProtocolError } from '../../common/errors';
import { NakCode } from '../types';

/** A command or reply payload that does not decode; `nak` is the NAK code a PD answers with. */
export class PayloadError extends ProtocolError {
  readonly nak: number;
  readonly code_: number;
  constructor(message: string, code: number, nak: number = NakCode.LENGTH) {
    super(message, { operation: `decode-0x${code.toString(16).padStart(2, '0')}` }, 'EPAYLOAD');
    this.nak = nak;
    this.code_ = code;
  }
}

export function expectLength(code: number, data: Buffer, length: number, name: string): void {
  if (data.length !== length) throw new PayloadError(`${name}: expected ${length} data bytes, got ${data.length}`, code);
}

export function expectAtLeast(code: number, data: Buffer, length: number, name: string): void {
  if (data.length < length) throw new PayloadError(`${name}: expected at least ${length} data bytes, got ${data.length}`, code);
}

export function u8(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) throw new RangeError(`${what} must be an integer 0..255, got ${value}`);
  return value;
}
export function u16(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) throw new RangeError(`${what} must be an integer 0..65535, got ${value}`);
  return value;
}
export function u24(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffff) throw new RangeError(`${what} must be an integer 0..0xFFFFFF, got ${value}`);
  return value;
}
export function u32(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`${what} must be an integer 0..0xFFFFFFFF, got ${value}`);
  return value;
}
export function bytes(value: unknown, what: string, length?: number): Buffer {
  if (!Buffer.isBuffer(value) && !(value instanceof Uint8Array)) throw new RangeError(`${what} must be a Buffer`);
  if (length !== undefined && value.length !== length) throw new RangeError(`${what} must be ${length} bytes, got ${value.length}`);
  return Buffer.from(value);
}
