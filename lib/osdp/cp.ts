/**
 * The OSDP control panel (CP), after libosdp's ControlPanel: drives many PDs on one channel and
 * several channels at once. Each channel has one bus loop (RS-485 is half duplex: one exchange at
 * a time) that serves its PDs round-robin: ID, CAP, optional Secure Channel, then online with
 * queued commands first and a POLL every `pollInterval` ms. A missed reply is retried with the
 * same SQN; after `retries` misses the PD goes offline and is retried after the offline back-off.
 */
import { EventEmitter } from 'node:events';
import { BoundedQueue } from '../common/queue';
import { Backoff, type BackoffOptions } from '../common/deadline';
import {
  AbortedError,
  FieldlinkError,
  InvalidArgumentError,
  NotConnectedError,
  NotFoundError,
  ProtocolError,
  TimeoutError,
  toFieldlinkError,
} from '../common/errors';
import { systemClock, type Clock } from './clock';
import { createChannel, type Channel, type ChannelOptions } from './channels';
import { ChannelLink, type LinkStatus } from './channels/link';
import { encodeCommand } from './codec/commands';
import { BROADCAST, encodeFrame, transmitTime, type DecodedFrame } from './codec/frame';
import { FrameParser } from './codec/parser';
import { decodeReply } from './codec/replies';
import { NakError } from './errors';
import type { CpSecureSession, CpSessionContext, CpSessionFactory, ExchangeOptions, WireMessage } from './session';
import {
  CapabilityFunction,
  PdFlag,
  ReplyCode,
  type AppCommand,
  type Capability,
  type ChannelMetrics,
  type CommandResult,
  type CommandStatus,
  type OsdpCommand,
  type OsdpEvent,
  type OsdpReply,
  type PacketCapture,
  type PdFlagName,
  type PdId,
  type PdMetrics,
  type PdState,
} from './types';

/** One PD as configured on the CP. */
export interface PdConfig {
  /** 0..126. */
  address: number;
  /** Unique name for logs, events and lookup (default `pd-<address>`). */
  name?: string;
  /** The channel this PD is on (default: ControlPanelOptions.channel). PDs given the same Channel object or equal options share a bus. */
  channel?: Channel | ChannelOptions;
  /** PdFlag names or a bit mask. */
  flags?: PdFlagName[] | number;
  /** Secure Channel base key (16 bytes), for the session factory. */
  scbk?: Buffer;
  /** Start in CRC mode (default true); the CP falls back to checksum when the PD asks. */
  crc?: boolean;
  /** Start disabled (enablePd() later). */
  disabled?: boolean;
}

export interface ControlPanelOptions {
  pds: PdConfig[];
  /** Default channel for PDs without their own. */
  channel?: Channel | ChannelOptions;
  /** Idle POLL interval per PD in ms (default 50). */
  pollInterval?: number;
  /** Reply deadline in ms, before the line time of the frames is added (default 200). */
  responseTimeout?: number;
  /** Retransmissions of a command (same SQN) before the PD is declared offline (default 3). */
  retries?: number;
  /** Delay before resending after a BUSY reply in ms (default 50); at most `maxBusy` in a row (default 100). */
  busyDelay?: number;
  maxBusy?: number;
  /** Wait before retrying an offline PD: fixed ms, or a back-off (default initial 1000, max 30 000 ms; libosdp hard-codes 300 s). */
  offlineBackoff?: number | BackoffOptions;
  /** Channel reopen back-off (default initial 500, max 30 000 ms). */
  reconnect?: BackoffOptions;
  /** Commands queued per PD (default 32). */
  commandQueueSize?: number;
  /** Events kept for getEvent() (default 256; the oldest is dropped when full). */
  eventQueueSize?: number;
  /** Prefix each frame with the 0xFF mark (default true). */
  mark?: boolean;
  /** Secure Channel session per PD (the Secure Channel module provides it); none = plain text. */
  session?: CpSessionFactory;
  clock?: Clock;
}

/** A PD reference: its index in `pds` (libosdp style) or its name. */
export type PdRef = number | string;

export interface PdInfo {
  index: number;
  name: string;
  address: number;
  channel: string;
  state: PdState;
  online: boolean;
  flags: number;
  crc: boolean;
  secure: boolean;
  id?: PdId;
  capabilities: Capability[];
  baudRate?: number;
}

/** One event as reported by the CP. */
export interface CpEventRecord {
  pd: number;
  name: string;
  address: number;
  /** Epoch ms. */
  time: number;
  event: OsdpEvent;
}

export interface SendOptions {
  /** Overall deadline in ms from submission (default none: the retries and offline rules apply). */
  timeout?: number;
}

const EXPECTED_REPLY: Partial<Record<OsdpCommand['command'], number[]>> = {
  id: [ReplyCode.PDID],
  cap: [ReplyCode.PDCAP],
  comset: [ReplyCode.COM],
  mfg: [ReplyCode.ACK, ReplyCode.MFGREP],
  filetransfer: [ReplyCode.FTSTAT, ReplyCode.ACK],
};
const STATUS_REPLY: Record<string, number> = { local: ReplyCode.LSTATR, input: ReplyCode.ISTATR, output: ReplyCode.OSTATR, reader: ReplyCode.RSTATR };
const POLL: WireMessage = encodeCommand({ command: 'poll' });
const STATE_TEXT: Record<PdState, string> = {
  disabled: 'disabled',
  offline: 'offline (no answer; retried after the back-off)',
  id: 'identifying (ID)',
  cap: 'reading capabilities (CAP)',
  secure: 'setting up Secure Channel',
  online: 'online',
};
const EVENT_REPLIES = new Set<number>([ReplyCode.RAW, ReplyCode.FMT, ReplyCode.KEYPAD, ReplyCode.MFGREP, ReplyCode.LSTATR, ReplyCode.ISTATR, ReplyCode.OSTATR, ReplyCode.RSTATR]);

