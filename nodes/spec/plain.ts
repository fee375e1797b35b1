/**
 * Values between flows and SPEC: short status texts, property and mnemonic checks, and what a
 * flow sends checked and shaped for the engine (the engine's toPlain makes its values JSON-safe).
 */
import { InvalidArgumentError } from '../../lib/common/errors';
import { toSpecArray, type SpecValue } from '../../lib/spec';

/** A short text of a value for a node status. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (typeof value === 'string') return JSON.stringify(value.replace(/\s+/g, ' ').trim());
  if (Array.isArray(value)) return `[${value.length} values]`;
  if (typeof value === 'object') return `{${Object.keys(value).length} keys}`;
  return String(value);
}

/** A property name as SPEC knows it: no blanks, not empty, not starting with `/`. */
export function checkProperty(value: unknown, name = 'property'): string {
  if (typeof value !== 'string' || !/^[^\s/]\S*$/.test(value)) {
    throw new InvalidArgumentError(`${name} must be a SPEC property such as "var/x" or "motor/tth/position", got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A motor mnemonic: letters, digits and underscores, not starting with a digit. */
export function checkMnemonic(value: unknown, name = 'motor'): string {
  if (typeof value !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) {
    throw new InvalidArgumentError(`${name} must be a motor mnemonic such as "tth", got ${JSON.stringify(value)}`);
  }
  return value;
}

/** `msg.payload` fields, when it is a plain object. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v) && !ArrayBuffer.isView(v);
}

/** A flow value as the engine sends it; anything SPEC cannot hold is an InvalidArgumentError. */
export function toSpecValue(value: unknown): SpecValue | boolean {
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) {
    if (value.length === 0) throw new InvalidArgumentError('cannot write an empty array to SPEC');
    return toSpecArray(value as Array<number | string>);
  }
  if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      const ok = (x: unknown): boolean => typeof x === 'number' || typeof x === 'string' || typeof x === 'boolean';
      if (ok(v)) continue;
      if (isPlainObject(v) && Object.values(v).every(ok)) continue;
      throw new InvalidArgumentError(`associative array element ${JSON.stringify(k)} must be a number or string (or one level of them)`);
    }
    return value as SpecValue;
  }
  throw new InvalidArgumentError(`cannot write ${value === null ? 'null' : value === undefined ? 'nothing' : typeof value} to SPEC: send a number, string, array or object`);
}
