/** TCP channels: a client to a serial device server (host:port), and a server a device server or CP connects to. */
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import { NotConnectedError, TimeoutError, toFieldlinkError } from '../../common/errors';
import type { Channel, TcpClientChannelOptions, TcpServerChannelOptions } from './channel';

export class TcpClientChannel extends EventEmitter implements Channel {
  private socket?: net.Socket;
  private closing = false;
  baudRate?: number;

  constructor(private readonly options: Omit<TcpClientChannelOptions, 'type'>) {
    super();
    if (options.baudRate !== undefined) this.baudRate = options.baudRate;
  }

  get name(): string {
    return `tcp:${this.options.host}:${this.options.port}`;
  }

  get isOpen(): boolean {
    return this.socket !== undefined && !this.socket.destroyed && this.socket.readyState === 'open';
  }

  open(): Promise<void> {
    if (this.isOpen) return Promise.resolve();
    this.closing = false;
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: this.options.host, port: this.options.port });
      const timeoutMs = this.options.connectTimeout ?? 5000;
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new TimeoutError(`connect to ${this.name} timed out`, { device: this.name, operation: 'open' }));
      }, timeoutMs);
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(toFieldlinkError(err, { device: this.name, operation: 'open' }));
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        socket.setNoDelay(true);
        socket.setKeepAlive(true, 10_000);
        this.socket = socket;
        socket.on('data', (d: Buffer) => this.emit('data', d));
        socket.on('error', () => undefined); // 'close' follows
        socket.on('close', () => {
          if (this.socket === socket) this.socket = undefined;
          if (!this.closing) this.emit('close', new NotConnectedError(`${this.name} closed by peer`, { device: this.name }));
        });
        this.emit('open');
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    const s = this.socket;
    this.socket = undefined;
    if (!s) return;
    await new Promise<void>((resolve) => {
      s.once('close', () => resolve());
      s.destroy();
    });
  }

  write(data: Buffer): Promise<void> {
    const s = this.socket;
    if (!s || s.destroyed) return Promise.reject(new NotConnectedError(`${this.name} is not connected`, { device: this.name }));
    return new Promise((resolve, reject) => s.write(data, (err) => (err ? reject(toFieldlinkError(err, { device: this.name, operation: 'write' })) : resolve())));
  }

  async setBaudRate(baudRate: number): Promise<void> {
    this.baudRate = baudRate;
  }
}

/**
 * Listens for one peer at a time (the newest connection wins; an older one is closed). Writes while
 * no peer is connected are dropped, as on a bus with nobody on it.
 */
export class TcpServerChannel extends EventEmitter implements Channel {
  private server?: net.Server;
  private peer?: net.Socket;
  private readonly sockets = new Set<net.Socket>();
  baudRate?: number;

  constructor(private readonly options: Omit<TcpServerChannelOptions, 'type'>) {
    super();
    if (options.baudRate !== undefined) this.baudRate = options.baudRate;
  }

  get name(): string {
    return `tcp-server:${this.options.host ?? '0.0.0.0'}:${this.port}`;
  }

  /** The listening port (useful after opening on port 0). */
  get port(): number {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : this.options.port;
  }

  get isOpen(): boolean {
    return this.server?.listening === true;
  }

  /** True while a peer is connected. */
  get connected(): boolean {
    return this.peer !== undefined;
  }

  open(): Promise<void> {
    if (this.isOpen) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const server = net.createServer((socket) => this.accept(socket));
      server.once('error', (err) => reject(toFieldlinkError(err, { device: this.name, operation: 'listen' })));
      server.listen(this.options.port, this.options.host ?? '0.0.0.0', () => {
        server.removeAllListeners('error');
        server.on('error', (err) => this.emit('close', err));
        this.server = server;
        this.emit('open');
        resolve();
      });
    });
  }

  private accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    this.sockets.add(socket);
    const old = this.peer;
    this.peer = socket;
    old?.destroy();
    const remote = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.on('data', (d: Buffer) => {
      if (this.peer === socket) this.emit('data', d);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.sockets.delete(socket);
      if (this.peer === socket) {
        this.peer = undefined;
        this.emit('peer', { connected: false, remote });
      }
    });
    this.emit('peer', { connected: true, remote });
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.peer = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  write(data: Buffer): Promise<void> {
    if (!this.isOpen) return Promise.reject(new NotConnectedError(`${this.name} is not listening`, { device: this.name }));
    const s = this.peer;
    if (!s || s.destroyed) return Promise.resolve();
    return new Promise((resolve) => s.write(data, () => resolve()));
  }

  async setBaudRate(baudRate: number): Promise<void> {
    this.baudRate = baudRate;
  }
}