interface QueuedCommand {
  command: AppCommand;
  wire: WireMessage;
  resolve: (r: CommandResult) => void;
  deadline?: number;
}

function newMetrics(): PdMetrics {
  return { framesSent: 0, framesReceived: 0, retries: 0, timeouts: 0, errors: 0, naks: 0, busy: 0, commandsOk: 0, commandsFailed: 0, offlineCount: 0, latency: { last: 0, average: 0, max: 0, count: 0 } };
}

function flagMask(flags: PdFlagName[] | number | undefined): number {
  if (flags === undefined) return 0;
  if (typeof flags === 'number') return flags;
  let m = 0;
  for (const f of flags) {
    const bit = PdFlag[f];
    if (bit === undefined) throw new InvalidArgumentError(`unknown PD flag ${String(f)}`);
    m |= bit;
  }
  return m;
}

function flagBit(flag: PdFlagName | number): number {
  if (typeof flag === 'number') return flag;
  const bit = PdFlag[flag];
  if (bit === undefined) throw new InvalidArgumentError(`unknown PD flag ${String(flag)}`);
  return bit;
}

/** CP-side state of one PD. */
class CpPd {
  state: PdState = 'offline';
  sqn = 0;
  crc: boolean;
  flags: number;
  id?: PdId;
  capabilities: Capability[] = [];
  queue: QueuedCommand[] = [];
  inFlight?: QueuedCommand;
  nextPoll = 0;
  /** No idle POLL while set (holdPolls). */
  pollsHeld = false;
  retryAt = 0;
  readonly backoff: Backoff;
  metrics = newMetrics();
  session?: CpSecureSession;
  baudRate?: number;
  bus!: Bus;

  constructor(
    readonly index: number,
    public address: number,
    readonly name: string,
    readonly config: PdConfig,
    backoff: number | BackoffOptions | undefined,
  ) {
    this.crc = config.crc ?? true;
    this.flags = flagMask(config.flags);
    this.backoff =
      typeof backoff === 'number' ? new Backoff({ initial: backoff, max: backoff, factor: 1, jitter: 0 }) : new Backoff({ initial: 1000, max: 30_000, factor: 2, jitter: 0.1, ...backoff });
    if (config.disabled) this.state = 'disabled';
  }

  get online(): boolean {
    return this.state === 'online';
  }

  nextSqn(sqn: number): number {
    return sqn >= 3 ? 1 : sqn + 1;
  }
}

/** One channel and the PDs on it: the bus loop. */
class Bus {
  readonly link: ChannelLink;
  readonly parser: FrameParser;
  readonly pds: CpPd[] = [];
  private rr = 0;
  private waiter?: { pd: CpPd; sqn: number; resolve: (f: DecodedFrame | undefined) => void; extended: boolean };
  private deadline?: unknown;
  private deadlineMs = 0;
  private wakeUp?: () => void;
  stopped = true;
  private loop?: Promise<void>;
  readonly metrics: ChannelMetrics = { bytesIn: 0, bytesOut: 0, framesIn: 0, framesOut: 0, junkBytes: 0, badFrames: 0, reopens: 0 };

  constructor(
    readonly cp: ControlPanel,
    readonly channel: Channel,
    reconnect: BackoffOptions | undefined,
    private readonly clock: Clock,
  ) {
    this.link = new ChannelLink(channel, reconnect);
    this.parser = new FrameParser({ accept: 'reply', onFrame: (f) => this.onFrame(f), onError: () => this.metrics.badFrames++, now: () => clock.now() });
    this.onData = this.onData.bind(this);
    this.onDeadline = this.onDeadline.bind(this);
    this.link.on('state', (s: LinkStatus) => {
      this.metrics.reopens = this.link.reopens;
      if (s.state !== 'open') this.parser.reset();
      this.cp.emit('channel', s);
      if (s.state === 'waiting') for (const pd of this.pds) this.cp._linkDown(pd, s.error ?? new NotConnectedError('channel closed'));
      this.wake();
    });
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.channel.on('data', this.onData);
    this.loop = this.run();
    await this.link.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    this.finishWaiter(undefined);
    if (this.deadline !== undefined) this.clock.clearTimeout(this.deadline);
    this.deadline = undefined;
    this.channel.off('data', this.onData);
    await this.loop;
    await this.link.stop();
  }

