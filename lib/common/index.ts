export * from './errors';
export * from './deadline';
export * from './queue';
export * from './hexdump';
export * from './sim';
