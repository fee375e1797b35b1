/** OSDP file transfer: FILETRANSFER/FTSTAT codec, CP sender, PD receiver, file hooks. */
export * from './types';
export * from './codec';
export * from './sender';
export * from './receiver';
export * from './fs-ops';
export * from './engine';
