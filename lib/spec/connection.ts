/**
 * One TCP link to a SPEC server: frames out, frames in, replies matched to requests by serial
 * number. No reconnect logic here (the client owns that); when the link drops every waiting
 * request fails with NotConnectedError.
 */
import * as net from 'node:net';
import { NotConnectedError, ProtocolError, TimeoutError, withTimeout, AbortedError } from '../common';
import { FrameDecoder, encodeFrame, type FrameFields } from './codec';
import { SpecCommand, type SpecMessage } from './types';

interface Pending {
  resolve: (m: SpecMessage) => void;
  reject: (e: Error) => void;
}

export interface ConnectionHandlers {
  event(msg: SpecMessage): void;
  /** A reply nobody waits for (late after a time-out), or a protocol problem. */
  stray?(msg: SpecMessage): void;
  closed(error?: Error): void;
}

export class SpecConnection {
  private readonly pending = new Map<number, Pending>();
  private sn = 0;
  private closedFlag = false;
  private handlers: ConnectionHandlers | undefined;
  private closeError: Error | undefined;
  /** Frames that arrived before handlers were attached (events after HELLO during a scan). */
  private early: SpecMessage[] = [];

  private constructor(
    private readonly socket: net.Socket,
    private readonly decoder: FrameDecoder,
    readonly host: string,
    readonly port: number,
    readonly littleEndian: boolean,
  ) {
    socket.setNoDelay(true);
    socket.on('error', () => undefined); // 'close' follows and carries the outcome
    socket.on('close', () => this.onClose(new NotConnectedError(`connection to ${this.device} closed`, { device: this.device })));
  }

  get device(): string {
    return `${this.host}:${this.port}`;
  }

  get isOpen(): boolean {
    return !this.closedFlag;
  }

  attach(handlers: ConnectionHandlers): void {
    this.handlers = handlers;
    for (const m of this.early.splice(0)) handlers.event(m);
  }

  /** Opens a TCP connection within `timeout` ms. */
  static open(host: string, port: number, timeout: number, littleEndian: boolean, maxBody?: number): Promise<SpecConnection> {
    return new Promise((resolve, reject) => {
      const decoder = new FrameDecoder(maxBody);
      let conn: SpecConnection | undefined;
      // Reads land in the decoder's buffers: large array bodies go straight into their own memory.
      const socket = net.connect({
        host,
        port,
        onread: {
          buffer: () => decoder.readTarget(),
          callback: (n: number) => {
            conn?.onRead(n);
            return true;
          },
        },
      });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new TimeoutError(`connect to ${host}:${port} timed out after ${timeout} ms`, { device: `${host}:${port}`, operation: 'connect' }));
      }, timeout);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeListener('error', onError);
        conn = new SpecConnection(socket, decoder, host, port, littleEndian);
        resolve(conn);
      });
      const onError = (err: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(new NotConnectedError(`cannot connect to ${host}:${port}: ${err.message}`, { device: `${host}:${port}`, operation: 'connect', cause: err }));
      };
      socket.once('error', onError);
    });
  }

  private nextSn(): number {
    this.sn = (this.sn + 1) >>> 0;
    if (this.sn === 0) this.sn = 1;
    return this.sn;
  }

  /** Sends a frame and returns its serial number. */
  send(fields: Omit<FrameFields, 'sn'>): number {
    if (this.closedFlag) throw new NotConnectedError(`not connected to ${this.device}`, { device: this.device });
    const sn = this.nextSn();
    this.socket.write(encodeFrame({ ...fields, sn }, { littleEndian: this.littleEndian }));
    return sn;
  }

  /** Sends a frame and waits for the REPLY (or HELLO_REPLY) with its serial number. */
  request(fields: Omit<FrameFields, 'sn'>, timeout: number, operation: string, signal?: AbortSignal): Promise<SpecMessage> {
    if (this.closedFlag) return Promise.reject(new NotConnectedError(`not connected to ${this.device}`, { device: this.device, operation }));
    if (signal?.aborted) return Promise.reject(new AbortedError(`${operation} aborted`, { device: this.device, operation }));
    const sn = this.nextSn();
    let rejectReply: (e: Error) => void = () => undefined;
    const reply = new Promise<SpecMessage>((resolve, reject) => {
      rejectReply = reject;
      this.pending.set(sn, { resolve, reject });
    });
    if (signal) {
      const onAbort = (): void => {
        if (this.pending.delete(sn)) rejectReply(new AbortedError(`${operation} aborted`, { device: this.device, operation }));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const done = (): void => signal.removeEventListener('abort', onAbort);
      reply.then(done, done);
    }
    this.socket.write(encodeFrame({ ...fields, sn }, { littleEndian: this.littleEndian }));
    return withTimeout(reply, timeout, { device: this.device, operation, what: `${operation} ${fields.name ?? ''}`.trim() }, () => this.pending.delete(sn));
  }

  /** Registers a handler for a reply to a frame sent with `send` (CHAN_SEND's error reply). */
  expect(sn: number, handler: Pending): void {
    this.pending.set(sn, handler);
  }

  forget(sn: number): void {
    this.pending.delete(sn);
  }

  private onRead(n: number): void {
    if (this.closedFlag) return;
    let frames: SpecMessage[];
    try {
      frames = this.decoder.onRead(n);
    } catch (e) {
      // Out of step: deliver what decoded, then drop the link (the client reconnects).
      for (const m of (e as { frames?: SpecMessage[] }).frames ?? []) this.dispatch(m);
      const err = e instanceof ProtocolError ? e : new ProtocolError(String(e), { device: this.device, cause: e });
      this.destroy(err);
      return;
    }
    for (const m of frames) this.dispatch(m);
  }

  private dispatch(m: SpecMessage): void {
    if (m.cmd === SpecCommand.REPLY || m.cmd === SpecCommand.HELLO_REPLY) {
      const p = this.pending.get(m.sn);
      if (p) {
        this.pending.delete(m.sn);
        p.resolve(m);
        return;
      }
      this.handlers?.stray?.(m);
      return;
    }
    if (m.cmd === SpecCommand.EVENT) {
      if (this.handlers) this.handlers.event(m);
      else this.early.push(m);
      return;
    }
    this.handlers?.stray?.(m);
  }

  private onClose(error: Error): void {
    this.closedFlag = true;
    const err = this.closeError ?? error;
    for (const [sn, p] of this.pending) {
      this.pending.delete(sn);
      p.reject(err);
    }
    const h = this.handlers;
    this.handlers = undefined;
    h?.closed(err);
  }

  /** Drops the link at once; waiting requests fail with `error`. */
  destroy(error?: Error): void {
    if (this.closedFlag) return;
    this.closeError = error;
    this.socket.destroy();
  }

  /** Sends SV_CLOSE (politely) and closes; resolves once the socket is gone. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) {
        this.closedFlag = true;
        return resolve();
      }
      this.handlers = undefined;
      this.socket.once('close', () => resolve());
      try {
        if (!this.closedFlag) this.socket.write(encodeFrame({ cmd: SpecCommand.CLOSE, sn: this.nextSn() }, { littleEndian: this.littleEndian }));
      } catch {
        // already broken: fall through to end
      }
      this.closedFlag = true;
      this.closeError = new AbortedError(`connection to ${this.device} closed`, { device: this.device });
      for (const [sn, p] of this.pending) {
        this.pending.delete(sn);
        p.reject(this.closeError);
      }
      this.socket.end();
      const t = setTimeout(() => this.socket.destroy(), 500);
      t.unref();
      this.socket.once('close', () => clearTimeout(t));
    });
  }
}
