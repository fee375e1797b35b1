/**
 * SpecClient: a client of a certif.com SPEC server (`spec -S`). Finds the server by port or port
 * range and SPEC name, matches replies by serial number, runs commands with their console output,
 * reads, writes and watches properties, and reconnects after a drop, registering every watch again.
 */
import { EventEmitter } from 'node:events';
import { AbortedError, Backoff, InvalidArgumentError, NotConnectedError, NotFoundError, ProtocolError, sleep, toFieldlinkError } from '../common';
import type {
  SpecClientOptions,
  SpecConnectionState,
  SpecEvent,
  SpecMoveOptions,
  SpecNamedItem,
  SpecRequestOptions,
  SpecRunResult,
  SpecServerInfo,
  SpecWriteOptions,
} from './api';
import { resolveAddress, type SpecAddress } from './address';
import { formatNumber } from './codec';
import { SpecConnection } from './connection';
import { SpecError } from './errors';
import { BusyTracker, SpecMotor, moveMotors, waitWith } from './motor';
import { SpecCommand, SpecType, type SpecMessage, type SpecValue } from './types';
import { SpecWatch } from './watch';

const HOST_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

interface WatchEntry {
  watchers: Set<SpecWatch>;
  last?: SpecEvent;
}

/** Formats a JavaScript value as a SPEC literal for `call()` arguments. */
export function specLiteral(v: unknown): string {
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'string') return '"' + v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t') + '"';
  throw new InvalidArgumentError(`cannot pass a ${v === null ? 'null' : typeof v} as a SPEC function argument`, { operation: 'call' });
}

function replyError(m: SpecMessage, device: string, operation: string): SpecError | undefined {
  if (m.error) return undefined;
  if (m.type === SpecType.ERROR || (m.err !== 0 && m.cmd === SpecCommand.REPLY)) {
    const text = typeof m.value === 'string' ? m.value : `error ${m.err}`;
    return new SpecError(text || `SPEC error ${m.err}`, m.err, { device, operation });
  }
  return undefined;
}

/**
 * Finds SPEC servers on `host`: HELLO on every port of the range (in parallel), each socket closed
 * again. Resolves with those that answered, in port order.
 */
export async function scanSpecServers(host = '127.0.0.1', ports: [number, number] = [6510, 6530], options: { timeout?: number } = {}): Promise<Array<{ port: number; specName: string }>> {
  const { ports: list } = resolveAddress(host, ports);
  const timeout = options.timeout ?? 1000;
  const found = await Promise.all(
    list.map(async (port) => {
      let conn: SpecConnection | undefined;
      try {
        conn = await SpecConnection.open(host, port, timeout, HOST_LE);
        const reply = await conn.request({ cmd: SpecCommand.HELLO }, timeout, 'hello');
        if (reply.cmd !== SpecCommand.HELLO_REPLY) return undefined;
        return { port, specName: typeof reply.value === 'string' && reply.value ? reply.value : reply.name };
      } catch {
        return undefined;
      } finally {
        await conn?.close();
      }
    }),
  );
  return found.filter((x): x is { port: number; specName: string } => x !== undefined);
}

export class SpecClient extends EventEmitter {
  readonly options: Readonly<SpecClientOptions>;
  private readonly address: SpecAddress;
  private readonly littleEndian: boolean;
  private readonly timeout: number;
  private readonly runTimeout: number;
  private readonly backoff: Backoff | undefined;
  private conn: SpecConnection | undefined;
  private stateValue: SpecConnectionState = 'idle';
  private infoValue: SpecServerInfo | undefined;
  private readonly watches = new Map<string, WatchEntry>();
  private connecting: Promise<SpecServerInfo> | undefined;
  private retryAbort = new AbortController();
  private runChain: Promise<unknown> = Promise.resolve();
  private outputCapture: string[] | undefined;
  private counterCache: SpecNamedItem[] | undefined;

