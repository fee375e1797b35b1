/**
 * `@fieldlink/node-red-fieldlink/spec`: a client for certif.com SPEC servers (`spec -S`), its
 * codec, and a SPEC server simulator with a small diffractometer.
 *
 * ```ts
 * const spec = new SpecClient({ host: 'localhost:fourc' });
 * await spec.connect();
 * await spec.motor('tth').move(10, { onProgress: (p) => console.log(p.position) });
 * console.log(await spec.count(1)); // { sec: 1, mon: ..., det: ... }
 * const { value, output } = await spec.run('wm tth th');
 * ```
 *
 * Values (`SpecValue`): numbers (DOUBLE), strings (STRING), plain objects for associative arrays
 * (a 2-D key `a["x"]["y"]` becomes `{ x: { y: ... } }`), and `SpecArray` for data arrays: `type`,
 * `rows`, `cols` and a row-major typed array `data` (Float64Array for ARR_DOUBLE ... BigInt64Array
 * for ARR_LONG64; string[] for ARR_STRING). A 1-D SPEC array (one row) stays 1-D; `toPlain()` /
 * `toJSON()` give a flat list for it and a list of rows for a 2-D array. `toSpecArray()` builds one
 * from plain lists for `write()`.
 */
export * from './types';
export * from './api';
export * from './errors';
export { SpecClient, specLiteral, scanSpecServers } from './client';
export { SpecWatch } from './watch';
export { SpecMotor, moveMotors } from './motor';
export { resolveAddress, type SpecAddress } from './address';
export {
  FrameDecoder,
  decodeFrame,
  decodeHeader,
  decodeValue,
  decodeAssoc,
  encodeFrame,
  encodeValue,
  formatNumber,
  type FrameFields,
  type EncodeOptions,
} from './codec';
export { toPlain, toSpecArray } from './values';
export { SpecSimulator, startSpecSimulator, startSimulator, type SpecSimulatorOptions } from './simulator';
export { DEFAULT_MOTORS, type SimMotorConfig } from './sim-model';
