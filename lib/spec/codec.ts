/**
 * The one place that touches SPEC bytes: header and body encoding, and a streaming frame decoder
 * that takes any split or coalescing of TCP reads.
 */
import { InvalidArgumentError, ProtocolError } from '../common';
import {
  ARRAY_ELEMENT_SIZE,
  ASSOC_KEY_SEPARATOR,
  HEADER_SIZES,
  SV_NAME_LEN,
  SV_SPEC_MAGIC,
  SV_VERSION,
  SpecArray,
  SpecType,
  isArrayType,
  isDeleted,
  type SpecArrayData,
  type SpecArrayType,
  type SpecAssoc,
  type SpecCommand,
  type SpecHeader,
  type SpecMessage,
  type SpecValue,
} from './types';

/** Bytes of the fixed start every version shares: magic, vers, size. */
export const HEADER_PREFIX = 12;
/** Largest header accepted (a later version may add fields; more than this is corruption). */
export const MAX_HEADER_SIZE = 1024;
export const DEFAULT_MAX_BODY = 256 * 1024 * 1024;
/** Bodies from this size on are read straight into their own buffer (see FrameDecoder.readTarget). */
export const DIRECT_MIN = 256 * 1024;

const HOST_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The body of a frame: its type code, shape and bytes. */
export interface EncodedBody {
  type: SpecType;
  rows: number;
  cols: number;
  body: Buffer;
}

/** What `encodeFrame` needs; everything but `cmd` and `sn` has a default. */
export interface FrameFields {
  cmd: SpecCommand;
  sn: number;
  name?: string;
  /** The value to carry; `undefined` sends an empty STRING body. */
  value?: SpecValue | boolean;
  /** Force a type for `value` (e.g. ERROR for an error text). */
  type?: SpecType;
  err?: number;
  flags?: number;
  /** Time stamp in ms since the epoch; default now. */
  time?: number;
}

export interface EncodeOptions {
  littleEndian?: boolean;
  /** Header version to write, 2-4. Default 4. */
  version?: 2 | 3 | 4;
}

// ---------------------------------------------------------------------------------------------
// values -> bytes

/** SPEC's text form of a number, as `%.15g`-style text that SPEC's parser reads back exactly. */
export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  return String(n);
}

function text(s: string, nul = true): Buffer {
  return Buffer.from(nul ? s + '\0' : s, 'utf8');
}

function assocBody(obj: Record<string, unknown>): Buffer {
  const parts: string[] = [];
  const scalar = (v: unknown, key: string): string => {
    if (typeof v === 'number') return formatNumber(v);
    if (typeof v === 'string') return v;
    if (typeof v === 'boolean') return v ? '1' : '0';
    throw new InvalidArgumentError(`associative array element ${JSON.stringify(key)} must be a number or string`, { operation: 'encode' });
  };
  for (const [key, v] of Object.entries(obj)) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const [key2, v2] of Object.entries(v as Record<string, unknown>)) {
        const k = key2 === '' ? key : key + ASSOC_KEY_SEPARATOR + key2;
        parts.push(k, scalar(v2, k));
      }
    } else parts.push(key, scalar(v, key));
  }
  return Buffer.from(parts.map((p) => p + '\0').join('') + '\0', 'utf8');
}

function swapInPlace(buf: Buffer, size: number): void {
  if (size === 2) buf.swap16();
  else if (size === 4) buf.swap32();
  else if (size === 8) buf.swap64();
}

/** Raw bytes of a numeric typed array in the wanted byte order (copied). */
function arrayBytes(data: Exclude<SpecArrayData, string[]>, size: number, littleEndian: boolean): Buffer {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (size === 1 || littleEndian === HOST_LE) return Buffer.from(buf);
  const copy = Buffer.from(buf);
  swapInPlace(copy, size);
  return copy;
}

function stringArrayBody(strings: string[], cols?: number): { rows: number; cols: number; body: Buffer } {
  const encoded = strings.map((s) => Buffer.from(s, 'utf8'));
  const width = Math.max(cols ?? 0, 1 + encoded.reduce((m, b) => Math.max(m, b.length), 0));
  const body = Buffer.alloc(width * encoded.length);
  encoded.forEach((b, i) => b.copy(body, i * width, 0, Math.min(b.length, width - 1)));
  return { rows: encoded.length, cols: width, body };
}

