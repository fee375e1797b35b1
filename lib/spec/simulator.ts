/**
 * A SPEC server simulator on TCP (127.0.0.1 by default) that speaks the protocol as `spec -S`
 * does: HELLO/HELLO_REPLY with the SPEC name, every command, REGISTER -> an immediate EVENT then
 * one per change (`error`, `output/*` on change only), CHAN_SEND with no reply on success and an
 * error REPLY on failure, CHAN_READ -> REPLY (ERROR type for an unknown property),
 * *_WITH_RETURN -> REPLY with the same serial; answers in each client's byte order and header
 * version. Behind it, a small diffractometer (sim-model) and a command interpreter (sim-interp).
 */
import * as net from 'node:net';
import { EventEmitter } from 'node:events';
import { FrameDecoder, encodeHeader, encodeValue, type EncodedBody } from './codec';
import { Interpreter } from './sim-interp';
import { SimError, SimModel, type SimModelOptions } from './sim-model';
import { isKnownProperty, readProperty, writeProperty } from './sim-props';
import { AbortedError } from '../common';
import { SpecArray, SpecCommand, SpecType, type SpecMessage, type SpecValue } from './types';

export interface SpecSimulatorOptions extends SimModelOptions {
  host?: string;
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** The SPEC process name HELLO_REPLY carries. Default `fourc`. */
  name?: string;
  /** Alias of `name`. */
  specName?: string;
}

interface Client {
  socket: net.Socket;
  decoder: FrameDecoder;
  littleEndian: boolean;
  version: 2 | 3 | 4;
  registered: Set<string>;
}

interface Job {
  text: string;
  kind: 'cmd' | 'func';
  reply?: (value: SpecValue, error?: string) => void;
}

/** Encoded bodies of large arrays, per byte order, so repeated reads send without re-encoding. */
const bodyCache = new WeakMap<SpecArray, { le?: EncodedBody; be?: EncodedBody; version: unknown }>();

export class SpecSimulator extends EventEmitter {
  readonly model: SimModel;
  readonly specName: string;
  private server: net.Server | undefined;
  private readonly clients = new Set<Client>();
  private readonly interp: Interpreter;
  private readonly queue: Job[] = [];
  private running = false;
  private abortGen = 0;
  private hostValue: string;
  private portValue: number;
  private readonly sleepers = new Set<{ timer: NodeJS.Timeout; reject: (e: Error) => void }>();

  constructor(options: SpecSimulatorOptions = {}) {
    super();
    this.model = new SimModel(options);
    this.specName = options.specName ?? options.name ?? 'fourc';
    this.hostValue = options.host ?? '127.0.0.1';
    this.portValue = options.port ?? 0;
    this.interp = new Interpreter(this.model, {
      waitIdle: (what) => this.waitIdle(what),
      sleep: (ms) => this.sleep(ms),
    });
    this.model.on('change', (prop: string, value: SpecValue, flags: number) => this.broadcast(prop, value, flags));
  }

  get host(): string {
    return this.hostValue;
  }

  /** The port listened on (after listen()). */
  get port(): number {
    return this.portValue;
  }

  get listening(): boolean {
    return !!this.server?.listening;
  }

  /** Number of connected clients. */
  get clientCount(): number {
    return this.clients.size;
  }