  constructor(options: SpecClientOptions = {}) {
    super();
    this.options = { ...options };
    this.address = resolveAddress(options.host, options.port, options.specName);
    this.littleEndian = options.littleEndian ?? HOST_LE;
    this.timeout = options.timeout ?? 5000;
    this.runTimeout = options.runTimeout ?? 0;
    const rc = options.reconnect ?? true;
    this.backoff = rc === false ? undefined : new Backoff(rc === true ? {} : rc);
  }

  /** `idle`, `connecting`, `connected`, `reconnecting` or `closed`. */
  get state(): SpecConnectionState {
    return this.stateValue;
  }

  /** The server connected to (host, port, SPEC name), once connected. */
  get info(): SpecServerInfo | undefined {
    return this.infoValue;
  }

  /** The connected server's SPEC name, e.g. `fourc`. */
  get specName(): string | undefined {
    return this.infoValue?.specName;
  }

  get connected(): boolean {
    return this.stateValue === 'connected';
  }

  /** What errors name as the device: `host:port` once connected, else the host. */
  get device(): string {
    return this.infoValue ? `${this.infoValue.host}:${this.infoValue.port}` : this.address.host;
  }

  private setState(s: SpecConnectionState): void {
    if (this.stateValue === s) return;
    this.stateValue = s;
    this.emit('state', s);
  }

  private emitError(e: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', e);
  }

  // -------------------------------------------------------------------------------------------
  // connecting

  /**
   * Connects (scanning the port range with HELLO, choosing the server by SPEC name if set).
   * With reconnect on (the default) it keeps trying with back-off until it succeeds or close()
   * is called; with reconnect off, the first failure rejects.
   */
  connect(): Promise<SpecServerInfo> {
    if (this.stateValue === 'closed') return Promise.reject(new NotConnectedError('client closed', { device: this.device, operation: 'connect' }));
    if (this.conn?.isOpen && this.infoValue) return Promise.resolve(this.infoValue);
    if (!this.connecting) {
      this.connecting = this.connectLoop().finally(() => {
        this.connecting = undefined;
      });
    }
    return this.connecting;
  }

  private async connectLoop(): Promise<SpecServerInfo> {
    const signal = this.retryAbort.signal;
    if (this.stateValue !== 'reconnecting') this.setState('connecting');
    for (;;) {
      try {
        const info = await this.attempt();
        this.backoff?.reset();
        return info;
      } catch (e) {
        if (this.stateValue === 'closed') throw new AbortedError('client closed', { device: this.device, operation: 'connect' });
        const err = toFieldlinkError(e, { device: this.device, operation: 'connect' });
        if (!this.backoff) {
          this.setState('idle');
          throw err;
        }
        const delay = this.backoff.next();
        this.setState('reconnecting');
        this.emit('reconnecting', { attempt: this.backoff.attempts, delay, error: err });
        try {
          await sleep(delay, signal);
        } catch {
          throw new AbortedError('client closed', { device: this.device, operation: 'connect' });
        }
      }
    }
  }