/** Encodes a value into a body in the given byte order. */
export function encodeValue(value: SpecValue | boolean | undefined, littleEndian: boolean, type?: SpecType): EncodedBody {
  if (value === undefined || value === null) return { type: type ?? SpecType.STRING, rows: 0, cols: 0, body: type === SpecType.ERROR ? text('') : Buffer.alloc(0) };
  if (typeof value === 'boolean') value = value ? 1 : 0;
  if (typeof value === 'number') {
    if (type === SpecType.STRING || type === SpecType.ERROR) return { type, rows: 0, cols: 0, body: text(formatNumber(value)) };
    return { type: SpecType.DOUBLE, rows: 0, cols: 0, body: text(formatNumber(value)) };
  }
  if (typeof value === 'string') {
    if (type === SpecType.DOUBLE) return { type, rows: 0, cols: 0, body: text(value) };
    return { type: type === SpecType.ERROR ? SpecType.ERROR : SpecType.STRING, rows: 0, cols: 0, body: text(value) };
  }
  if (value instanceof SpecArray) {
    if (value.type === SpecType.ARR_STRING) {
      const s = stringArrayBody(value.data as string[], value.cols);
      return { type: SpecType.ARR_STRING, ...s };
    }
    const size = ARRAY_ELEMENT_SIZE[value.type];
    if (!size) throw new InvalidArgumentError(`not an array type: ${value.type}`, { operation: 'encode' });
    if (value.data.length !== value.rows * value.cols) {
      throw new InvalidArgumentError(`array of ${value.data.length} elements does not match ${value.rows} x ${value.cols}`, { operation: 'encode' });
    }
    return { type: value.type, rows: value.rows, cols: value.cols, body: arrayBytes(value.data as Exclude<SpecArrayData, string[]>, size, littleEndian) };
  }
  if (typeof value === 'object' && !Array.isArray(value)) return { type: SpecType.ASSOC, rows: 0, cols: 0, body: assocBody(value as Record<string, unknown>) };
  throw new InvalidArgumentError(`cannot send a ${Array.isArray(value) ? 'plain array (use toSpecArray)' : typeof value} to SPEC`, { operation: 'encode' });
}

/** Writes the header for `fields` whose body is already encoded as `enc`. */
export function encodeHeader(fields: Omit<FrameFields, 'value'>, enc: Omit<EncodedBody, 'body'> & { len: number }, options: EncodeOptions = {}): Buffer {
  const le = options.littleEndian ?? HOST_LE;
  const version = options.version ?? SV_VERSION;
  const size = HEADER_SIZES[version];
  if (!size) throw new InvalidArgumentError(`header version ${version} not supported`, { operation: 'encode' });
  const name = Buffer.from(fields.name ?? '', 'utf8');
  if (name.length >= SV_NAME_LEN) throw new InvalidArgumentError(`name longer than ${SV_NAME_LEN - 1} bytes: ${fields.name}`, { operation: 'encode' });
  const out = Buffer.alloc(size);
  const time = fields.time ?? Date.now();
  const u32 = (v: number, off: number): number => (le ? out.writeUInt32LE(v >>> 0, off) : out.writeUInt32BE(v >>> 0, off));
  const i32 = (v: number, off: number): number => (le ? out.writeInt32LE(v | 0, off) : out.writeInt32BE(v | 0, off));
  u32(SV_SPEC_MAGIC, 0);
  i32(version, 4);
  u32(size, 8);
  u32(fields.sn, 12);
  u32(Math.floor(time / 1000), 16);
  u32(Math.round((time % 1000) * 1000), 20);
  i32(fields.cmd, 24);
  i32(enc.type, 28);
  u32(enc.rows, 32);
  u32(enc.cols, 36);
  u32(enc.len, 40);
  let off = 44;
  if (version >= 3) {
    i32(fields.err ?? 0, off);
    off += 4;
  }
  if (version >= 4) {
    i32(fields.flags ?? 0, off);
    off += 4;
  }
  name.copy(out, off);
  return out;
}