  /** Starts listening (again, after stop(), on the same port). */
  listen(): Promise<void> {
    if (this.server) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const server = net.createServer((s) => this.accept(s));
      server.once('error', (e) => {
        this.server = undefined;
        reject(e);
      });
      server.listen(this.portValue, this.hostValue, () => {
        server.removeAllListeners('error');
        server.on('error', (e) => this.emit('warning', e));
        this.server = server;
        this.portValue = (server.address() as net.AddressInfo).port;
        resolve();
      });
    });
  }

  /** Stops listening and drops every client (the model keeps its state); listen() resumes. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const c of this.clients) c.socket.destroy();
    this.clients.clear();
    if (!server) return;
    // server.close() calls back once every connection is gone; the sockets were destroyed above,
    // but never let a stuck peer keep stop() (and a SIGTERM) waiting.
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 2000);
      t.unref();
      server.close(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** Stops everything: sockets, server, motion timer, pending commands. */
  async close(): Promise<void> {
    this.abortAll();
    await this.stop();
    this.model.close();
  }

  /**
   * Test hook: sends the first `bytes` of an EVENT frame to every client, then drops them, as a
   * server that dies mid-frame. The listening socket stays open.
   */
  dropClientsMidFrame(bytes = 60): void {
    for (const c of this.clients) {
      const [h, b] = this.frameParts(c, { cmd: SpecCommand.EVENT, sn: 0, name: 'var/x' }, 'a value that never arrives');
      const whole = Buffer.concat([h, b]);
      c.socket.write(whole.subarray(0, Math.min(bytes, whole.length - 1)), () => c.socket.destroy());
    }
    this.clients.clear();
  }

  private accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    const client: Client = { socket, decoder: new FrameDecoder(), littleEndian: true, version: 4, registered: new Set() };
    this.clients.add(client);
    socket.on('data', (chunk: Buffer) => {
      let frames: SpecMessage[];
      try {
        frames = client.decoder.push(chunk);
      } catch {
        // Out of step: a real SPEC drops such a client.
        socket.destroy();
        return;
      }
      for (const m of frames) {
        try {
          this.handle(client, m);
        } catch (e) {
          this.emit('warning', e);
        }
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.clients.delete(client);
      this.emit('client-closed');
    });
  }

  // -------------------------------------------------------------------------------------------
  // sending

  private frameParts(c: Client, fields: { cmd: SpecCommand; sn: number; name?: string; err?: number; flags?: number; type?: SpecType }, value: SpecValue): [Buffer, Buffer] {
    let body: Buffer;
    let type: SpecType;
    let rows = 0;
    let cols = 0;
    if (value instanceof SpecArray && value.length >= 4096) {
      let entry = bodyCache.get(value);
      if (!entry || entry.version !== value.data) bodyCache.set(value, (entry = { version: value.data }));
      const key = c.littleEndian ? 'le' : 'be';
      const cached = (entry[key] ??= encodeValue(value, c.littleEndian));
      ({ body, type, rows, cols } = cached);
    } else {
      const enc = encodeValue(value, c.littleEndian, fields.type);
      ({ body, type, rows, cols } = enc);
    }
    const header = encodeHeader(fields, { type, rows, cols, len: body.length }, { littleEndian: c.littleEndian, version: c.version });
    return [header, body];
  }

  private send(c: Client, fields: { cmd: SpecCommand; sn: number; name?: string; err?: number; flags?: number; type?: SpecType }, value: SpecValue): void {
    if (c.socket.destroyed) return;
    const [h, b] = this.frameParts(c, fields, value);
    if (b.length < 65536) c.socket.write(b.length ? Buffer.concat([h, b]) : h);
    else {
      c.socket.cork();
      c.socket.write(h);
      c.socket.write(b);
      c.socket.uncork();
    }
  }

  private reply(c: Client, req: SpecMessage, value: SpecValue): void {
    this.send(c, { cmd: SpecCommand.REPLY, sn: req.sn, name: req.name }, value);
  }

  private replyError(c: Client, req: SpecMessage, message: string): void {
    this.send(c, { cmd: SpecCommand.REPLY, sn: req.sn, name: req.name, err: 1, type: SpecType.ERROR }, message);
  }

  private broadcast(prop: string, value: SpecValue, flags: number): void {
    for (const c of this.clients) {
      if (c.registered.has(prop)) this.send(c, { cmd: SpecCommand.EVENT, sn: 0, name: prop, flags }, value);
      // A registered element var/a[k] follows changes of its array.
      if (prop.startsWith('var/')) {
        for (const r of c.registered) {
          if (r !== prop && r.startsWith(prop + '[')) {
            try {
              this.send(c, { cmd: SpecCommand.EVENT, sn: 0, name: r }, readProperty(this.model, r));
            } catch {
              this.send(c, { cmd: SpecCommand.EVENT, sn: 0, name: r, flags: 0x1000 }, null);
            }
          }
        }
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // requests

  private handle(c: Client, m: SpecMessage): void {
    c.littleEndian = m.littleEndian;
    c.version = (m.version >= 4 ? 4 : m.version <= 2 ? 2 : 3) as 2 | 3 | 4;
    const text = (): string => (typeof m.value === 'string' ? m.value : m.value === null ? '' : String(m.value));
    switch (m.cmd) {
      case SpecCommand.HELLO:
        this.send(c, { cmd: SpecCommand.HELLO_REPLY, sn: m.sn, name: this.specName }, this.specName);
        return;
      case SpecCommand.CLOSE:
        c.socket.end();
        return;
      case SpecCommand.ABORT:
        this.abortAll();
        return;
      case SpecCommand.CMD:
      case SpecCommand.FUNC:
        this.enqueue({ text: text(), kind: m.cmd === SpecCommand.CMD ? 'cmd' : 'func' });
        return;
      case SpecCommand.CMD_WITH_RETURN:
      case SpecCommand.FUNC_WITH_RETURN:
        this.enqueue({
          text: text(),
          kind: m.cmd === SpecCommand.CMD_WITH_RETURN ? 'cmd' : 'func',
          reply: (value, error) => (error !== undefined ? this.replyError(c, m, error) : this.reply(c, m, value)),
        });
        return;
      case SpecCommand.REGISTER: {
        c.registered.add(m.name);
        if (m.name === 'error' || m.name.startsWith('output/')) return;
        try {
          this.send(c, { cmd: SpecCommand.EVENT, sn: 0, name: m.name }, readProperty(this.model, m.name));
        } catch (e) {
          if (m.name.startsWith('var/')) this.send(c, { cmd: SpecCommand.EVENT, sn: 0, name: m.name, flags: 0x1000 }, null);
          else if (!isKnownProperty(this.model, m.name)) this.send(c, { cmd: SpecCommand.EVENT, sn: 0, name: m.name, type: SpecType.ERROR, err: 1 }, (e as Error).message);
        }
        return;
      }
      case SpecCommand.UNREGISTER:
        c.registered.delete(m.name);
        return;
      case SpecCommand.CHAN_READ:
        try {
          this.reply(c, m, readProperty(this.model, m.name));
        } catch (e) {
          this.replyError(c, m, (e as Error).message);
        }
        return;
      case SpecCommand.CHAN_SEND:
        if (m.error) return this.replyError(c, m, m.error.message);
        try {
          writeProperty(this.model, m.name, m.value);
        } catch (e) {
          this.replyError(c, m, (e as Error).message);
        }
        return;
      default:
        // EVENT, REPLY, HELLO_REPLY, RETURN from a client: not for a server; ignore.
        return;
    }
  }

  // -------------------------------------------------------------------------------------------
  // commands

  private enqueue(job: Job): void {
    this.queue.push(job);
    this.model.setBusy(1);
    if (!this.running) void this.pump();
  }

  private async pump(): Promise<void> {
    this.running = true;
    while (this.queue.length > 0) {
      const job = this.queue.shift() as Job;
      try {
        const value = await this.interp.execute(job.text);
        job.reply?.(value);
      } catch (e) {
        const msg = e instanceof SimError || e instanceof AbortedError ? e.message : `error: ${(e as Error).message}`;
        this.model.print(msg + '\n');
        this.model.setError(msg);
        job.reply?.(null, msg);
      } finally {
        this.model.setBusy(-1);
      }
    }
    this.running = false;
  }

  private abortAll(): void {
    this.abortGen++;
    this.model.abortAll();
    for (const s of this.sleepers) {
      clearTimeout(s.timer);
      s.reject(new AbortedError('Aborted.'));
    }
    this.sleepers.clear();
    this.emit('aborted');
  }

  private waitIdle(what: 'move' | 'count'): Promise<void> {
    const gen = this.abortGen;
    const idle = (): boolean => (what === 'move' ? !this.model.anyMoving : this.model.countPreset === 0);
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (gen !== this.abortGen) {
          cleanup();
          reject(new AbortedError('Aborted.'));
        } else if (idle()) {
          cleanup();
          resolve();
        }
      };
      const onAbort = (): void => check();
      const cleanup = (): void => {
        this.model.off('change', check);
        this.off('aborted', onAbort);
      };
      this.model.on('change', check);
      this.on('aborted', onAbort);
      check();
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const entry = {
        timer: setTimeout(() => {
          this.sleepers.delete(entry);
          resolve();
        }, Math.max(0, ms)),
        reject,
      };
      this.sleepers.add(entry);
    });
  }

  // -------------------------------------------------------------------------------------------
  // direct access for tests and demos

  /** Sets a variable as if a macro had (events go to registered clients). */
  setVariable(name: string, value: SpecValue): void {
    this.model.setVar(name, value);
  }

  /** Deletes a variable (registered clients get an EVENT with the deleted flag). */
  deleteVariable(name: string): boolean {
    return this.model.deleteVar(name);
  }

  /** Writes console text to `output/tty`. */
  print(text: string): void {
    this.model.print(text);
  }
}

/** Creates a simulator and starts listening. */
export async function startSpecSimulator(options: SpecSimulatorOptions = {}): Promise<SpecSimulator> {
  const sim = new SpecSimulator(options);
  await sim.listen();
  return sim;
}

/** Alias (the name the node tests use). */
export const startSimulator = startSpecSimulator;
