/** Conversions between SPEC values and plain JSON-safe data for flows (msg.payload). */
import { InvalidArgumentError } from '../common';
import { SpecArray, SpecType, type SpecArrayType, type SpecAssoc, type SpecValue } from './types';

export type PlainValue = number | string | null | Array<number | string> | Array<Array<number | string>> | Record<string, unknown>;

/**
 * A JSON-safe copy of a SPEC value: arrays become lists (1-D stays flat, 2-D is a list of rows;
 * 64-bit integers beyond 2^53 become decimal strings); associative arrays plain objects.
 * NaN and infinities stay numbers (JSON turns them into null).
 */
export function toPlain(value: SpecValue): PlainValue {
  if (value instanceof SpecArray) return value.toJSON();
  if (value !== null && typeof value === 'object') return JSON.parse(JSON.stringify(value)) as SpecAssoc;
  return value;
}

const CTORS = {
  [SpecType.ARR_DOUBLE]: Float64Array,
  [SpecType.ARR_FLOAT]: Float32Array,
  [SpecType.ARR_LONG]: Int32Array,
  [SpecType.ARR_ULONG]: Uint32Array,
  [SpecType.ARR_SHORT]: Int16Array,
  [SpecType.ARR_USHORT]: Uint16Array,
  [SpecType.ARR_CHAR]: Int8Array,
  [SpecType.ARR_UCHAR]: Uint8Array,
} as const;

/**
 * Builds a SpecArray from plain data for write(): a flat list (1-D, one row) or a list of equal
 * rows (2-D) of numbers (default ARR_DOUBLE) or strings (ARR_STRING).
 */
export function toSpecArray(data: ReadonlyArray<number | string | bigint> | ReadonlyArray<ReadonlyArray<number | string | bigint>>, type?: SpecArrayType): SpecArray {
  if (!Array.isArray(data)) throw new InvalidArgumentError('array data must be a list', { operation: 'encode' });
  const twoD = data.length > 0 && Array.isArray(data[0]);
  const rowsList = (twoD ? data : [data]) as ReadonlyArray<ReadonlyArray<number | string | bigint>>;
  const rows = rowsList.length;
  const cols = rows > 0 ? rowsList[0].length : 0;
  for (const r of rowsList) {
    if (!Array.isArray(r) || r.length !== cols) throw new InvalidArgumentError('2-D array rows must all have the same length', { operation: 'encode' });
  }
  const flat = rowsList.flat();
  const t = type ?? (flat.some((v) => typeof v === 'string') ? SpecType.ARR_STRING : SpecType.ARR_DOUBLE);
  if (t === SpecType.ARR_STRING) {
    if (twoD) throw new InvalidArgumentError('a string array is a list of strings', { operation: 'encode' });
    const strings = flat.map(String);
    return new SpecArray(t, strings.length, 0, strings);
  }
  if (t === SpecType.ARR_LONG64 || t === SpecType.ARR_ULONG64) {
    const arr = t === SpecType.ARR_LONG64 ? new BigInt64Array(flat.length) : new BigUint64Array(flat.length);
    flat.forEach((v, i) => {
      try {
        arr[i] = BigInt(v as number | bigint | string);
      } catch {
        throw new InvalidArgumentError(`array element ${i} is not an integer: ${String(v)}`, { operation: 'encode' });
      }
    });
    return new SpecArray(t, rows, cols, arr);
  }
  const Ctor = CTORS[t as keyof typeof CTORS];
  if (!Ctor) throw new InvalidArgumentError(`not an array type: ${t}`, { operation: 'encode' });
  const arr = new Ctor(flat.length);
  flat.forEach((v, i) => {
    const n = Number(v);
    if (Number.isNaN(n) && v !== 'nan') throw new InvalidArgumentError(`array element ${i} is not a number: ${String(v)}`, { operation: 'encode' });
    arr[i] = n;
  });
  return new SpecArray(t, rows, cols, arr);
}