  wake(): void {
    const w = this.wakeUp;
    this.wakeUp = undefined;
    w?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = this.clock.setTimeout(() => {
        this.wakeUp = undefined;
        resolve();
      }, ms);
      this.wakeUp = () => {
        this.clock.clearTimeout(t);
        resolve();
      };
    });
  }

  private onData(chunk: Buffer): void {
    this.metrics.bytesIn += chunk.length;
    this.parser.push(chunk);
    this.metrics.junkBytes = this.parser.stats.junkBytes;
    if (this.parser.pending > 0 && this.waiter) this.extendDeadline();
  }

  private onFrame(frame: DecodedFrame): void {
    this.metrics.framesIn++;
    const w = this.waiter;
    const matches = w && (frame.address === w.pd.address || (w.pd.address === BROADCAST && frame.address === BROADCAST)) && frame.sqn === w.sqn;
    if (w) this.cp._capture(w.pd, 'rx', frame.raw);
    if (!matches) {
      if (w) w.pd.metrics.errors++;
      return;
    }
    this.finishWaiter(frame);
  }

  /** Writes a command frame and waits for the matching reply, or undefined on time-out / stop. */
  send(pd: CpPd, bytes: Buffer, sqn: number): Promise<DecodedFrame | undefined> {
    const baud = this.channel.baudRate;
    const reply = new Promise<DecodedFrame | undefined>((resolve) => {
      this.waiter = { pd, sqn, resolve, extended: false };
    });
    this.armDeadline(this.cp.responseTimeout + transmitTime(bytes.length, baud));
    this.cp._capture(pd, 'tx', bytes[0] === 0xff ? bytes.subarray(1) : bytes);
    return this.channel.write(bytes).then(
      () => {
        this.metrics.bytesOut += bytes.length;
        this.metrics.framesOut++;
        return reply;
      },
      (err: unknown) => {
        this.finishWaiter(undefined);
        throw toFieldlinkError(err, { device: pd.name, operation: 'write' });
      },
    );
  }

  private armDeadline(ms: number): void {
    const w = this.waiter;
    if (!w) return;
    // One deadline timer per bus, re-armed in place (Node's Timeout.refresh) when the duration is unchanged.
    const t = this.deadline as { refresh?: () => void } | undefined;
    if (t !== undefined && this.deadlineMs === ms && typeof t.refresh === 'function') {
      t.refresh();
      return;
    }
    if (t !== undefined) this.clock.clearTimeout(t);
    this.deadlineMs = ms;
    this.deadline = this.clock.setTimeout(this.onDeadline, ms);
    (this.deadline as { unref?: () => void }).unref?.();
  }

  private onDeadline(): void {
    if (!this.waiter) return; // a re-armable timer outliving its exchange
    // Whatever partial frame is pending will not complete in time: rescan it now.
    if (this.parser.pending > 0) this.parser.abandonPartial();
    this.finishWaiter(undefined);
  }

  /** Ends the current wait with a reply frame or undefined (time-out, stop, write error). */
  private finishWaiter(frame: DecodedFrame | undefined): void {
    const w = this.waiter;
    if (!w) return;
    this.waiter = undefined;
    const t = this.deadline as { refresh?: () => void } | undefined;
    if (t !== undefined && (typeof t.refresh !== 'function' || this.stopped)) {
      this.clock.clearTimeout(t);
      this.deadline = undefined;
    }
    w.resolve(frame);
  }

  /** A reply is arriving: allow its line time on top of the deadline (once). */
  private extendDeadline(): void {
    const w = this.waiter;
    const baud = this.channel.baudRate;
    const len = this.parser.pendingFrameLength;
    if (!w || w.extended || len === undefined || !baud) return;
    w.extended = true;
    this.armDeadline(this.cp.responseTimeout + transmitTime(len, baud));
  }

  private pick(now: number): CpPd | undefined {
    const n = this.pds.length;
    for (let k = 0; k < n; k++) {
      const pd = this.pds[(this.rr + k) % n];
      if (this.cp._due(pd, now) <= now) {
        this.rr = (this.rr + k + 1) % n;
        return pd;
      }
    }
    return undefined;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (!this.link.isOpen) {
        await this.sleep(1000);
        continue;
      }
      const now = this.clock.now();
      const pd = this.pick(now);
      if (!pd) {
        let next = Infinity;
        for (const p of this.pds) next = Math.min(next, this.cp._due(p, now));
        await this.sleep(Number.isFinite(next) ? Math.max(1, next - now) : 1000);
        continue;
      }
      try {
        await this.cp._step(pd);
      } catch (err) {
        this.cp.emit('warning', toFieldlinkError(err, { device: pd.name, operation: 'step' }));
      }
    }
  }
}

export interface ControlPanelEvents {
  event: [CpEventRecord];
  online: [PdInfo];
  offline: [PdInfo, FieldlinkError];
  state: [PdInfo];
  command: [PdInfo, CommandResult];
  packet: [PacketCapture];
  channel: [LinkStatus];
  warning: [FieldlinkError];
}

export class ControlPanel extends EventEmitter {
  readonly pollInterval: number;
  readonly responseTimeout: number;
  readonly retries: number;
  private readonly busyDelay: number;
  private readonly maxBusy: number;
  private readonly queueSize: number;
  private readonly mark: boolean;
  private readonly clock: Clock;
  private readonly pdList: CpPd[] = [];
  private readonly buses: Bus[] = [];
  private readonly events: BoundedQueue<CpEventRecord>;
  private running = false;

  constructor(options: ControlPanelOptions) {
    super();
    this.setMaxListeners(0); // waitOnline/waitOffline and node adapters add listeners per caller
    if (!options || !Array.isArray(options.pds) || options.pds.length === 0) throw new InvalidArgumentError('ControlPanel needs at least one PD');
    this.pollInterval = options.pollInterval ?? 50;
    this.responseTimeout = options.responseTimeout ?? 200;
    this.retries = options.retries ?? 3;
    this.busyDelay = options.busyDelay ?? 50;
    this.maxBusy = options.maxBusy ?? 100;
    this.queueSize = options.commandQueueSize ?? 32;
    this.mark = options.mark ?? true;
    this.clock = options.clock ?? systemClock;
    this.events = new BoundedQueue(options.eventQueueSize ?? 256);
    const byKey = new Map<string, Bus>();
    const byChannel = new Map<Channel, Bus>();
    const names = new Set<string>();
    options.pds.forEach((cfg, index) => {
      if (!Number.isInteger(cfg.address) || cfg.address < 0 || cfg.address > 0x7e) throw new InvalidArgumentError(`PD ${index}: address must be 0..126`);
      const name = cfg.name ?? `pd-${cfg.address}`;
      if (names.has(name)) throw new InvalidArgumentError(`PD name ${name} used twice`);
      names.add(name);
      const pd = new CpPd(index, cfg.address, name, cfg, options.offlineBackoff);
      const ch = cfg.channel ?? options.channel;
      if (!ch) throw new InvalidArgumentError(`PD ${name}: no channel`);
      let bus: Bus | undefined;
      if (typeof (ch as Channel).write === 'function') {
        const channel = ch as Channel;
        bus = byChannel.get(channel);
        if (!bus) byChannel.set(channel, (bus = new Bus(this, channel, options.reconnect, this.clock)));
      } else {
        const key = JSON.stringify(ch);
        bus = byKey.get(key);
        if (!bus) byKey.set(key, (bus = new Bus(this, createChannel(ch as ChannelOptions), options.reconnect, this.clock)));
      }
      if (bus.pds.some((p) => p.address === cfg.address)) throw new InvalidArgumentError(`PD ${name}: address ${cfg.address} used twice on ${bus.channel.name}`);
      if (!this.buses.includes(bus)) this.buses.push(bus);
      bus.pds.push(pd);
      pd.bus = bus;
      pd.session = options.session?.({ index, address: cfg.address, name, flags: pd.flags, ...(cfg.scbk ? { scbk: cfg.scbk } : {}) });
      this.pdList.push(pd);
    });
  }