/** Header and body of a frame as two buffers (the body can then go out without another copy). */
export function encodeParts(fields: FrameFields, options: EncodeOptions = {}): [Buffer, Buffer] {
  const enc = encodeValue(fields.value, options.littleEndian ?? HOST_LE, fields.type);
  return [encodeHeader(fields, { ...enc, len: enc.body.length }, options), enc.body];
}

/** Writes a full frame (header + body) in the given byte order and header version (default 4). */
export function encodeFrame(fields: FrameFields, options: EncodeOptions = {}): Buffer {
  const [header, body] = encodeParts(fields, options);
  return body.length === 0 ? header : Buffer.concat([header, body], header.length + body.length);
}

// ---------------------------------------------------------------------------------------------
// bytes -> values

function cString(buf: Buffer): string {
  const nul = buf.indexOf(0);
  return buf.toString('utf8', 0, nul < 0 ? buf.length : nul);
}

const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$|^[+-]?(?:inf|nan)$/i;

/** Numeric text becomes a number (SPEC sends every ASSOC element and every DOUBLE as text). */
export function parseNumberText(s: string): number | undefined {
  const t = s.trim();
  if (!NUMERIC.test(t)) return undefined;
  const lower = t.toLowerCase();
  if (lower.endsWith('nan')) return NaN;
  if (lower.endsWith('inf')) return lower.startsWith('-') ? -Infinity : Infinity;
  return Number(t);
}

function assocScalar(s: string): number | string {
  const n = parseNumberText(s);
  return n === undefined ? s : n;
}

/** Decodes `key\0value\0...` (final extra NUL optional) into a SpecAssoc with 2-D keys nested. */
export function decodeAssoc(body: Buffer): SpecAssoc {
  const out: SpecAssoc = {};
  const parts = body.toString('utf8').split('\0');
  // A well-formed body ends in NUL (one or two); the split leaves empty tails: drop them.
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  if (parts.length % 2 !== 0) {
    // A last key without its value: take the value as empty, as SPEC would print it.
    parts.push('');
  }
  for (let i = 0; i < parts.length; i += 2) {
    const key = parts[i];
    const value = assocScalar(parts[i + 1]);
    const sep = key.indexOf(ASSOC_KEY_SEPARATOR);
    if (sep < 0) {
      const existing = out[key];
      if (existing !== undefined && typeof existing === 'object') existing[''] = value;
      else out[key] = value;
    } else {
      const k1 = key.slice(0, sep);
      const k2 = key.slice(sep + 1);
      let inner = out[k1];
      if (inner === undefined || typeof inner !== 'object') {
        const nested: Record<string, number | string> = {};
        if (inner !== undefined) nested[''] = inner;
        out[k1] = inner = nested;
      }
      inner[k2] = value;
    }
  }
  return out;
}

/** A buffer whose own ArrayBuffer starts at offset 0, so any typed array view is aligned. */
function aligned(body: Buffer, bytes: number, elementSize: number): Buffer {
  if (body.byteOffset % elementSize === 0) return body.subarray(0, bytes);
  const copy = Buffer.allocUnsafeSlow(bytes);
  body.copy(copy, 0, 0, bytes);
  return copy;
}

function typedView(type: SpecArrayType, b: Buffer, count: number): SpecArrayData {
  const { buffer, byteOffset } = b;
  switch (type) {
    case SpecType.ARR_DOUBLE: return new Float64Array(buffer, byteOffset, count);
    case SpecType.ARR_FLOAT: return new Float32Array(buffer, byteOffset, count);
    case SpecType.ARR_LONG: return new Int32Array(buffer, byteOffset, count);
    case SpecType.ARR_ULONG: return new Uint32Array(buffer, byteOffset, count);
    case SpecType.ARR_SHORT: return new Int16Array(buffer, byteOffset, count);
    case SpecType.ARR_USHORT: return new Uint16Array(buffer, byteOffset, count);
    case SpecType.ARR_CHAR: return new Int8Array(buffer, byteOffset, count);
    case SpecType.ARR_UCHAR: return new Uint8Array(buffer, byteOffset, count);
    case SpecType.ARR_LONG64: return new BigInt64Array(buffer, byteOffset, count);
    case SpecType.ARR_ULONG64: return new BigUint64Array(buffer, byteOffset, count);
    default: throw new ProtocolError(`not a numeric array type: ${type}`, { operation: 'decode' });
  }
}

