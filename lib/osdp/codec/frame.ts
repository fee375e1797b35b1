/**
 * The OSDP frame: `[0xFF mark] 0x53 ADDR LEN_L LEN_H CTRL [SCB] CODE DATA [MAC4] CHECK`.
 * LEN counts SOM through the check bytes (not the mark). ADDR bit 7 marks a reply. CTRL bits 0-1
 * are the SQN, 0x04 selects CRC-16 (else an 8-bit checksum), 0x08 says an SCB follows.
 * An SCB is `len type data...` (len counts itself and type). SCB types 0x15-0x18 carry a 4-byte MAC
 * after the data. This module is the one place that builds and checks frame bytes.
 */
import { ProtocolError } from '../../common/errors';
import { checksum8, crc16 } from './check';

export const MARK = 0xff;
export const SOM = 0x53;
export const BROADCAST = 0x7f;
export const REPLY_BIT = 0x80;
export const CTRL_SQN = 0x03;
export const CTRL_CRC = 0x04;
export const CTRL_SCB = 0x08;
/** Header bytes SOM ADDR LEN_L LEN_H CTRL. */
export const HEADER_LENGTH = 5;
/** Largest frame the parser accepts by default (LEN). */
export const DEFAULT_MAX_FRAME = 1440;

/** Security control block: type and data (the length byte is computed). */
export interface Scb {
  type: number;
  data: Buffer;
}

/** True for SCB types that carry a MAC after the data (0x15..0x18). */
export function scbHasMac(type: number): boolean {
  return type >= 0x15 && type <= 0x18;
}

export interface FrameHeader {
  /** PD address 0..0x7F (0x7F = broadcast), without the reply bit. */
  address: number;
  /** Direction: true for PD -> CP replies (ADDR bit 7). */
  reply: boolean;
  /** Sequence number 0..3. */
  sqn: number;
  /** CRC-16 check (true) or 8-bit checksum (false). */
  crc: boolean;
}

export interface Frame extends FrameHeader {
  /** Command or reply code. */
  code: number;
  /** Bytes after CODE (possibly encrypted under Secure Channel), without MAC and check. */
  data: Buffer;
  scb?: Scb;
  /** The 4 MAC bytes (decoded frames; or precomputed for encoding). */
  mac?: Buffer;
}

/** A frame taken off the wire, with its raw bytes (SOM..check, no mark). */
export interface DecodedFrame extends Frame {
  raw: Buffer;
}

/** Computes a MAC over the bytes from SOM to the last data byte (LEN already final); the first 4 bytes are sent. */
export type MacFunction = (authenticated: Buffer) => Buffer;

export interface EncodeOptions {
  /** Prefix the 0xFF mark byte (default true: the v2.2 recommendation, and what libosdp sends). */
  mark?: boolean;
  /** MAC provider for SCB types 0x15..0x18 (Secure Channel); overrides frame.mac. */
  mac?: MacFunction;
}

/** Total LEN of a frame with these parts. */
export function frameLength(dataLength: number, crc: boolean, scbDataLength?: number, withMac = false): number {
  return HEADER_LENGTH + (scbDataLength === undefined ? 0 : scbDataLength + 2) + 1 + dataLength + (withMac ? 4 : 0) + (crc ? 2 : 1);
}

/** Builds the wire bytes of a frame. */
export function encodeFrame(frame: Frame, options: EncodeOptions = {}): Buffer {
  const { address, reply, sqn, crc, code, data, scb } = frame;
  if (!Number.isInteger(address) || address < 0 || address > 0x7f) throw new RangeError(`OSDP address out of range: ${address}`);
  if (!Number.isInteger(sqn) || sqn < 0 || sqn > 3) throw new RangeError(`OSDP SQN out of range: ${sqn}`);
  if (!Number.isInteger(code) || code < 0 || code > 0xff) throw new RangeError(`OSDP code out of range: ${code}`);
  if (scb && (scb.data.length > 253 || scb.type < 0 || scb.type > 0xff)) throw new RangeError('SCB too long or bad type');
  const withMac = scb !== undefined && scbHasMac(scb.type);
  if (withMac && !options.mac && !(frame.mac && frame.mac.length >= 4)) throw new RangeError(`SCB type 0x${scb.type.toString(16)} needs a MAC`);
  const len = frameLength(data.length, crc, scb?.data.length, withMac);
  if (len > 0xffff) throw new RangeError('OSDP frame too long');
  const mark = options.mark ?? true;
  const out = Buffer.allocUnsafe(len + (mark ? 1 : 0));
  let p = 0;
  if (mark) out[p++] = MARK;
  const som = p;
  out[p++] = SOM;
  out[p++] = address | (reply ? REPLY_BIT : 0);
  out[p++] = len & 0xff;
  out[p++] = len >> 8;
  out[p++] = sqn | (crc ? CTRL_CRC : 0) | (scb ? CTRL_SCB : 0);
  if (scb) {
    out[p++] = scb.data.length + 2;
    out[p++] = scb.type;
    p += scb.data.copy(out, p);
  }
  out[p++] = code;
  p += data.copy(out, p);
  if (withMac) {
    const mac = options.mac ? options.mac(out.subarray(som, p)) : (frame.mac as Buffer);
    if (!mac || mac.length < 4) throw new RangeError('MAC function returned fewer than 4 bytes');
    out[p++] = mac[0];
    out[p++] = mac[1];
    out[p++] = mac[2];
    out[p++] = mac[3];
  }
  if (crc) {
    const c = crc16(out, som, p);
    out[p++] = c & 0xff;
    out[p++] = c >> 8;
  } else {
    const sum = checksum8(out, som, p);
    out[p++] = sum;
  }
  return out;
}