  // ------------------------------------------------------------------ life cycle

  /** Opens every channel (retrying in the background with back-off) and starts polling. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const now = this.clock.now();
    for (const pd of this.pdList) if (pd.state !== 'disabled') this.setState(pd, 'offline', now);
    await Promise.all(this.buses.map((b) => b.start()));
  }

  /** Stops polling, aborts queued commands and closes every channel. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const pd of this.pdList) this.abortQueue(pd, 'aborted', new AbortedError('control panel stopped', { device: pd.name }));
    await Promise.all(this.buses.map((b) => b.stop()));
    for (const pd of this.pdList) {
      pd.session?.reset();
      if (pd.state !== 'disabled') this.setState(pd, 'offline');
    }
  }

  /** Same as stop(): resolves once every socket, port and timer is closed. */
  close(): Promise<void> {
    return this.stop();
  }

  get isRunning(): boolean {
    return this.running;
  }

  // ------------------------------------------------------------------ PDs

  /** The configured PDs, in order (index = libosdp's pd offset). */
  get pds(): PdInfo[] {
    return this.pdList.map((p) => this.info(p));
  }

  get channels(): Channel[] {
    return this.buses.map((b) => b.channel);
  }

  /** Index of a PD by index or name; throws NotFoundError. */
  indexOf(ref: PdRef): number {
    return this.pd(ref).index;
  }

  pdInfo(ref: PdRef): PdInfo {
    return this.info(this.pd(ref));
  }

  isOnline(ref: PdRef): boolean {
    return this.pd(ref).online;
  }

  /** Online state of every PD as a bit list (libosdp get_status_mask). */
  statusMask(): boolean[] {
    return this.pdList.map((p) => p.online);
  }

  /** PDID as last reported, or undefined before the PD answered ID. */
  getPdId(ref: PdRef): PdId | undefined {
    const id = this.pd(ref).id;
    return id ? { ...id, firmware: { ...id.firmware } } : undefined;
  }

  getCapabilities(ref: PdRef): Capability[] {
    return this.pd(ref).capabilities.map((c) => ({ ...c }));
  }

  /** The PD's entry for a capability function code, or undefined when it did not report it. */
  checkCapability(ref: PdRef, fn: number): Capability | undefined {
    const c = this.pd(ref).capabilities.find((x) => x.function === fn);
    return c ? { ...c } : undefined;
  }

  setFlag(ref: PdRef, flag: PdFlagName | number): void {
    this.pd(ref).flags |= flagBit(flag);
  }

  clearFlag(ref: PdRef, flag: PdFlagName | number): void {
    this.pd(ref).flags &= ~flagBit(flag);
  }

  hasFlag(ref: PdRef, flag: PdFlagName | number): boolean {
    return (this.pd(ref).flags & flagBit(flag)) !== 0;
  }

  /**
   * Holds (or resumes) the idle POLLs to a PD while queued commands still go out: a file transfer
   * uses it when the PD's FTSTAT does not allow polls between fragments.
   */
  holdPolls(ref: PdRef, hold: boolean): void {
    const pd = this.pd(ref);
    if (pd.pollsHeld === hold) return;
    pd.pollsHeld = hold;
    if (!hold) {
      pd.nextPoll = this.clock.now();
      pd.bus.wake();
    }
  }

  /** Re-enables a disabled PD: it goes through ID/CAP again at once. */
  enablePd(ref: PdRef): void {
    const pd = this.pd(ref);
    if (pd.state !== 'disabled') return;
    pd.backoff.reset();
    this.setState(pd, 'offline', this.clock.now());
    pd.bus.wake();
  }

  /** Stops talking to a PD: queued commands end 'aborted', an online PD reports offline. */
  disablePd(ref: PdRef): void {
    const pd = this.pd(ref);
    if (pd.state === 'disabled') return;
    const wasOnline = pd.online;
    this.abortQueue(pd, 'aborted', new AbortedError('PD disabled', { device: pd.name }));
    pd.session?.reset();
    this.setState(pd, 'disabled');
    if (wasOnline) this.reportOffline(pd, new AbortedError('PD disabled', { device: pd.name }));
  }

  isPdEnabled(ref: PdRef): boolean {
    return this.pd(ref).state !== 'disabled';
  }

  /** True when the PD's Secure Channel session is up. */
  isSecure(ref: PdRef): boolean {
    return this.pd(ref).session?.active === true;
  }

  // ------------------------------------------------------------------ waits

