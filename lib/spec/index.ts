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
