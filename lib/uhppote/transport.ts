/**
 * Moves 64-byte frames: one shared UDP socket (broadcast and directed) with replies matched to
 * requests by function code and serial, and one TCP connection per request. Frames that match no
 * pending request are dropped with a debug log, never thrown.
 */
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { AbortedError, NotConnectedError, ProtocolError, TimeoutError, toFieldlinkError } from '../common/errors';
import { hexdump } from '../common/hexdump';
import { parseEndpoint, type Endpoint } from './address';
import { FRAME_SIZE, peek } from './codec';

export type DebugLog = (line: string) => void;

export interface TransportOptions {
  bind: string;
  broadcast: string;
  debug?: DebugLog;
}

interface Pending {
  resolve: (frame: Buffer) => void;
  reject: (err: Error) => void;
}

interface Collector {
  code: number;
  frames: Buffer[];
  /** Ends the collection early (close()). */
  stop: () => void;
}

export interface RequestContext {
  /** Operation name for errors. */
  operation: string;
  /** Controller serial for errors. */
  device: number;
  timeout: number;
}

const keyOf = (code: number, serial: number): string => `${code}:${serial}`;

export class Transport {
  private readonly bind: Endpoint;
  readonly broadcast: Endpoint;
  private readonly debug?: DebugLog;
  private socket?: dgram.Socket;
  private opening?: Promise<dgram.Socket>;
  private readonly pending = new Map<string, Pending[]>();
  private readonly collectors = new Set<Collector>();
  private readonly tcpSockets = new Map<net.Socket, (err: Error) => void>();
  private closed = false;

  constructor(options: TransportOptions) {
    this.bind = parseEndpoint(options.bind, 0, 'bind');
    this.broadcast = parseEndpoint(options.broadcast, 60000, 'broadcast');
    this.debug = options.debug;
  }

  private log(line: string, frame?: Uint8Array): void {
    if (!this.debug) return;
    this.debug(frame ? `${line}\n${hexdump(frame)}` : line);
  }

  /** The shared UDP socket, opened on first use. */
  private udp(): Promise<dgram.Socket> {
    if (this.closed) return Promise.reject(new NotConnectedError('uhppote: engine closed'));
    if (this.socket) return Promise.resolve(this.socket);
    this.opening ??= new Promise<dgram.Socket>((resolve, reject) => {
      const sock = dgram.createSocket({ type: net.isIPv6(this.bind.host) ? 'udp6' : 'udp4', reuseAddr: false });
      const onError = (err: Error): void => {
        this.opening = undefined;
        sock.close();
        reject(new NotConnectedError(`uhppote: cannot bind ${this.bind.host}:${this.bind.port}: ${err.message}`, { cause: err }));
      };
      sock.once('error', onError);
      sock.bind(this.bind.port, this.bind.host, () => {
        sock.off('error', onError);
        try {
          sock.setBroadcast(true);
        } catch {
          /* not every address family allows it */
        }
        sock.on('error', (err) => this.log(`uhppote: UDP socket error: ${err.message}`));
        sock.on('message', (msg, rinfo) => this.onFrame(msg, `${rinfo.address}:${rinfo.port}`));
        this.socket = sock;
        this.opening = undefined;
        if (this.closed) {
          sock.close();
          reject(new NotConnectedError('uhppote: engine closed'));
          return;
        }
        resolve(sock);
      });
    });
    return this.opening;
  }

  private onFrame(frame: Buffer, from: string): void {
    this.log(`uhppote: received ${frame.length} bytes from ${from}`, frame);
    const head = peek(frame);
    if (!head) {
      this.log(`uhppote: dropped ${frame.length}-byte packet from ${from} (too short)`);
      return;
    }
    let collected = false;
    for (const c of this.collectors) {
      if (c.code === head.code) {
        c.frames.push(frame);
        collected = true;
      }
    }
    const key = keyOf(head.code, head.controller);
    const queue = this.pending.get(key);
    const waiter = queue?.shift();
    if (queue && queue.length === 0) this.pending.delete(key);
    if (waiter) waiter.resolve(frame);
    else if (!collected) this.log(`uhppote: dropped unexpected packet from ${from} (function 0x${head.code.toString(16)}, controller ${head.controller})`);
  }

  private async sendUdp(frame: Buffer, to: Endpoint): Promise<void> {
    const sock = await this.udp();
    await new Promise<void>((resolve, reject) => {
      sock.send(frame, to.port, to.host, (err) => (err ? reject(err) : resolve()));
    });
    this.log(`uhppote: sent ${frame.length} bytes to ${to.host}:${to.port}`, frame);
  }