  /** One pass over the ports: connect + HELLO in parallel, take the lowest port that matches. */
  private async attempt(): Promise<SpecServerInfo> {
    const { host, ports, specName } = this.address;
    const connectTimeout = this.options.connectTimeout ?? 2000;
    const results = await Promise.all(
      ports.map(async (port) => {
        let conn: SpecConnection | undefined;
        try {
          conn = await SpecConnection.open(host, port, connectTimeout, this.littleEndian, this.options.maxBodyBytes ?? 64 * 1024 * 1024);
          const reply = await conn.request({ cmd: SpecCommand.HELLO, name: '' }, this.timeout || connectTimeout, 'hello');
          if (reply.cmd !== SpecCommand.HELLO_REPLY) throw new ProtocolError(`HELLO answered with command ${reply.cmd}`, { device: `${host}:${port}`, operation: 'hello' });
          const name = typeof reply.value === 'string' && reply.value ? reply.value : reply.name;
          return { conn, port, name, error: undefined as Error | undefined };
        } catch (e) {
          conn?.destroy();
          return { conn: undefined, port, name: '', error: e as Error };
        }
      }),
    );
    let chosen: (typeof results)[number] | undefined;
    for (const r of results) {
      if (!r.conn) continue;
      if (!chosen && (!specName || r.name === specName)) chosen = r;
      else void r.conn.close();
    }
    if (this.stateValue === 'closed') {
      if (chosen?.conn) await chosen.conn.close();
      throw new AbortedError('client closed', { device: host, operation: 'connect' });
    }
    if (!chosen || !chosen.conn) {
      const found = results.filter((r) => r.conn).map((r) => `${r.name}@${r.port}`);
      if (specName) {
        throw new NotFoundError(
          `no SPEC server named '${specName}' on ${host} ports ${ports[0]}-${ports[ports.length - 1]}${found.length ? ` (found ${found.join(', ')})` : ''}`,
          { device: host, operation: 'connect' },
        );
      }
      const first = results.find((r) => r.error)?.error;
      throw new NotConnectedError(
        ports.length === 1 ? `no SPEC server at ${host}:${ports[0]}: ${first?.message ?? 'no answer'}` : `no SPEC server on ${host} ports ${ports[0]}-${ports[ports.length - 1]}`,
        { device: host, operation: 'connect', cause: first },
      );
    }
    const conn = chosen.conn;
    this.conn = conn;
    this.counterCache = undefined;
    this.infoValue = { host, port: chosen.port, specName: chosen.name };
    conn.attach({
      event: (m) => this.onEvent(m),
      stray: (m) => {
        const err = replyError(m, conn.device, 'reply');
        if (err) this.emitError(err);
      },
      closed: (error) => this.onDrop(conn, error),
    });
    if (!conn.isOpen) {
      // Dropped between HELLO and here: no `closed` callback will come; try again.
      this.conn = undefined;
      throw new NotConnectedError(`connection to ${conn.device} closed during HELLO`, { device: conn.device, operation: 'connect' });
    }
    // Register every watch again (a reconnect) before anyone sees `connected`.
    for (const [prop] of this.watches) conn.send({ cmd: SpecCommand.REGISTER, name: prop });
    this.setState('connected');
    this.emit('connected', this.infoValue);
    return this.infoValue;
  }

  private onDrop(conn: SpecConnection, error?: Error): void {
    if (this.conn !== conn) return;
    this.conn = undefined;
    if (this.stateValue === 'closed') return;
    this.emit('disconnected', error);
    if (error instanceof ProtocolError) this.emitError(error);
    if (!this.backoff) {
      this.setState('idle');
      return;
    }
    this.setState('reconnecting');
    this.connect().catch(() => undefined);
  }