  /** Resolves true once every given PD (default all enabled ones) is online, false after `timeoutMs`. */
  waitOnline(refs?: PdRef | PdRef[], timeoutMs = 10_000): Promise<boolean> {
    return this.waitFor(refs, (p) => p.online, timeoutMs);
  }

  /** Resolves true once every given PD is offline (or disabled), false after `timeoutMs`. */
  waitOffline(refs?: PdRef | PdRef[], timeoutMs = 10_000): Promise<boolean> {
    return this.waitFor(refs, (p) => !p.online, timeoutMs);
  }

  private waitFor(refs: PdRef | PdRef[] | undefined, ok: (p: CpPd) => boolean, timeoutMs: number): Promise<boolean> {
    const list = refs === undefined ? this.pdList.filter((p) => p.state !== 'disabled') : (Array.isArray(refs) ? refs : [refs]).map((r) => this.pd(r));
    if (list.every(ok)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = (): void => {
        if (list.every(ok)) done(true);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      const done = (v: boolean): void => {
        clearTimeout(timer);
        this.off('state', check);
        resolve(v);
      };
      this.on('state', check);
    });
  }

  // ------------------------------------------------------------------ commands

  /**
   * Queues a command for a PD. Resolves when it completed: `ok` (with the reply), `failed` (NAK,
   * no reply, bad reply: `error` says which), `flushed` (flushCommands) or `aborted` (stop, disable,
   * PD offline). Rejects only for unusable input (InvalidArgumentError) or an unknown PD.
   */
  sendCommand(ref: PdRef, command: AppCommand, options: SendOptions = {}): Promise<CommandResult> {
    let pd: CpPd;
    try {
      pd = this.pd(ref);
    } catch (err) {
      return Promise.reject(err);
    }
    let wire: WireMessage;
    try {
      if (['poll', 'id', 'cap', 'chlng', 'scrypt'].includes((command as OsdpCommand)?.command)) {
        throw new RangeError(`${(command as OsdpCommand).command} is sent by the engine itself`);
      }
      wire = encodeCommand(command);
    } catch (err) {
      return Promise.reject(new InvalidArgumentError((err as Error).message, { device: pd.name, operation: (command as OsdpCommand)?.command }));
    }
    const name = command.command;
    if (name === 'keyset' && pd.session?.active !== true) {
      // Never send a key in plain text (libosdp refuses it too).
      return Promise.reject(new InvalidArgumentError(`${pd.name}: KEYSET needs an active Secure Channel`, { device: pd.name, operation: name }));
    }
    if (!this.running || !pd.online) {
      const why = !this.running ? 'the control panel is not started' : STATE_TEXT[pd.state];
      const error = new NotConnectedError(`${pd.name} is not online: ${why}`, { device: pd.name, operation: name });
      return Promise.resolve(this.finish(pd, { status: 'failed', command: name, error }));
    }
    if (pd.queue.length >= this.queueSize) {
      const error = new FieldlinkError(`${pd.name}: command queue full (${this.queueSize})`, 'EQUEUEFULL', { device: pd.name, operation: name });
      return Promise.resolve(this.finish(pd, { status: 'failed', command: name, error }));
    }
    return new Promise<CommandResult>((resolve) => {
      const q: QueuedCommand = { command, wire, resolve };
      if (options.timeout && options.timeout > 0) q.deadline = this.clock.now() + options.timeout;
      pd.queue.push(q);
      pd.bus.wake();
    });
  }

  /** Like sendCommand, but resolves with the reply on 'ok' and rejects with the typed error otherwise. */
  async command(ref: PdRef, command: AppCommand, options: SendOptions = {}): Promise<OsdpReply> {
    const r = await this.sendCommand(ref, command, options);
    if (r.status === 'ok') return r.reply ?? { reply: 'ack' };
    throw r.error ?? new FieldlinkError(`command ${r.command} ${r.status}`, 'EFAILED', { device: this.pd(ref).name, operation: r.command });
  }

  /** Drops the PD's queued commands (they end 'flushed'); returns how many. The one on the wire completes normally. */
  flushCommands(ref: PdRef): number {
    const pd = this.pd(ref);
    const n = pd.queue.length;
    this.abortQueue(pd, 'flushed', new AbortedError('flushed', { device: pd.name }), false);
    return n;
  }

  /** Commands waiting for a PD (not counting the one on the wire). */
  queuedCommands(ref: PdRef): number {
    return this.pd(ref).queue.length;
  }

  // ------------------------------------------------------------------ events

  /** The next queued event (of one PD, or of any), or undefined. Events also arrive as 'event'. */
  getEvent(ref?: PdRef): CpEventRecord | undefined {
    if (ref === undefined) return this.events.tryShift();
    const index = this.pd(ref).index;
    const all = this.events.drain();
    const at = all.findIndex((e) => e.pd === index);
    const found = at >= 0 ? all.splice(at, 1)[0] : undefined;
    for (const e of all) this.events.pushDropOldest(e);
    return found;
  }

  // ------------------------------------------------------------------ metrics

  metrics(ref: PdRef): PdMetrics {
    const m = this.pd(ref).metrics;
    return { ...m, latency: { ...m.latency } };
  }

  channelMetrics(): Array<ChannelMetrics & { channel: string }> {
    return this.buses.map((b) => ({ channel: b.channel.name, ...b.metrics, junkBytes: b.parser.stats.junkBytes, badFrames: b.parser.stats.badFrames }));
  }

  channelStatus(): LinkStatus[] {
    return this.buses.map((b) => b.link.status);
  }

  // ------------------------------------------------------------------ internals (used by Bus)

  private pd(ref: PdRef): CpPd {
    const pd = typeof ref === 'number' ? this.pdList[ref] : this.pdList.find((p) => p.name === ref);
    if (!pd) throw new NotFoundError(`no PD ${String(ref)}`, { device: String(ref) });
    return pd;
  }