/**
 * Decodes an array body: exactly rows*cols*size bytes, or one more (SPEC may add a NUL). The
 * result views the body's memory when it is aligned and in host order (no copy); else one copy.
 * Callers must not reuse `body`.
 */
export function decodeArray(type: SpecArrayType, rows: number, cols: number, body: Buffer, littleEndian: boolean): SpecArray {
  if (type === SpecType.ARR_STRING) {
    const need = rows * cols;
    if (body.length !== need && body.length !== need + 1) {
      throw new ProtocolError(`ARR_STRING ${rows} x ${cols} needs ${need} bytes, got ${body.length}`, { operation: 'decode' });
    }
    const strings: string[] = [];
    for (let r = 0; r < rows; r++) strings.push(cString(body.subarray(r * cols, (r + 1) * cols)));
    return new SpecArray(type, rows, cols, strings);
  }
  const size = ARRAY_ELEMENT_SIZE[type] as number;
  const count = rows * cols;
  const bytes = count * size;
  if (!Number.isSafeInteger(bytes) || (body.length !== bytes && body.length !== bytes + 1)) {
    throw new ProtocolError(`array ${rows} x ${cols} of ${size}-byte elements needs ${bytes} bytes, got ${body.length}`, { operation: 'decode' });
  }
  let b = aligned(body, bytes, size);
  if (size > 1 && littleEndian !== HOST_LE) {
    if (b === body || b.buffer === body.buffer) b = Buffer.from(b.subarray(0, bytes)); // keep the caller's bytes intact only if shared
    swapInPlace(b, size);
  }
  return new SpecArray(type, rows, cols, typedView(type, b, count));
}

/** Decodes a body by its type code. */
export function decodeValue(type: number, rows: number, cols: number, body: Buffer, littleEndian: boolean): SpecValue {
  switch (type) {
    case SpecType.DOUBLE: {
      const s = cString(body);
      if (s.trim() === '') return null;
      const n = parseNumberText(s);
      if (n === undefined) throw new ProtocolError(`DOUBLE body is not a number: ${JSON.stringify(s.slice(0, 40))}`, { operation: 'decode' });
      return n;
    }
    case SpecType.STRING:
    case SpecType.ERROR:
      return cString(body);
    case SpecType.ASSOC:
      return decodeAssoc(body);
    default:
      if (isArrayType(type)) return decodeArray(type, rows, cols, body, littleEndian);
      throw new ProtocolError(`unknown data type ${type}`, { operation: 'decode' });
  }
}

/** Byte order from the magic at `buf[0..3]`, or undefined when it is not SPEC's magic. */
export function byteOrderOf(buf: Buffer): boolean | undefined {
  if (buf.readUInt32LE(0) === SV_SPEC_MAGIC) return true;
  if (buf.readUInt32BE(0) === SV_SPEC_MAGIC) return false;
  return undefined;
}

/** The smallest header a version may declare (versions after 4 at least v4's layout). */
function minHeaderSize(version: number): number {
  return version <= 2 ? HEADER_SIZES[2] : version === 3 ? HEADER_SIZES[3] : HEADER_SIZES[4];
}

/**
 * Decodes a header from `buf` (at least `size` bytes, size from the prefix). Fields past the layout
 * of the declared version are skipped; the name follows the last known field.
 */
