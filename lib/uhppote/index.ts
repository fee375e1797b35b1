/**
 * `@fieldlink/node-red-fieldlink/uhppote`: the UHPPOTE UT0311-L0x access controller engine.
 *
 * - `Uhppote`: one async method per controller function plus the record-level calls of
 *   uhppoted-lib-python 0.9, over UDP broadcast, directed UDP or TCP.
 * - `UhppoteListener` (or `uhppote.listen()`): controller events.
 * - `UhppoteSimulator`: controllers in a process, for tests and the demo.
 * - Enums with readable text, typed errors, and the codec for those who need raw frames.
 */
export * from './types';
export * from './enums';
export * from './errors';
export { Uhppote, DEFAULT_TIMEOUT } from './uhppote';
export { UhppoteListener, type UhppoteListenerOptions, type UhppoteListenerEvents } from './listener';
export { parseEndpoint, resolveController, DEFAULT_PORT, type Endpoint } from './address';
export { UhppoteSimulator, SimController, type UhppoteSimulatorOptions, type SimControllerConfig, type SimEvent, type SimCard, type MalformKind, type SimulatorStats } from './simulator';
export * as codec from './codec';
