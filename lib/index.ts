/**
 * fieldlink's protocol engines. Import one by its own entry point to load only what you use:
 * `import { ControlPanel } from '@fieldlink/node-red-fieldlink/osdp'`.
 */
export * from './common';