  private info(p: CpPd): PdInfo {
    const i: PdInfo = {
      index: p.index,
      name: p.name,
      address: p.address,
      channel: p.bus.channel.name,
      state: p.state,
      online: p.online,
      flags: p.flags,
      crc: p.crc,
      secure: p.session?.active === true,
      capabilities: p.capabilities.map((c) => ({ ...c })),
    };
    if (p.id) i.id = { ...p.id, firmware: { ...p.id.firmware } };
    if (p.baudRate !== undefined) i.baudRate = p.baudRate;
    return i;
  }

  private setState(pd: CpPd, state: PdState, retryAt?: number): void {
    if (retryAt !== undefined) pd.retryAt = retryAt;
    if (pd.state === state) return;
    pd.state = state;
    this.emit('state', this.info(pd));
  }

  /** When the PD wants the bus next. */
  _due(pd: CpPd, now: number): number {
    switch (pd.state) {
      case 'disabled':
        return Infinity;
      case 'offline':
        return pd.retryAt;
      case 'online':
        if (pd.queue.length > 0) return now;
        return pd.pollsHeld ? Infinity : pd.nextPoll;
      default:
        return now;
    }
  }

  _capture(pd: CpPd, direction: 'tx' | 'rx', bytes: Buffer): void {
    if (pd.flags & PdFlag.CapturePackets) this.emit('packet', { direction, bytes: Buffer.from(bytes), time: Date.now(), pd: pd.index });
  }

  _linkDown(pd: CpPd, error: FieldlinkError): void {
    if (pd.state === 'disabled') return;
    const wasOnline = pd.online;
    this.abortQueue(pd, 'aborted', error);
    pd.session?.reset();
    this.setState(pd, 'offline', this.clock.now());
    if (wasOnline) this.reportOffline(pd, error);
  }

  private reportOffline(pd: CpPd, error: FieldlinkError): void {
    pd.metrics.offlineCount++;
    this.notify(pd, 'pd-status', 'offline', undefined, error.message);
    this.emit('offline', this.info(pd), error);
  }

  private abortQueue(pd: CpPd, status: CommandStatus, error: FieldlinkError, includeInFlight = false): void {
    const list = pd.queue.splice(0);
    if (includeInFlight && pd.inFlight) list.unshift(pd.inFlight);
    for (const q of list) q.resolve(this.finish(pd, { status, command: q.command.command, error }));
  }

  private finish(pd: CpPd, result: CommandResult): CommandResult {
    if (result.status === 'ok') pd.metrics.commandsOk++;
    else pd.metrics.commandsFailed++;
    this.notify(pd, 'command', result.command, result.status, result.error?.message);
    this.emit('command', this.info(pd), result);
    return result;
  }

  private notify(pd: CpPd, type: 'command' | 'pd-status' | 'sc-status', what: string, status?: CommandStatus, detail?: string): void {
    if (!(pd.flags & PdFlag.EnableNotification)) return;
    const event: OsdpEvent = { event: 'notification', type, what };
    if (status) event.status = status;
    if (detail) event.detail = detail;
    this.pushEvent(pd, event);
  }

  private pushEvent(pd: CpPd, event: OsdpEvent): void {
    const rec: CpEventRecord = { pd: pd.index, name: pd.name, address: pd.address, time: Date.now(), event };
    this.events.pushDropOldest(rec);
    this.emit('event', rec);
  }

  /** Goes offline after a failure; retried after the back-off. */
  private fail(pd: CpPd, error: FieldlinkError): void {
    const wasOnline = pd.online;
    pd.session?.reset();
    if (pd.inFlight) {
      const q = pd.inFlight;
      pd.inFlight = undefined;
      q.resolve(this.finish(pd, { status: 'failed', command: q.command.command, error }));
    }
    this.abortQueue(pd, 'aborted', error);
    if (pd.state === 'disabled') return;
    this.setState(pd, 'offline', this.clock.now() + pd.backoff.next());
    if (wasOnline) this.reportOffline(pd, error);
    else this.emit('warning', error);
  }

  /**
   * Sends one command frame and returns the reply frame, handling retries (same SQN), BUSY, the
   * CRC -> checksum fallback and NAK 4 (sequence restart). Throws TimeoutError after the retries.
   */
  private async exchange(pd: CpPd, wire: WireMessage, opts: ExchangeOptions & { name: string }): Promise<DecodedFrame> {
    const session = pd.session;
    const secured = !opts.raw && session?.active === true;
    let sqn = opts.resetSequence ? 0 : pd.sqn;
    let attempts = 0;
    let busy = 0;
    let bytes: Buffer | undefined;
    const build = (): Buffer => {
      const msg = secured ? session!.wrapCommand(wire) : wire;
      const frame = { address: pd.address, reply: false, sqn, crc: pd.crc, code: msg.code, data: msg.data, ...(msg.scb ? { scb: msg.scb } : {}) };
      return encodeFrame(frame, { mark: this.mark, ...(msg.mac ? { mac: msg.mac } : {}) });
    };
    for (;;) {
      if (!bytes) bytes = build();
      const sent = this.clock.now();
      pd.metrics.framesSent++;
      const frame = await pd.bus.send(pd, bytes, sqn);
      if (!this.running || pd.bus.stopped) throw new AbortedError('control panel stopped', { device: pd.name, operation: opts.name });
      if (!frame) {
        pd.metrics.timeouts++;
        if (attempts++ >= this.retries) throw new TimeoutError(`${pd.name} did not answer ${opts.name}`, { device: pd.name, operation: opts.name });
        pd.metrics.retries++;
        continue;
      }
      pd.metrics.framesReceived++;
      const lat = this.clock.now() - sent;
      const l = pd.metrics.latency;
      l.last = lat;
      l.count++;
      l.average += (lat - l.average) / l.count;
      if (lat > l.max) l.max = lat;
      if (!frame.scb && frame.code === ReplyCode.NAK && frame.data.length >= 1) {
        const code = frame.data[0];
        if (code === 1 && pd.crc) {
          // The PD does not do CRC: fall back to checksum and resend.
          pd.crc = false;
          pd.metrics.naks++;
          if (attempts++ >= this.retries) return frame;
          pd.metrics.retries++;
          bytes = undefined;
          continue;
        }
        if (code === 4 && sqn !== 0) {
          // The PD lost our sequence: restart it with SQN 0.
          pd.metrics.naks++;
          if (attempts++ >= this.retries) return frame;
          pd.metrics.retries++;
          sqn = 0;
          bytes = undefined;
          continue;
        }
      }
      if (!frame.scb && frame.code === ReplyCode.BUSY) {
        pd.metrics.busy++;
        if (busy++ >= this.maxBusy) throw new ProtocolError(`${pd.name} stayed busy`, { device: pd.name, operation: opts.name }, 'EBUSY');
        await new Promise<void>((r) => this.clock.setTimeout(r, this.busyDelay));
        if (!this.running) throw new AbortedError('control panel stopped', { device: pd.name, operation: opts.name });
        continue;
      }
      pd.sqn = pd.nextSqn(sqn);
      return frame;
    }
  }

