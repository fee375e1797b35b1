/**
 * Frame layout as the secure channel sees it: `SOM ADDR LEN_L LEN_H CTRL [SCB] CODE DATA [MAC4] CHECK`
 * (no mark byte; LEN counts SOM through the check). The core codec (`lib/osdp`) owns plain frames;
 * this file builds and splits the frames that carry a Security Control Block, because the MAC is
 * computed over the encoded header and must be placed before the check.
 */
import { ProtocolError } from '../../common/errors';

export const SOM = 0x53;
export const CTRL_SQN = 0x03;
export const CTRL_CRC = 0x04;
export const CTRL_SCB = 0x08;

const CRC_TABLE = (() => {
  const t = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n << 8;
    for (let b = 0; b < 8; b++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    t[n] = c;
  }
  return t;
})();

/** CRC-16/AUG-CCITT (poly 0x1021, init 0x1D0F), as OSDP sends it (LSB first). */
export function crc16(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0x1d0f;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ CRC_TABLE[((crc >> 8) ^ bytes[i]) & 0xff];
  return crc;
}

/** Two's complement of the byte sum. */
export function checksum8(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += bytes[i];
  return -sum & 0xff;
}

/** Header fields of a frame. `addr` is the 7-bit PD address; `reply` sets the 0x80 bit. */
export interface FrameHeader {
  addr: number;
  sqn: number;
  /** CRC-16 (true) or 8-bit checksum (false). */
  crc: boolean;
  /** A PD -> CP frame (address | 0x80). */
  reply: boolean;
}

/** A Security Control Block: SEC_BLK_TYPE and its data (SEC_BLK_LEN = 2 + data length). */
export interface Scb {
  type: number;
  data: Buffer;
}

/** One frame split into its parts (all slices of the input). */
export interface SplitFrame extends FrameHeader {
  /** The whole frame, SOM..check. */
  raw: Buffer;
  scb?: Scb;
  code: number;
  /** Offset of CODE in `raw`. */
  codeOffset: number;
  /** Bytes after CODE up to the MAC (or the check when there is no MAC). */
  data: Buffer;
  /** The 4 MAC bytes, for SCB types 0x15..0x18. */
  mac?: Buffer;
  /** Offset where the MAC (or check) starts: the MAC covers raw[0..macOffset). */
  macOffset: number;
}

/**
 * Builds a frame: header, optional SCB, CODE, DATA, then `mac` (when given, `macFn` is called with the
 * frame up to the last data byte, LEN already final, and must return the 4 MAC bytes) and the check.
 */
export function buildFrame(
  header: FrameHeader,
  scb: Scb | undefined,
  code: number,
  data: Uint8Array,
  macFn?: (covered: Buffer) => Uint8Array,
): Buffer {
  const scbLen = scb ? 2 + scb.data.length : 0;
  const macLen = macFn ? 4 : 0;
  const checkLen = header.crc ? 2 : 1;
  const total = 5 + scbLen + 1 + data.length + macLen + checkLen;
  if (total > 0xffff) throw new ProtocolError(`frame too long: ${total} bytes`);
  const out = Buffer.allocUnsafe(total);
  out[0] = SOM;
  out[1] = (header.addr & 0x7f) | (header.reply ? 0x80 : 0);
  out.writeUInt16LE(total, 2);
  out[4] = (header.sqn & CTRL_SQN) | (header.crc ? CTRL_CRC : 0) | (scb ? CTRL_SCB : 0);
  let o = 5;
  if (scb) {
    out[o++] = scbLen;
    out[o++] = scb.type;
    out.set(scb.data, o);
    o += scb.data.length;
  }
  out[o++] = code;
  out.set(data, o);
  o += data.length;
  if (macFn) {
    const mac = macFn(out.subarray(0, o));
    out.set(mac.subarray(0, 4), o);
    o += 4;
  }
  if (header.crc) {
    out.writeUInt16LE(crc16(out, 0, o), o);
  } else {
    out[o] = checksum8(out, 0, o);
  }
  return out;
}

/** Whether a SEC_BLK_TYPE carries a MAC (0x15..0x18). */
export function scbHasMac(type: number): boolean {
  return type >= 0x15 && type <= 0x18;
}

/**
 * Splits one complete frame (SOM..check, mark removed). Verifies the length and the check (unless
 * `checked`: the engine's parser verified it already); throws ProtocolError on anything malformed.
 */
export function splitFrame(raw: Buffer, opts: { checked?: boolean } = {}): SplitFrame {
  if (raw.length < 7) throw new ProtocolError(`frame too short: ${raw.length} bytes`);
  if (raw[0] !== SOM) throw new ProtocolError(`no SOM: 0x${raw[0].toString(16)}`);
  const len = raw.readUInt16LE(2);
  if (len !== raw.length) throw new ProtocolError(`LEN ${len} does not match the ${raw.length} bytes received`);
  const ctrl = raw[4];
  const crc = (ctrl & CTRL_CRC) !== 0;
  const checkLen = crc ? 2 : 1;
  const end = raw.length - checkLen;
  if (opts.checked) {
    // verified by the caller
  } else if (crc) {
    if (raw.readUInt16LE(end) !== crc16(raw, 0, end)) throw new ProtocolError('bad CRC');
  } else if (raw[end] !== checksum8(raw, 0, end)) {
    throw new ProtocolError('bad checksum');
  }
  let o = 5;
  let scb: Scb | undefined;
  if (ctrl & CTRL_SCB) {
    const scbLen = raw[o];
    if (scbLen < 2 || o + scbLen >= end) throw new ProtocolError(`bad SEC_BLK_LEN ${scbLen}`);
    scb = { type: raw[o + 1], data: raw.subarray(o + 2, o + scbLen) };
    o += scbLen;
  }
  if (o >= end) throw new ProtocolError('frame has no CODE');
  const codeOffset = o;
  const code = raw[o++];
  let macOffset = end;
  let mac: Buffer | undefined;
  if (scb && scbHasMac(scb.type)) {
    macOffset = end - 4;
    if (macOffset < o) throw new ProtocolError('frame too short for its MAC');
    mac = raw.subarray(macOffset, end);
  }
  return {
    raw,
    addr: raw[1] & 0x7f,
    reply: (raw[1] & 0x80) !== 0,
    sqn: ctrl & CTRL_SQN,
    crc,
    scb,
    code,
    codeOffset,
    data: raw.subarray(o, macOffset),
    mac,
    macOffset,
  };
}
