/**
 * SPEC server protocol constants and the value types the engine hands out. Layout facts from the
 * certif.com server documentation (`spec_server.h`): a fixed header of 4-byte fields in the sender's
 * byte order, then `len` body bytes.
 */

/** `svr_head.magic`; its byte order tells the reader the sender's byte order. */
export const SV_SPEC_MAGIC = 0xfeedface;
/** The header version this engine writes. */
export const SV_VERSION = 4;
/** `svr_head.name` length, NUL-padded. */
export const SV_NAME_LEN = 80;
/** Header sizes by version: 11 words + name (v2), + err (v3), + flags (v4). */
export const HEADER_SIZES: Readonly<Record<2 | 3 | 4, number>> = { 2: 124, 3: 128, 4: 132 };
/** Default TCP port range SPEC servers listen on (`spec -S` takes the first free one). */
export const SV_PORT_FIRST = 6510;
export const SV_PORT_LAST = 6530;
/** `svr_head.flags` bit for a deleted property, in current documentation. */
export const SV_DELETED = 0x1000;
/** The same flag as older headers define it; either means deleted. */
export const SV_DELETED_OLD = 0x0001;
/** Separator of the two parts of a 2-D associative array key (`arr[1][2]` -> `"1\x1c2"`). */
export const ASSOC_KEY_SEPARATOR = '\x1c';

/** `svr_head.cmd` codes. */
export enum SpecCommand {
  CLOSE = 1,
  ABORT = 2,
  CMD = 3,
  CMD_WITH_RETURN = 4,
  RETURN = 5,
  REGISTER = 6,
  UNREGISTER = 7,
  EVENT = 8,
  FUNC = 9,
  FUNC_WITH_RETURN = 10,
  CHAN_READ = 11,
  CHAN_SEND = 12,
  REPLY = 13,
  HELLO = 14,
  HELLO_REPLY = 15,
}

/** `svr_head.type` codes. */
export enum SpecType {
  DOUBLE = 1,
  STRING = 2,
  ERROR = 3,
  ASSOC = 4,
  ARR_DOUBLE = 5,
  ARR_FLOAT = 6,
  ARR_LONG = 7,
  ARR_ULONG = 8,
  ARR_SHORT = 9,
  ARR_USHORT = 10,
  ARR_CHAR = 11,
  ARR_UCHAR = 12,
  ARR_STRING = 13,
  ARR_LONG64 = 14,
  ARR_ULONG64 = 15,
}

/** The array element types (ARR_*), numeric and string. */
export type SpecArrayType =
  | SpecType.ARR_DOUBLE
  | SpecType.ARR_FLOAT
  | SpecType.ARR_LONG
  | SpecType.ARR_ULONG
  | SpecType.ARR_SHORT
  | SpecType.ARR_USHORT
  | SpecType.ARR_CHAR
  | SpecType.ARR_UCHAR
  | SpecType.ARR_STRING
  | SpecType.ARR_LONG64
  | SpecType.ARR_ULONG64;

/** The JavaScript container of each array type's elements (row-major, rows x cols). */
export type SpecArrayData =
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array
  | BigInt64Array
  | BigUint64Array
  | string[];

/** Bytes per element of each numeric array type. */
export const ARRAY_ELEMENT_SIZE: Readonly<Partial<Record<SpecType, number>>> = {
  [SpecType.ARR_DOUBLE]: 8,
  [SpecType.ARR_FLOAT]: 4,
  [SpecType.ARR_LONG]: 4,
  [SpecType.ARR_ULONG]: 4,
  [SpecType.ARR_SHORT]: 2,
  [SpecType.ARR_USHORT]: 2,
  [SpecType.ARR_CHAR]: 1,
  [SpecType.ARR_UCHAR]: 1,
  [SpecType.ARR_LONG64]: 8,
  [SpecType.ARR_ULONG64]: 8,
};

export function isArrayType(type: number): type is SpecArrayType {
  return type >= SpecType.ARR_DOUBLE && type <= SpecType.ARR_ULONG64;
}

/**
 * A SPEC data array: `rows` x `cols` elements, row-major in `data`. A 1-D SPEC array (`rows` 1)
 * stays 1-D: `toJSON()` gives a flat list for it and a list of rows only for a real 2-D array.
 */
export class SpecArray<D extends SpecArrayData = SpecArrayData> {
  constructor(
    readonly type: SpecArrayType,
    readonly rows: number,
    readonly cols: number,
    readonly data: D,
  ) {}

  /** True when SPEC declared two dimensions (more than one row). */
  get is2D(): boolean {
    return this.rows > 1 && this.type !== 13; // ARR_STRING: one string per row, a flat list
  }

  get length(): number {
    return this.data.length;
  }

  /** Element at (row, col), or at flat index `row` when `col` is omitted. */
  get(row: number, col?: number): number | bigint | string | undefined {
    const i = col === undefined ? row : row * this.cols + col;
    return (this.data as ArrayLike<number | bigint | string>)[i];
  }

  /** JSON-safe copy: numbers (64-bit integers as numbers when safe, else decimal strings), strings. */
  toJSON(): Array<number | string> | Array<Array<number | string>> {
    const flat: Array<number | string> = [];
    const data = this.data as ArrayLike<number | bigint | string>;
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (typeof v === 'bigint') {
        flat.push(v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString());
      } else flat.push(v);
    }
    if (!this.is2D) return flat;
    const out: Array<Array<number | string>> = [];
    for (let r = 0; r < this.rows; r++) out.push(flat.slice(r * this.cols, (r + 1) * this.cols));
    return out;
  }
}

/** A scalar inside an associative array: SPEC sends text; numeric text becomes a number. */
export type SpecAssocScalar = number | string;
/**
 * An associative array. 1-D keys map to scalars; a 2-D key `arr["a"]["b"]` (sent as `a\x1cb`) becomes
 * a nested object `{ a: { b: ... } }`. Where SPEC has both `arr["a"]` and `arr["a"]["b"]`, the 1-D
 * value is kept in the nested object under the empty key `""`.
 */
export interface SpecAssoc {
  [key: string]: SpecAssocScalar | { [key2: string]: SpecAssocScalar };
}

/** Every value the engine hands out or accepts. `null` is a body with nothing in it. */
export type SpecValue = number | string | SpecAssoc | SpecArray | null;

/** One decoded header. `version`/`size` are as received; the engine writes version 4. */
export interface SpecHeader {
  version: number;
  /** Header size in bytes as the sender declared it. */
  size: number;
  /** Serial number: a reply carries the serial of its request. */
  sn: number;
  sec: number;
  usec: number;
  cmd: SpecCommand;
  type: SpecType;
  rows: number;
  cols: number;
  /** Body length in bytes. */
  len: number;
  /** Error number (v3+; 0 otherwise). */
  err: number;
  /** Flags (v4; 0 otherwise). */
  flags: number;
  /** Property, function or SPEC name; NUL-padded to 80 bytes on the wire. */
  name: string;
}

/** One decoded frame: header, byte order it came in, and the decoded body. */
export interface SpecMessage extends SpecHeader {
  littleEndian: boolean;
  value: SpecValue;
  /** True when flags carry SV_DELETED (0x1000) or the older 0x0001. */
  deleted: boolean;
  /** Set (and `value` null) when the header was fine but the body did not decode for its type. */
  error?: import('../common').ProtocolError;
}

/** True when either documented deleted bit is set. */
export function isDeleted(flags: number): boolean {
  return (flags & (SV_DELETED | SV_DELETED_OLD)) !== 0;
}