  /** Exchange plus session unwrap and payload decode. */
  private async transact(pd: CpPd, wire: WireMessage, name: string): Promise<OsdpReply> {
    const frame = await this.exchange(pd, wire, { name });
    let plain: WireMessage = { code: frame.code, data: frame.data };
    if (pd.session?.active) {
      try {
        plain = pd.session.unwrapReply(frame);
      } catch (err) {
        pd.metrics.errors++;
        throw toFieldlinkError(err, { device: pd.name, operation: name });
      }
    } else if (frame.scb) {
      pd.metrics.errors++;
      throw new ProtocolError(`${pd.name} sent a secure reply without a session`, { device: pd.name, operation: name });
    }
    try {
      return decodeReply(plain.code, plain.data);
    } catch (err) {
      pd.metrics.errors++;
      throw toFieldlinkError(err, { device: pd.name, operation: name });
    }
  }

  private sessionContext(pd: CpPd): CpSessionContext {
    return {
      pd: pd.index,
      address: pd.address,
      name: pd.name,
      ...(pd.id ? { id: pd.id } : {}),
      capabilities: pd.capabilities,
      hasFlag: (f: number) => (pd.flags & f) !== 0,
      exchange: (message, options = {}) => this.exchange(pd, message, { raw: true, ...options, name: `0x${message.code.toString(16)}` }),
      notify: (what, detail) => this.notify(pd, 'sc-status', what, undefined, detail),
      log: (message) => this.emit('warning', new FieldlinkError(message, 'ELOG', { device: pd.name })),
    };
  }

  /** One bus turn for a PD. */
  async _step(pd: CpPd): Promise<void> {
    const now = this.clock.now();
    try {
      switch (pd.state) {
        case 'disabled':
          return;
        case 'offline':
          if (now < pd.retryAt) return;
          pd.sqn = 0;
          pd.session?.reset();
          this.setState(pd, 'id');
          return await this._step(pd);
        case 'id': {
          const r = await this.transact(pd, encodeCommand({ command: 'id' }), 'id');
          if (r.reply !== 'pdid') throw this.unexpected(pd, 'id', r);
          const { reply: _r, ...id } = r;
          pd.id = id;
          this.setState(pd, 'cap');
          return;
        }
        case 'cap': {
          const r = await this.transact(pd, encodeCommand({ command: 'cap' }), 'cap');
          if (r.reply !== 'pdcap') throw this.unexpected(pd, 'cap', r);
          pd.capabilities = r.capabilities;
          const check = r.capabilities.find((c) => c.function === CapabilityFunction.CHECK_CHARACTER_SUPPORT);
          if (check && check.compliance === 0) pd.crc = false;
          this.setState(pd, pd.session ? 'secure' : 'online');
          if (!pd.session) this.goOnline(pd);
          return;
        }
        case 'secure': {
          await pd.session!.establish(this.sessionContext(pd));
          this.setState(pd, 'online');
          this.goOnline(pd);
          return;
        }
        case 'online': {
          if (pd.session?.needsEstablish?.()) {
            this.setState(pd, 'secure');
            return;
          }
          const q = pd.queue.shift();
          if (q) return await this.runCommand(pd, q);
          pd.nextPoll = now + this.pollInterval;
          const r = await this.transact(pd, POLL, 'poll');
          this.handleReply(pd, 'poll', r, true);
          return;
        }
      }
    } catch (err) {
      const e = toFieldlinkError(err, { device: pd.name, operation: pd.state });
      if (e instanceof AbortedError && !this.running) return;
      if (pd.state === 'online' && !linkFailure(e)) {
        // A bad reply to a POLL: counted, the PD stays online.
        this.emit('warning', e);
        return;
      }
      this.fail(pd, e);
    }
  }

  private goOnline(pd: CpPd): void {
    pd.backoff.reset();
    pd.nextPoll = this.clock.now();
    this.notify(pd, 'pd-status', 'online');
    this.emit('online', this.info(pd));
  }

  private unexpected(pd: CpPd, what: string, r: OsdpReply): FieldlinkError {
    pd.metrics.errors++;
    if (r.reply === 'nak') return new NakError(r.code, { device: pd.name, operation: what });
    return new ProtocolError(`${pd.name} answered ${what} with ${r.reply}`, { device: pd.name, operation: what });
  }

