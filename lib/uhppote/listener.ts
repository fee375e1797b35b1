/**
 * The events listener: a UDP socket on the listen address that decodes controller event/status
 * packets (function 0x20). Bad packets are reported as 'error' (a ProtocolError) and listening goes on.
 *
 * Events: 'status' (every decoded packet), 'event' (packets that carry a new event: a non-zero
 * event index not seen last from that controller), 'error' (only emitted when someone listens
 * for it; otherwise it goes to the debug log, so a bad packet can never crash the process).
 */
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { EventEmitter } from 'node:events';
import { AbortedError, BoundedQueue, NotConnectedError, ProtocolError, toFieldlinkError } from '../common';
import { hexdump } from '../common/hexdump';
import { parseEndpoint, type Endpoint } from './address';
import { decodeEvent } from './codec';
import type { ControllerEvent } from './types';

export interface UhppoteListenerOptions {
  /** 'ip:port' to bind, default '0.0.0.0:60001'. */
  listen?: string;
  debug?: (line: string) => void;
}

export interface UhppoteListenerEvents {
  event: [ControllerEvent];
  status: [ControllerEvent];
  error: [Error];
  close: [];
}

export class UhppoteListener extends EventEmitter<UhppoteListenerEvents> {
  readonly endpoint: Endpoint;
  private readonly debug?: (line: string) => void;
  private socket?: dgram.Socket;
  private starting?: Promise<void>;
  private readonly lastIndex = new Map<number, number>();
  private readonly streams = new Set<BoundedQueue<ControllerEvent>>();
  private closed = false;

  constructor(options: UhppoteListenerOptions = {}) {
    super();
    this.endpoint = parseEndpoint(options.listen ?? '0.0.0.0:60001', 60001, 'listen');
    this.debug = options.debug;
  }

  /** Binds the socket. Rejects (NotConnectedError) when the address cannot be bound, so a caller can back off and retry. */
  start(): Promise<void> {
    if (this.socket) return Promise.resolve();
    if (this.closed) return Promise.reject(new NotConnectedError('uhppote listener closed'));
    this.starting ??= new Promise<void>((resolve, reject) => {
      const sock = dgram.createSocket({ type: net.isIPv6(this.endpoint.host) ? 'udp6' : 'udp4', reuseAddr: false });
      const onError = (err: Error): void => {
        this.starting = undefined;
        sock.close();
        reject(new NotConnectedError(`uhppote listener: cannot bind ${this.endpoint.host}:${this.endpoint.port}: ${err.message}`, { cause: err }));
      };
      sock.once('error', onError);
      sock.bind(this.endpoint.port, this.endpoint.host, () => {
        sock.off('error', onError);
        sock.on('error', (err) => this.fail(toFieldlinkError(err, { operation: 'listen' })));
        sock.on('message', (msg, rinfo) => this.onPacket(msg, `${rinfo.address}:${rinfo.port}`));
        this.socket = sock;
        this.starting = undefined;
        if (this.closed) {
          sock.close();
          return reject(new NotConnectedError('uhppote listener closed'));
        }
        resolve();
      });
    });
    return this.starting;
  }

  /** The bound address (useful with port 0). */
  address(): { address: string; port: number } | undefined {
    const a = this.socket?.address();
    return a ? { address: a.address, port: a.port } : undefined;
  }

  private fail(err: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', err);
    else this.debug?.(`uhppote listener: ${err.message}`);
  }

  private onPacket(packet: Buffer, from: string): void {
    this.debug?.(`uhppote listener: received ${packet.length} bytes from ${from}\n${hexdump(packet)}`);
    let event: ControllerEvent;
    try {
      event = decodeEvent(packet);
    } catch (err) {
      const e = err instanceof ProtocolError ? err : toFieldlinkError(err, { operation: 'listen' });
      e.message = `${e.message} (from ${from})`;
      this.fail(e);
      return;
    }
    this.deliver(event);
  }

  private deliver(event: ControllerEvent): void {
    try {
      this.emit('status', event);
      const last = this.lastIndex.get(event.controller);
      if (event.eventIndex !== 0 && event.eventIndex !== last) {
        this.lastIndex.set(event.controller, event.eventIndex);
        this.emit('event', event);
        for (const q of this.streams) q.pushDropOldest(event);
      }
    } catch (err) {
      // a throwing user handler must not stop the listener
      this.fail(toFieldlinkError(err, { device: event.controller, operation: 'listen' }));
    }
  }

  /** Async stream of new events (not plain status packets); ends when the listener closes. Keeps at most `capacity` unread events. */
  async *events(capacity = 1000): AsyncGenerator<ControllerEvent, void, undefined> {
    const queue = new BoundedQueue<ControllerEvent>(capacity);
    this.streams.add(queue);
    if (this.closed) queue.close();
    try {
      for (;;) {
        try {
          yield await queue.shift();
        } catch (err) {
          if (err instanceof AbortedError) return;
          throw err;
        }
      }
    } finally {
      this.streams.delete(queue);
    }
  }

  [Symbol.asyncIterator](): AsyncGenerator<ControllerEvent, void, undefined> {
    return this.events();
  }

  /** Stops listening; idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const q of this.streams) q.close();
    if (this.starting) await this.starting.catch(() => undefined);
    const sock = this.socket;
    this.socket = undefined;
    if (sock) await new Promise<void>((resolve) => sock.close(() => resolve()));
    this.emit('close');
  }
}