  /**
   * Waits for `work` (an EVENT-driven wait: a move or count ending) but rejects when the client
   * is closed, or when the link drops and no reconnect will follow. With reconnect on, the watches
   * are registered again after the reconnect and report the state then, so the wait goes on.
   */
  whileConnected<T>(work: Promise<T>, operation: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onClosed = (): void => {
        cleanup();
        reject(new AbortedError(`${operation}: client closed`, { device: this.device, operation }));
      };
      const onDrop = (error?: Error): void => {
        if (this.backoff) return;
        cleanup();
        reject(new NotConnectedError(`${operation}: connection lost${error ? ` (${error.message})` : ''}`, { device: this.device, operation, cause: error }));
      };
      const cleanup = (): void => {
        this.off('closed', onClosed);
        this.off('disconnected', onDrop);
      };
      if (this.stateValue === 'closed') return onClosed();
      this.on('closed', onClosed);
      this.on('disconnected', onDrop);
      work.then(
        (v) => {
          cleanup();
          resolve(v);
        },
        (e) => {
          cleanup();
          reject(e);
        },
      );
    });
  }

  private link(operation: string): SpecConnection {
    const c = this.conn;
    if (!c || !c.isOpen) throw new NotConnectedError(`not connected to SPEC (${this.device})`, { device: this.device, operation });
    return c;
  }

  // -------------------------------------------------------------------------------------------
  // events

  private onEvent(m: SpecMessage): void {
    if (m.error) {
      this.emitError(m.error);
      return;
    }
    const ev: SpecEvent = { property: m.name, value: m.deleted ? null : m.value, deleted: m.deleted, time: m.sec * 1000 + Math.floor(m.usec / 1000) };
    if (m.type === SpecType.ERROR) {
      ev.error = typeof m.value === 'string' && m.value ? m.value : `SPEC error ${m.err}`;
      ev.value = null;
    }
    if (m.name === 'output/tty' && this.outputCapture && typeof m.value === 'string') this.outputCapture.push(m.value);
    const entry = this.watches.get(m.name);
    if (entry) {
      entry.last = ev;
      for (const w of entry.watchers) w.deliver(ev);
    }
    this.emit('event', ev);
  }

  /**
   * Watches a property: the returned SpecWatch emits `event` for each EVENT (the first carries the
   * value at registration; `error` and `output/*` report changes only). Works before connect and
   * across reconnects. `listener`, if given, is attached to `event`.
   */
  watch(property: string, listener?: (ev: SpecEvent) => void): SpecWatch {
    if (typeof property !== 'string' || property === '') throw new InvalidArgumentError('property name required', { operation: 'watch' });
    let entry = this.watches.get(property);
    const w = new SpecWatch(property, (x) => this.dropWatcher(x));
    if (listener) w.on('event', listener);
    if (entry) {
      entry.watchers.add(w);
      w.last = entry.last;
      return w;
    }
    entry = { watchers: new Set([w]) };
    this.watches.set(property, entry);
    if (this.conn?.isOpen && this.stateValue === 'connected') this.conn.send({ cmd: SpecCommand.REGISTER, name: property });
    return w;
  }

  /** Stops every watcher of `property` (or only the watches created with `listener`). */
  unwatch(property: string, listener?: (ev: SpecEvent) => void): void {
    const entry = this.watches.get(property);
    if (!entry) return;
    for (const w of [...entry.watchers]) {
      if (!listener || w.listeners('event').includes(listener)) w.close();
    }
  }

  private dropWatcher(w: SpecWatch): void {
    const entry = this.watches.get(w.property);
    if (!entry) return;
    entry.watchers.delete(w);
    if (entry.watchers.size > 0) return;
    this.watches.delete(w.property);
    if (this.conn?.isOpen && this.stateValue === 'connected') {
      try {
        this.conn.send({ cmd: SpecCommand.UNREGISTER, name: w.property });
      } catch {
        // dropped meanwhile: nothing registered anyway
      }
    }
  }

  /** The properties currently watched (registered again after each reconnect). */
  get watched(): string[] {
    return [...this.watches.keys()];
  }

  // -------------------------------------------------------------------------------------------
  // requests

  private async replyValue(m: SpecMessage, operation: string): Promise<SpecValue> {
    const err = replyError(m, this.device, operation);
    if (err) throw err;
    if (m.error) throw m.error;
    return m.value;
  }

  /** Reads a property (CHAN_READ): `motor/tth/position`, `var/x`, `status/ready`, ... */
  async read(property: string, options: SpecRequestOptions = {}): Promise<SpecValue> {
    if (typeof property !== 'string' || property === '') throw new InvalidArgumentError('property name required', { operation: 'read' });
    const m = await this.link('read').request({ cmd: SpecCommand.CHAN_READ, name: property }, options.timeout ?? this.timeout, 'read', options.signal);
    return this.replyValue(m, `read ${property}`);
  }

  /**
   * Writes a property (CHAN_SEND). SPEC answers only failures; by default a HELLO follows as a
   * barrier so an error REPLY rejects here (SpecError) and success resolves.
   */
  async write(property: string, value: SpecValue | boolean, options: SpecWriteOptions = {}): Promise<void> {
    if (typeof property !== 'string' || property === '') throw new InvalidArgumentError('property name required', { operation: 'write' });
    const conn = this.link('write');
    const sn = conn.send({ cmd: SpecCommand.CHAN_SEND, name: property, value });
    if (options.confirm === false) return;
    let failure: Error | undefined;
    conn.expect(sn, {
      resolve: (m) => {
        failure = replyError(m, this.device, `write ${property}`);
      },
      reject: () => undefined,
    });
    try {
      await conn.request({ cmd: SpecCommand.HELLO }, options.timeout ?? this.timeout, `write ${property}`, options.signal);
    } finally {
      conn.forget(sn);
    }
    if (failure) throw failure;
  }

  /** Serialises console work so each run's output is its own. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.runChain.then(work, work);
    this.runChain = next.catch(() => undefined);
    return next;
  }

  /**
   * Runs a command or macro (CMD_WITH_RETURN) and resolves with its return value and the console
   * text it printed (`output/tty` events between sending and the reply; SPEC has one console, so
   * text another client or the SPEC prompt prints meanwhile is included). Runs and calls from this
   * client go one at a time, as SPEC executes them. A SPEC error rejects with SpecError carrying
   * the output.
   */
  run(command: string, options: SpecRequestOptions = {}): Promise<SpecRunResult> {
    if (typeof command !== 'string' || command.trim() === '') return Promise.reject(new InvalidArgumentError('command text required', { operation: 'run' }));
    return this.serial(async () => {
      const conn = this.link('run');
      const tty = this.watch('output/tty');
      const captured: string[] = [];
      this.outputCapture = captured;
      try {
        const m = await conn.request({ cmd: SpecCommand.CMD_WITH_RETURN, value: command }, options.timeout ?? this.runTimeout, 'run', options.signal);
        const output = captured.join('');
        try {
          return { value: await this.replyValue(m, 'run'), output };
        } catch (e) {
          if (e instanceof SpecError) e.output = output;
          throw e;
        }
      } finally {
        if (this.outputCapture === captured) this.outputCapture = undefined;
        tty.close();
      }
    });
  }

  /** Sends a command without waiting for it to finish (SV_CMD); resolves once sent. */
  async runNoWait(command: string): Promise<void> {
    if (typeof command !== 'string' || command.trim() === '') throw new InvalidArgumentError('command text required', { operation: 'run' });
    this.link('run').send({ cmd: SpecCommand.CMD, value: command });
  }

  /**
   * Calls a SPEC function or macro function with arguments (FUNC_WITH_RETURN) and resolves with
   * its return value: `call('motor_mne', 0)` -> `'tth'`. Arguments are numbers or strings.
   */
  call(func: string, ...args: Array<number | string | boolean>): Promise<SpecValue> {
    if (typeof func !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(func)) {
      return Promise.reject(new InvalidArgumentError(`not a function name: ${String(func)}`, { operation: 'call' }));
    }
    let text: string;
    try {
      text = `${func}(${args.map(specLiteral).join(', ')})`;
    } catch (e) {
      return Promise.reject(e);
    }
    return this.serial(async () => {
      const m = await this.link('call').request({ cmd: SpecCommand.FUNC_WITH_RETURN, value: text }, this.runTimeout, 'call');
      return this.replyValue(m, `call ${func}`);
    });
  }

  /** Sends ABORT (as ^C at the SPEC console): stops moves, counts and running macros. */
  async abort(): Promise<void> {
    this.link('abort').send({ cmd: SpecCommand.ABORT });
  }

  /** Sends HELLO and resolves with the SPEC name (a cheap round trip; a liveness check). */
  async hello(options: SpecRequestOptions = {}): Promise<string> {
    const m = await this.link('hello').request({ cmd: SpecCommand.HELLO }, options.timeout ?? this.timeout, 'hello', options.signal);
    return typeof m.value === 'string' ? m.value : m.name;
  }

  /** Closes the link and every watch; no reconnect afterwards. */
  async close(): Promise<void> {
    if (this.stateValue === 'closed') return;
    this.setState('closed');
    this.retryAbort.abort();
    const conn = this.conn;
    this.conn = undefined;
    for (const entry of this.watches.values()) for (const w of [...entry.watchers]) w.close();
    this.watches.clear();
    if (conn) await conn.close();
    // A connect attempt in flight closes its own sockets once its HELLOs settle: wait for that,
    // so nothing is left open after close() resolves.
    await this.connecting?.catch(() => undefined);
    this.emit('closed');
  }

  // -------------------------------------------------------------------------------------------
  // beamline helpers

  /** A motor by mnemonic (`tth`). Every figure is read fresh from the server; nothing is cached. */
  motor(mne: string): SpecMotor {
    return new SpecMotor(this, mne);
  }

  /**
   * Synchronised move of several motors (prestart_all, start_one per motor, start_all); resolves
   * with every final position once all `move_done` are back to 0.
   */
  moveMotors(targets: Record<string, number>, options: SpecMoveOptions = {}): Promise<Record<string, number>> {
    return moveMotors(this, targets, options);
  }

  /** Reads a variable (`var/<name>`): number, string, associative array (object) or data array. */
  getVariable(name: string, options: SpecRequestOptions = {}): Promise<SpecValue> {
    return this.read(`var/${name}`, options);
  }

  /** Sets a variable (`var/<name>`); an object sets an associative array. */
  setVariable(name: string, value: SpecValue | boolean, options: SpecWriteOptions = {}): Promise<void> {
    return this.write(`var/${name}`, value, options);
  }

  /** Resolves once `status/ready` is 1 (SPEC idle at its prompt). */
  async waitReady(options: SpecRequestOptions = {}): Promise<void> {
    const w = this.watch('status/ready');
    try {
      await w.waitFor((ev) => Number(ev.value) === 1, { timeout: options.timeout ?? 0, signal: options.signal });
    } finally {
      w.close();
    }
  }

  private async namedList(countVar: string, mneFunc: string, nameFunc: string): Promise<SpecNamedItem[]> {
    const n = Number(await this.getVariable(countVar));
    if (!Number.isInteger(n) || n < 0) throw new ProtocolError(`${countVar} is not a count: ${n}`, { device: this.device });
    const out: SpecNamedItem[] = [];
    for (let i = 0; i < n; i++) {
      const mne = String(await this.call(mneFunc, i));
      const name = String(await this.call(nameFunc, i));
      out.push({ index: i, mne, name });
    }
    return out;
  }

  /** The configured motors: index, mnemonic, name (MOTORS, motor_mne(i), motor_name(i)). */
  motors(): Promise<SpecNamedItem[]> {
    return this.namedList('MOTORS', 'motor_mne', 'motor_name');
  }

  /** The configured counters (COUNTERS, cnt_mne(i), cnt_name(i)); kept per connection. */
  async counters(): Promise<SpecNamedItem[]> {
    if (!this.counterCache) this.counterCache = await this.namedList('COUNTERS', 'cnt_mne', 'cnt_name');
    return this.counterCache;
  }

  /**
   * Counts for `seconds` (writes `scaler/.all./count`, waits for it to return to 0) and resolves
   * with every scaler's value by mnemonic, e.g. `{ sec: 1, mon: 100213, det: 5121 }`.
   */
  async count(seconds: number, options: SpecRequestOptions = {}): Promise<Record<string, number>> {
    if (!(typeof seconds === 'number' && seconds > 0 && Number.isFinite(seconds))) {
      throw new InvalidArgumentError(`count time must be a positive number of seconds, got ${String(seconds)}`, { operation: 'count' });
    }
    const counters = await this.counters();
    const w = this.watch('scaler/.all./count');
    const tracker = new BusyTracker(w, (v) => Number(v) !== 0);
    try {
      await this.write('scaler/.all./count', seconds, options);
      await tracker.settle(() => this.read('scaler/.all./count'));
      await this.whileConnected(waitWith(tracker.done, { signal: options.signal }, 'count', () => void this.abort().catch(() => undefined)), 'count');
      const out: Record<string, number> = {};
      for (const c of counters) out[c.mne] = Number(await this.read(`scaler/${c.mne}/value`));
      return out;
    } finally {
      tracker.stop();
      w.close();
    }
  }
}

export { SpecWatch };