  private async runCommand(pd: CpPd, q: QueuedCommand): Promise<void> {
    const name = q.command.command;
    if (q.deadline !== undefined && this.clock.now() > q.deadline) {
      q.resolve(this.finish(pd, { status: 'failed', command: name, error: new TimeoutError(`${name} to ${pd.name} timed out in the queue`, { device: pd.name, operation: name }) }));
      return;
    }
    pd.inFlight = q;
    let reply: OsdpReply;
    try {
      reply = await this.transact(pd, q.wire, name);
    } catch (err) {
      if (pd.inFlight === q) {
        pd.inFlight = undefined;
        const e = toFieldlinkError(err, { device: pd.name, operation: name });
        q.resolve(this.finish(pd, { status: 'failed', command: name, error: e }));
        if (linkFailure(e)) this.fail(pd, e);
      }
      return;
    }
    pd.inFlight = undefined;
    if (reply.reply === 'nak') {
      pd.metrics.naks++;
      q.resolve(this.finish(pd, { status: 'failed', command: name, reply, error: new NakError(reply.code, { device: pd.name, operation: name }) }));
      return;
    }
    const expected = q.command.command === 'status' ? [STATUS_REPLY[q.command.type]] : EXPECTED_REPLY[q.command.command] ?? [ReplyCode.ACK];
    const code = encodeReplyCode(reply);
    if (!expected.includes(code)) {
      if (EVENT_REPLIES.has(code)) {
        // Activity reported in answer to a command: an event unless the PD's flag says to ignore it.
        if (!(pd.flags & PdFlag.IgnoreUnsolicited)) this.handleReply(pd, name, reply, false);
        q.resolve(this.finish(pd, { status: 'ok', command: name, reply }));
        return;
      }
      pd.metrics.errors++;
      q.resolve(this.finish(pd, { status: 'failed', command: name, reply, error: new ProtocolError(`${pd.name} answered ${name} with ${reply.reply}`, { device: pd.name, operation: name }) }));
      return;
    }
    if (reply.reply === 'com') {
      pd.address = reply.address;
      pd.baudRate = reply.baudRate;
      if (pd.bus.pds.length === 1 && pd.bus.channel.setBaudRate && pd.bus.channel.baudRate !== reply.baudRate) {
        await pd.bus.channel.setBaudRate(reply.baudRate).catch((e: unknown) => this.emit('warning', toFieldlinkError(e, { device: pd.name, operation: 'comset' })));
      }
    }
    this.handleReply(pd, name, reply, false);
    q.resolve(this.finish(pd, { status: 'ok', command: name, reply }));
  }

  /** Turns data replies into events. */
  private handleReply(pd: CpPd, to: string, r: OsdpReply, poll: boolean): void {
    switch (r.reply) {
      case 'ack':
      case 'com':
      case 'ftstat':
        return;
      case 'raw':
        this.pushEvent(pd, { event: 'card', reader: r.reader, format: r.format === 1 ? 'wiegand' : 'raw', direction: 0, bitCount: r.bitCount, data: r.data });
        return;
      case 'fmt':
        this.pushEvent(pd, { event: 'card', reader: r.reader, format: 'ascii', direction: r.direction, bitCount: r.data.length, data: Buffer.from(r.data, 'latin1') });
        return;
      case 'keypad':
        this.pushEvent(pd, { event: 'keypress', reader: r.reader, keys: r.keys });
        return;
      case 'mfgrep':
        this.pushEvent(pd, { event: 'mfgrep', vendorCode: r.vendorCode, data: r.data });
        return;
      case 'lstatr':
        this.pushEvent(pd, { event: 'status', type: 'local', report: [r.tamper ? 1 : 0, r.power ? 1 : 0] });
        return;
      case 'istatr':
        this.pushEvent(pd, { event: 'status', type: 'input', report: r.inputs });
        return;
      case 'ostatr':
        this.pushEvent(pd, { event: 'status', type: 'output', report: r.outputs });
        return;
      case 'rstatr':
        this.pushEvent(pd, { event: 'status', type: 'reader', report: r.readers });
        return;
      case 'nak':
        pd.metrics.naks++;
        if (poll) this.emit('warning', new NakError(r.code, { device: pd.name, operation: to }));
        return;
      default:
        pd.metrics.errors++;
        this.emit('warning', new ProtocolError(`${pd.name} answered ${to} with ${r.reply}`, { device: pd.name, operation: to }));
    }
  }
}

/** Errors that mean the PD cannot be reached (it goes offline), as opposed to one bad reply. */
function linkFailure(e: FieldlinkError): boolean {
  return e instanceof TimeoutError || e instanceof NotConnectedError || e.code === 'EBUSY' || e.operation === 'write';
}

function encodeReplyCode(r: OsdpReply): number {
  const map: Record<OsdpReply['reply'], number> = {
    ack: ReplyCode.ACK,
    nak: ReplyCode.NAK,
    pdid: ReplyCode.PDID,
    pdcap: ReplyCode.PDCAP,
    lstatr: ReplyCode.LSTATR,
    istatr: ReplyCode.ISTATR,
    ostatr: ReplyCode.OSTATR,
    rstatr: ReplyCode.RSTATR,
    raw: ReplyCode.RAW,
    fmt: ReplyCode.FMT,
    keypad: ReplyCode.KEYPAD,
    com: ReplyCode.COM,
    ccrypt: ReplyCode.CCRYPT,
    'rmac-i': ReplyCode.RMAC_I,
    busy: ReplyCode.BUSY,
    ftstat: ReplyCode.FTSTAT,
    mfgrep: ReplyCode.MFGREP,
  };
  return map[r.reply];
}
