/** OSDP Secure Channel: crypto, sealing/opening of secured frames, CP and PD session state machines. */
export * from './types';
export * from './crypto';
// Frame helpers for secured frames; the engine's codec (lib/osdp/codec/frame) is the general one.
export { buildFrame, splitFrame, type SplitFrame } from './frame';
export * from './channel';
export * from './session';
export * from './adapter-types';
export * from './cp-session';
export * from './pd-session';
export * from './rotate';
export * from './sim-options';
