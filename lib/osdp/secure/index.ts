/** OSDP Secure Channel: crypto, sealing/opening of secured frames, CP and PD session state machines. */
export * from './types';
export * from './crypto';
export * from './frame';
export * from './channel';
export * from './session';
export * from './adapter-types';
export * from './cp-session';
export * from './pd-session';
export * from './rotate';
export * from './sim-options';
