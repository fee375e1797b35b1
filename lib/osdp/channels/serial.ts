/** RS-485 through `serialport` (USB adapters, on-board UARTs, one end of a pty pair). 8 data bits, 1 stop bit. */
import { EventEmitter } from 'node:events';
import { SerialPort } from 'serialport';
import { NotConnectedError, toFieldlinkError } from '../../common/errors';
import type { Channel, Parity, SerialChannelOptions } from './channel';

export class SerialChannel extends EventEmitter implements Channel {
  private port?: SerialPort;
  private closing = false;
  baudRate: number;
  readonly parity: Parity;

  constructor(private readonly options: Omit<SerialChannelOptions, 'type'>) {
    super();
    this.baudRate = options.baudRate ?? 9600;
    this.parity = options.parity ?? 'none';
  }

  get name(): string {
    return `serial:${this.options.path}@${this.baudRate}`;
  }

  get isOpen(): boolean {
    return this.port?.isOpen === true;
  }

  open(): Promise<void> {
    if (this.isOpen) return Promise.resolve();
    this.closing = false;
    return new Promise((resolve, reject) => {
      let port: SerialPort;
      try {
        port = new SerialPort({ path: this.options.path, baudRate: this.baudRate, parity: this.parity, dataBits: 8, stopBits: 1, autoOpen: false });
      } catch (err) {
        reject(toFieldlinkError(err, { device: this.name, operation: 'open' }));
        return;
      }
      port.open((err) => {
        if (err) {
          reject(toFieldlinkError(err, { device: this.name, operation: 'open' }));
          return;
        }
        this.port = port;
        port.on('data', (d: Buffer) => this.emit('data', d));
        port.on('error', () => undefined); // 'close' follows a fatal error
        port.on('close', (e?: Error) => {
          if (this.port === port) this.port = undefined;
          if (!this.closing) this.emit('close', e ?? new NotConnectedError(`${this.name} closed`, { device: this.name }));
        });
        this.emit('open');
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    const p = this.port;
    this.port = undefined;
    if (!p || !p.isOpen) return;
    await new Promise<void>((resolve) => p.close(() => resolve()));
  }

  write(data: Buffer): Promise<void> {
    const p = this.port;
    if (!p || !p.isOpen) return Promise.reject(new NotConnectedError(`${this.name} is not open`, { device: this.name }));
    return new Promise((resolve, reject) => {
      p.write(data, (err) => {
        if (err) return reject(toFieldlinkError(err, { device: this.name, operation: 'write' }));
        p.drain(() => resolve());
      });
    });
  }

  async setBaudRate(baudRate: number): Promise<void> {
    this.baudRate = baudRate;
    const p = this.port;
    if (p?.isOpen) await new Promise<void>((resolve, reject) => p.update({ baudRate }, (err) => (err ? reject(toFieldlinkError(err, { device: this.name, operation: 'set-baud' })) : resolve())));
  }
}