/** Why a frame did not decode. */
export type FrameFault = 'header' | 'length' | 'check' | 'scb';

/** A frame that failed; carries what could be read of its header so a PD can NAK it. */
export class FrameError extends ProtocolError {
  readonly fault: FrameFault;
  readonly header?: FrameHeader;
  constructor(message: string, fault: FrameFault, header?: FrameHeader) {
    super(message, { operation: 'decode-frame', device: header?.address }, 'EFRAME');
    this.fault = fault;
    if (header) this.header = header;
  }
}

/** Reads the header of a frame starting at `buf[0] = SOM`; undefined if fewer than 5 bytes. */
export function peekHeader(buf: Uint8Array, start = 0): (FrameHeader & { length: number; scb: boolean }) | undefined {
  if (buf.length - start < HEADER_LENGTH) return undefined;
  const addr = buf[start + 1];
  const ctrl = buf[start + 4];
  return {
    address: addr & 0x7f,
    reply: (addr & REPLY_BIT) !== 0,
    length: buf[start + 2] | (buf[start + 3] << 8),
    sqn: ctrl & CTRL_SQN,
    crc: (ctrl & CTRL_CRC) !== 0,
    scb: (ctrl & CTRL_SCB) !== 0,
  };
}

/** Smallest valid LEN for a header (no SCB): header, code, check. */
export function minimumLength(crc: boolean, scb: boolean): number {
  return HEADER_LENGTH + 1 + (crc ? 2 : 1) + (scb ? 2 : 0);
}

/**
 * Decodes exactly one frame (SOM..check, no mark). Throws FrameError. `data`, `scb.data` and `mac`
 * are views into `raw` (the parser hands each frame its own copy of the bytes).
 */
export function decodeFrame(raw: Buffer): DecodedFrame {
  if (raw.length < HEADER_LENGTH || raw[0] !== SOM) throw new FrameError('not an OSDP frame', 'header');
  const addr = raw[1];
  const ctrl = raw[4];
  const length = raw[2] | (raw[3] << 8);
  const crc = (ctrl & CTRL_CRC) !== 0;
  const hasScb = (ctrl & CTRL_SCB) !== 0;
  const address = addr & 0x7f;
  const reply = (addr & REPLY_BIT) !== 0;
  const sqn = ctrl & CTRL_SQN;
  if (length !== raw.length || length < minimumLength(crc, hasScb)) {
    throw new FrameError(`frame length ${raw.length} does not match LEN ${length}`, 'length', { address, reply, sqn, crc });
  }
  const end = raw.length - (crc ? 2 : 1);
  if (crc) {
    const c = crc16(raw, 0, end);
    if (raw[end] !== (c & 0xff) || raw[end + 1] !== c >> 8) throw new FrameError('bad CRC', 'check', { address, reply, sqn, crc });
  } else if (raw[end] !== checksum8(raw, 0, end)) {
    throw new FrameError('bad checksum', 'check', { address, reply, sqn, crc });
  }
  let p = HEADER_LENGTH;
  let scb: Scb | undefined;
  let macLen = 0;
  if (hasScb) {
    const scbLen = raw[p];
    if (scbLen < 2 || p + scbLen >= end) throw new FrameError(`bad SCB length ${scbLen}`, 'scb', { address, reply, sqn, crc });
    scb = { type: raw[p + 1], data: raw.subarray(p + 2, p + scbLen) };
    p += scbLen;
    if (scbHasMac(scb.type)) macLen = 4;
  }
  if (p + 1 + macLen > end) throw new FrameError('frame too short for its SCB and MAC', 'length', { address, reply, sqn, crc });
  const frame: DecodedFrame = { address, reply, sqn, crc, code: raw[p], data: raw.subarray(p + 1, end - macLen), raw };
  if (scb) frame.scb = scb;
  if (macLen) frame.mac = raw.subarray(end - macLen, end);
  return frame;
}

/** The bytes a MAC covers in a decoded frame: SOM to the last data byte. */
export function macInput(frame: DecodedFrame): Buffer {
  const checkLen = frame.crc ? 2 : 1;
  return frame.raw.subarray(0, frame.raw.length - checkLen - (frame.mac ? 4 : 0));
}

/** Time on the wire of `bytes` at `baudRate` (8N1: 10 bits a byte), in ms. */
export function transmitTime(bytes: number, baudRate: number | undefined): number {
  return baudRate && baudRate > 0 ? (bytes * 10 * 1000) / baudRate : 0;
}
