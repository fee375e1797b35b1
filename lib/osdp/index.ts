/**
 * fieldlink OSDP engine (SIA OSDP v2.2): a control panel and a peripheral device after libosdp,
 * with the frame codec, typed payload codecs, channels (serial, TCP client/server, in-memory) and
 * a simulator. `import { ControlPanel } from '@fieldlink/node-red-fieldlink/osdp'`.
 */
export * from './types';
export * from './errors';
export * from './clock';
export { ControlPanel } from './cp';
export type { PdConfig, ControlPanelOptions, PdRef, PdInfo, CpEventRecord, SendOptions, ControlPanelEvents } from './cp';
export { PeripheralDevice, PdBus, DEFAULT_CAPABILITIES, DEFAULT_PD_ID } from './pd';
export type { PeripheralDeviceOptions, CommandHandler, CommandHandlerResult, CommandHook, PdStatusState, PdMetricsSnapshot } from './pd';
export type * from './session';
export * from './channels';
export { crc16, checksum8 } from './codec/check';
export * from './codec/frame';
export { FrameParser } from './codec/parser';
export type { ParserOptions, ParserStats, Direction } from './codec/parser';
export { encodeCommand, decodeCommand, COMMAND_NAMES, LED_RECORD_LENGTH, TEXT_MAX_LENGTH } from './codec/commands';
export type { Payload } from './codec/commands';
export { encodeReply, decodeReply, REPLY_NAMES } from './codec/replies';
export { PayloadError } from './codec/payload-error';
export * from './wiegand';
export * from './helpers';
export { FieldlinkError, TimeoutError, ProtocolError, NotFoundError, InvalidArgumentError, RejectedError, NotConnectedError, AbortedError, QueueFullError } from '../common';
// Secure Channel, key store, file transfer and packet capture (issue 6 modules).
export * from './secure';
export * from './file-transfer';
export * from './keystore';
export * from './pcap';
export * from './capture';