  /**
   * Sends a request by UDP and waits for the reply with the same function code and serial.
   * `expectReply` false resolves once sent (set-address).
   */
  async udpRequest(frame: Buffer, to: Endpoint, ctx: RequestContext, expectReply = true): Promise<Buffer | undefined> {
    if (!expectReply) {
      await this.sendUdp(frame, to).catch((err) => {
        throw toFieldlinkError(err, { device: ctx.device, operation: ctx.operation });
      });
      return undefined;
    }
    const key = keyOf(frame[1], ctx.device);
    return new Promise<Buffer>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined = undefined;
      const entry: Pending = {
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const remove = (): void => {
        const q = this.pending.get(key);
        if (!q) return;
        const i = q.indexOf(entry);
        if (i >= 0) q.splice(i, 1);
        if (q.length === 0) this.pending.delete(key);
      };
      timer = setTimeout(() => {
        remove();
        reject(new TimeoutError(`${ctx.operation} (${ctx.device}): no reply within ${ctx.timeout} ms`, { device: ctx.device, operation: ctx.operation }));
      }, ctx.timeout);
      const q = this.pending.get(key);
      if (q) q.push(entry);
      else this.pending.set(key, [entry]);
      this.sendUdp(frame, to).catch((err) => {
        remove();
        entry.reject(toFieldlinkError(err, { device: ctx.device, operation: ctx.operation }));
      });
    });
  }

  /** Broadcasts a request and collects every reply with the same function code until the timeout. */
  async udpCollect(frame: Buffer, to: Endpoint, ctx: RequestContext): Promise<Buffer[]> {
    let stop: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (stop = resolve));
    const collector: Collector = { code: frame[1], frames: [], stop };
    this.collectors.add(collector);
    const timer = setTimeout(stop, ctx.timeout);
    try {
      await this.sendUdp(frame, to);
      await done;
      if (this.closed) throw new AbortedError('uhppote: engine closed', { device: ctx.device, operation: ctx.operation });
      return collector.frames;
    } catch (err) {
      throw toFieldlinkError(err, { device: ctx.device, operation: ctx.operation });
    } finally {
      clearTimeout(timer);
      this.collectors.delete(collector);
    }
  }

  /** One request per TCP connection; reassembles the 64-byte reply from any number of chunks. */
  tcpRequest(frame: Buffer, to: Endpoint, ctx: RequestContext, expectReply = true): Promise<Buffer | undefined> {
    if (this.closed) return Promise.reject(new NotConnectedError('uhppote: engine closed'));
    const context = { device: ctx.device, operation: ctx.operation };
    return new Promise<Buffer | undefined>((resolve, reject) => {
      let done = false;
      let buffered = Buffer.alloc(0);
      const socket = net.connect({ host: to.host, port: to.port });
      const finish = (err: Error | undefined, result?: Buffer): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.tcpSockets.delete(socket);
        socket.destroy();
        if (err) reject(err);
        else resolve(result);
      };
      this.tcpSockets.set(socket, (err) => finish(err));
      const timer = setTimeout(
        () => finish(new TimeoutError(`${ctx.operation} (${ctx.device}): no reply within ${ctx.timeout} ms (TCP ${to.host}:${to.port})`, context)),
        ctx.timeout,
      );
      socket.on('error', (err) => finish(toFieldlinkError(err, context)));
      socket.on('connect', () => {
        socket.write(frame, (err) => {
          if (err) return finish(toFieldlinkError(err, context));
          this.log(`uhppote: sent ${frame.length} bytes to tcp ${to.host}:${to.port}`, frame);
          if (!expectReply) finish(undefined, undefined);
        });
      });
      socket.on('data', (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        while (buffered.length >= FRAME_SIZE) {
          const reply = buffered.subarray(0, FRAME_SIZE);
          buffered = buffered.subarray(FRAME_SIZE);
          this.log(`uhppote: received ${reply.length} bytes from tcp ${to.host}:${to.port}`, reply);
          const head = peek(reply);
          if (head && head.code === frame[1] && head.controller === ctx.device) return finish(undefined, Buffer.from(reply));
          this.log(`uhppote: dropped unexpected TCP frame (function 0x${reply[1].toString(16)}, controller ${head?.controller})`);
        }
      });
      socket.on('end', () => {
        if (buffered.length > 0) {
          finish(new ProtocolError(`${ctx.operation} (${ctx.device}): connection closed after ${buffered.length} of 64 bytes`, context, 'EFRAME'));
        } else {
          finish(new ProtocolError(`${ctx.operation} (${ctx.device}): connection closed without a reply`, context));
        }
      });
    });
  }

  /** Closes the UDP socket and every TCP connection; pending requests reject with AbortedError. */
  async close(): Promise<void> {
    this.closed = true;
    for (const [, queue] of this.pending) for (const p of queue) p.reject(new AbortedError('uhppote: engine closed'));
    this.pending.clear();
    for (const c of this.collectors) c.stop();
    for (const abort of [...this.tcpSockets.values()]) abort(new AbortedError('uhppote: engine closed'));
    this.tcpSockets.clear();
    const opening = this.opening;
    if (opening) await opening.catch(() => undefined);
    const sock = this.socket;
    this.socket = undefined;
    if (sock) await new Promise<void>((resolve) => sock.close(() => resolve()));
  }
}