export function decodeHeader(buf: Buffer, maxBody = DEFAULT_MAX_BODY): SpecHeader & { littleEndian: boolean } {
  if (buf.length < HEADER_PREFIX) throw new ProtocolError(`header needs ${HEADER_PREFIX} bytes, got ${buf.length}`, { operation: 'decode' });
  const le = byteOrderOf(buf);
  if (le === undefined) throw new ProtocolError(`bad magic 0x${buf.readUInt32BE(0).toString(16).padStart(8, '0')}`, { operation: 'decode' }, 'EBADMAGIC');
  const u32 = (off: number): number => (le ? buf.readUInt32LE(off) : buf.readUInt32BE(off));
  const i32 = (off: number): number => (le ? buf.readInt32LE(off) : buf.readInt32BE(off));
  const version = i32(4);
  const size = u32(8);
  if (version < 2) throw new ProtocolError(`header version ${version} not supported`, { operation: 'decode' });
  if (size < minHeaderSize(version) || size > MAX_HEADER_SIZE) {
    throw new ProtocolError(`header size ${size} invalid for version ${version}`, { operation: 'decode' });
  }
  if (buf.length < size) throw new ProtocolError(`header needs ${size} bytes, got ${buf.length}`, { operation: 'decode' });
  let off = 44;
  let err = 0;
  let flags = 0;
  if (version >= 3) {
    err = i32(off);
    off += 4;
  }
  if (version >= 4) {
    flags = i32(off);
    off += 4;
  }
  const len = u32(40);
  if (len > maxBody) throw new ProtocolError(`body of ${len} bytes exceeds the ${maxBody}-byte limit`, { operation: 'decode' }, 'ETOOBIG');
  return {
    littleEndian: le,
    version,
    size,
    sn: u32(12),
    sec: u32(16),
    usec: u32(20),
    cmd: i32(24),
    type: i32(28),
    rows: u32(32),
    cols: u32(36),
    len,
    err,
    flags,
    name: buf.toString('latin1', off, off + Math.min(SV_NAME_LEN, size - off)).replace(/\0.*$/s, ''),
  };
}

/** Decodes one complete frame held in `buf` (header + exactly `len` body bytes). */
export function decodeFrame(buf: Buffer, maxBody = DEFAULT_MAX_BODY): SpecMessage {
  const header = decodeHeader(buf, maxBody);
  if (buf.length !== header.size + header.len) {
    throw new ProtocolError(`frame of ${buf.length} bytes, header says ${header.size + header.len}`, { operation: 'decode' });
  }
  const body = buf.subarray(header.size);
  return { ...header, value: decodeValue(header.type, header.rows, header.cols, body, header.littleEndian), deleted: isDeleted(header.flags) };
}

