/**
 * A channel is the byte pipe under an OSDP bus: an RS-485 serial port, a TCP connection to a
 * serial device server, a TCP server a device server connects to, or an in-memory pair for tests.
 * Events: 'data' (Buffer), 'open', 'close' (Error | undefined: the link dropped; not emitted by close()),
 * 'peer' ({ connected, remote }) for servers.
 */
import { EventEmitter } from 'node:events';

export interface Channel extends EventEmitter {
  /** A label for logs and status: `serial:/dev/ttyUSB0@9600`, `tcp:10.0.0.5:4001`. */
  readonly name: string;
  /** Bus baud rate, for reply deadlines (undefined = no line-time allowance). */
  readonly baudRate?: number;
  readonly isOpen: boolean;
  open(): Promise<void>;
  close(): Promise<void>;
  /** Writes bytes; rejects with NotConnectedError when closed. */
  write(data: Buffer): Promise<void>;
  /** Changes the line speed (serial only; others just remember it). */
  setBaudRate?(baudRate: number): Promise<void>;
}

export type Parity = 'none' | 'even' | 'odd';

export interface SerialChannelOptions {
  type: 'serial';
  /** `/dev/ttyUSB0`, `/dev/serial/by-id/...`, `COM3`. */
  path: string;
  /** Default 9600 (the OSDP default). */
  baudRate?: number;
  /** Default 'none' (8N1). */
  parity?: Parity;
}
export interface TcpClientChannelOptions {
  type: 'tcp';
  host: string;
  port: number;
  /** The baud rate of the serial line behind the device server, for reply deadlines. */
  baudRate?: number;
  /** Connect timeout in ms (default 5000). */
  connectTimeout?: number;
}
export interface TcpServerChannelOptions {
  type: 'tcp-server';
  /** Default 0.0.0.0. */
  host?: string;
  /** 0 picks a free port (see `port` after open()). */
  port: number;
  baudRate?: number;
}
export type ChannelOptions = SerialChannelOptions | TcpClientChannelOptions | TcpServerChannelOptions;