/**
 * Streaming decoder: `push()` any chunks as they arrive; it returns every complete frame. A
 * framing error (bad magic, impossible sizes) throws a ProtocolError and leaves the decoder empty
 * (`reset()` is implied): the stream is out of step and the caller should drop the connection.
 * A body that does not decode for its type throws too, after the frame was consumed, so the
 * stream stays in step: that frame comes out with `error` set and `value` null.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private header: (SpecHeader & { littleEndian: boolean }) | undefined;

  /** Reusable read buffer for `readTarget()` outside large bodies. */
  private scratch: Buffer | undefined;
  /** A large body being read straight into its final buffer (socket `onread` path). */
  private direct: Buffer | undefined;
  private directFill = 0;

  constructor(private readonly maxBody = DEFAULT_MAX_BODY) {}

  /**
   * Zero-copy reading for a socket's `onread` option: the buffer the next read should land in.
   * While a large body is in progress this is the unfilled rest of that body (so the kernel copies
   * straight into the array the caller gets); otherwise a reusable 64 KiB scratch buffer.
   */
  readTarget(): Buffer {
    if (this.direct) return this.direct.subarray(this.directFill);
    return (this.scratch ??= Buffer.allocUnsafe(65536));
  }

  /** Zero-copy reading: `n` bytes landed in the buffer `readTarget()` returned. */
  onRead(n: number): SpecMessage[] {
    if (n <= 0) return [];
    if (this.direct) {
      this.directFill += n;
      const header = this.header as SpecHeader & { littleEndian: boolean };
      if (this.directFill < header.len) return [];
      const body = this.direct;
      this.direct = undefined;
      this.directFill = 0;
      this.header = undefined;
      const out: SpecMessage[] = [];
      this.finishFrame(header, body, out);
      return out;
    }
    const out = this.push(Buffer.from((this.scratch as Buffer).subarray(0, n)));
    // A large body has begun: move what is buffered into its final buffer and read the rest there.
    if (this.header && this.header.len >= DIRECT_MIN && this.buffered < this.header.len) {
      const body = Buffer.allocUnsafeSlow(this.header.len);
      let filled = 0;
      for (const c of this.chunks) filled += c.copy(body, filled);
      this.chunks = [];
      this.buffered = 0;
      this.direct = body;
      this.directFill = filled;
    }
    return out;
  }

  /** Bytes held that do not yet make a frame. */
  get pending(): number {
    return this.buffered;
  }

  reset(): void {
    this.chunks = [];
    this.buffered = 0;
    this.header = undefined;
    this.direct = undefined;
    this.directFill = 0;
  }

  push(chunk: Buffer): SpecMessage[] {
    const out: SpecMessage[] = [];
    try {
      this.feed(chunk, out);
    } catch (e) {
      this.reset();
      (e as { frames?: SpecMessage[] }).frames = out;
      throw e;
    }
    return out;
  }

  private take(n: number): Buffer {
    // Returns exactly n bytes from the front of the buffered chunks.
    const first = this.chunks[0];
    let result: Buffer;
    if (first.length >= n) {
      result = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      result = Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const c = this.chunks[0];
        const k = Math.min(c.length, n - filled);
        c.copy(result, filled, 0, k);
        filled += k;
        if (k === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(k);
      }
    }
    this.buffered -= n;
    return result;
  }

  /** The next `n` bytes in a buffer of their own (offset 0, so typed views are aligned). */
  private takeBody(n: number): Buffer {
    const first = this.chunks[0];
    // Large bodies already whole in one aligned chunk are used in place; small ones are copied
    // so a kept value does not pin a whole socket read buffer.
    if (n >= 65536 && first.length >= n && first.byteOffset % 8 === 0) return this.take(n);
    const out = Buffer.allocUnsafeSlow(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0];
      const k = Math.min(c.length, n - filled);
      c.copy(out, filled, 0, k);
      filled += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    this.buffered -= n;
    return out;
  }

  private peekPrefix(): Buffer {
    if (this.chunks[0].length >= HEADER_PREFIX) return this.chunks[0];
    const out = Buffer.alloc(HEADER_PREFIX);
    let filled = 0;
    for (const c of this.chunks) {
      filled += c.copy(out, filled, 0, Math.min(c.length, HEADER_PREFIX - filled));
      if (filled === HEADER_PREFIX) break;
    }
    return out;
  }

  private feed(chunk: Buffer, out: SpecMessage[]): void {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    for (;;) {
      if (!this.header) {
        if (this.buffered < HEADER_PREFIX) return;
        const prefix = this.peekPrefix();
        const le = byteOrderOf(prefix);
        if (le === undefined) decodeHeader(prefix, this.maxBody); // throws the bad-magic error
        const size = le ? prefix.readUInt32LE(8) : prefix.readUInt32BE(8);
        const version = le ? prefix.readInt32LE(4) : prefix.readInt32BE(4);
        if (version < 2 || size < minHeaderSize(version) || size > MAX_HEADER_SIZE) decodeHeader(prefix, this.maxBody);
        if (this.buffered < size) return;
        this.header = decodeHeader(this.take(size), this.maxBody);
      }
      const header = this.header;
      // push(): memory follows what arrived, never what a header claims; wait for the whole body.
      if (this.buffered < header.len) return;
      this.header = undefined;
      const body = header.len === 0 ? Buffer.alloc(0) : this.takeBody(header.len);
      this.finishFrame(header, body, out);
    }
  }

  private finishFrame(header: SpecHeader & { littleEndian: boolean }, body: Buffer, out: SpecMessage[]): void {
    let value: SpecValue = null;
    try {
      value = decodeValue(header.type, header.rows, header.cols, body, header.littleEndian);
    } catch (e) {
      // The frame was consumed whole, so the stream is still in step: hand the error on with it.
      const error = e instanceof ProtocolError ? e : new ProtocolError(String((e as Error).message ?? e), { operation: 'decode', cause: e });
      out.push(Object.assign(header, { value: null, deleted: isDeleted(header.flags), error }));
      return;
    }
    // The header object is this frame's own: complete it in place (no copy per frame).
    const m = header as SpecHeader & { littleEndian: boolean; value: SpecValue; deleted: boolean };
    m.value = value;
    m.deleted = isDeleted(header.flags);
    out.push(m);
  }
}
