/**
 * The OSDP peripheral device (PD), after libosdp's PeripheralDevice: answers a CP per its declared
 * capabilities (NAK 3 otherwise), hands commands to an application handler that returns the reply,
 * queues events (card, keypad, status, manufacturer) for the next POLL, resends its cached reply for
 * a repeated SQN, NAKs a wrong SQN with 4, answers BUSY while an async handler is still working,
 * and handles COMSET. Several PDs can share one channel through a PdBus (a simulated bus).
 */
import { EventEmitter } from 'node:events';
import type { BackoffOptions } from '../common/deadline';
import { FieldlinkError, InvalidArgumentError, QueueFullError, toFieldlinkError } from '../common';
import { systemClock, type Clock } from './clock';
import { createChannel, type Channel, type ChannelOptions } from './channels';
import { ChannelLink, type LinkStatus } from './channels/link';
import { decodeCommand } from './codec/commands';
import { BROADCAST, encodeFrame, type DecodedFrame, type FrameError, type FrameHeader } from './codec/frame';
import { FrameParser } from './codec/parser';
import { PayloadError } from './codec/payload-error';
import { encodeReply } from './codec/replies';
import { NakError } from './errors';
import type { PdSecureSession, PdSessionContext, PdSessionFactory, WireMessage } from './session';
import {
  CapabilityFunction,
  NakCode,
  PdFlag,
  type Capability,
  type OsdpCommand,
  type OsdpReply,
  type PacketCapture,
  type PdEvent,
  type PdFlagName,
  type PdId,
} from './types';

/** What a command handler may return: nothing/true = ACK, false = NAK 9, or a reply. May be async (BUSY is sent meanwhile). */
export type CommandHandlerResult = OsdpReply | boolean | void | undefined;
export type CommandHandler = (command: OsdpCommand, pd: PeripheralDevice) => CommandHandlerResult | Promise<CommandHandlerResult>;
/** Runs before the application handler (Secure Channel KEYSET, file transfer); a reply ends the command there. */
export type CommandHook = (command: OsdpCommand, pd: PeripheralDevice) => OsdpReply | Promise<OsdpReply> | undefined;

export interface PeripheralDeviceOptions {
  /** 0..126. */
  address: number;
  /** The PD's own channel; leave out when the PD joins a PdBus. */
  channel?: Channel | ChannelOptions;
  id?: Partial<PdId>;
  /** Declared capabilities (default: one reader with LED, buzzer, text, 4 inputs, 2 outputs, CRC). */
  capabilities?: Capability[];
  flags?: PdFlagName[] | number;
  /** Support CRC-16 (default true). false: NAK 1 to CRC frames and capability 8 reports checksum only. */
  crc?: boolean;
  handler?: CommandHandler;
  /** How long an async handler may take before the PD answers BUSY (default 100 ms). */
  handlerTimeout?: number;
  /** Events waiting for a POLL (default 64). */
  eventQueueSize?: number;
  /** The PD reports itself offline after this long without a command for it (default 8000 ms). */
  offlineTimeout?: number;
  session?: PdSessionFactory;
  scbk?: Buffer;
  mark?: boolean;
  reconnect?: BackoffOptions;
  clock?: Clock;
}

export const DEFAULT_CAPABILITIES: Capability[] = [
  { function: CapabilityFunction.CONTACT_STATUS_MONITORING, compliance: 1, numItems: 4 },
  { function: CapabilityFunction.OUTPUT_CONTROL, compliance: 1, numItems: 2 },
  { function: CapabilityFunction.CARD_DATA_FORMAT, compliance: 1, numItems: 0 },
  { function: CapabilityFunction.READER_LED_CONTROL, compliance: 1, numItems: 1 },
  { function: CapabilityFunction.READER_AUDIBLE_OUTPUT, compliance: 1, numItems: 1 },
  { function: CapabilityFunction.READER_TEXT_OUTPUT, compliance: 1, numItems: 1 },
  { function: CapabilityFunction.CHECK_CHARACTER_SUPPORT, compliance: 1, numItems: 0 },
  { function: CapabilityFunction.READERS, compliance: 0, numItems: 1 },
];

export const DEFAULT_PD_ID: PdId = { vendorCode: 0x00a1b2, model: 1, version: 1, serialNumber: 0x01020304, firmware: { major: 1, minor: 0, build: 0 } };

function flagMask(flags: PdFlagName[] | number | undefined): number {
  if (flags === undefined) return 0;
  if (typeof flags === 'number') return flags;
  return flags.reduce((m, f) => {
    if (PdFlag[f] === undefined) throw new InvalidArgumentError(`unknown PD flag ${String(f)}`);
    return m | PdFlag[f];
  }, 0);
}

interface PendingCommand {
  sqn: number;
  raw: Buffer;
  done: boolean;
  reply?: WireMessage;
}

export interface PdStatusState {
  tamper: boolean;
  power: boolean;
  inputs: number[];
  outputs: number[];
  readers: number[];
}

export interface PdMetricsSnapshot {
  commands: number;
  repeats: number;
  naks: number;
  busy: number;
  badFrames: number;
  eventsSent: number;
}

/** A shared channel with one or more PDs on it (each answers its own address). */
export class PdBus extends EventEmitter {
  readonly link: ChannelLink;
  readonly parser: FrameParser;
  private readonly pds = new Map<number, PeripheralDevice>();
  private running = false;

  constructor(readonly channel: Channel, options: { reconnect?: BackoffOptions; clock?: Clock } = {}) {
    super();
    const clock = options.clock ?? systemClock;
    this.link = new ChannelLink(channel, options.reconnect);
    this.parser = new FrameParser({ accept: 'command', onFrame: (f) => this.onFrame(f), onError: (e) => this.onBadFrame(e), now: () => clock.now() });
    this.onData = this.onData.bind(this);
    this.link.on('state', (s: LinkStatus) => {
      if (s.state !== 'open') {
        this.parser.reset();
        for (const pd of this.pds.values()) pd._linkDown();
      }
      this.emit('channel', s);
    });
  }

  get devices(): PeripheralDevice[] {
    return [...this.pds.values()];
  }

  add(pd: PeripheralDevice): void {
    if (this.pds.has(pd.address)) throw new InvalidArgumentError(`address ${pd.address} already on ${this.channel.name}`);
    this.pds.set(pd.address, pd);
    pd._attach(this);
  }

  remove(pd: PeripheralDevice): void {
    if (this.pds.get(pd.address) === pd) this.pds.delete(pd.address);
  }

  /** COMSET moved a PD to a new address. */
  _readdress(pd: PeripheralDevice, from: number): void {
    if (this.pds.get(from) === pd) this.pds.delete(from);
    this.pds.set(pd.address, pd);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.channel.on('data', this.onData);
    await this.link.start();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.channel.off('data', this.onData);
    await this.link.stop();
  }

  async write(bytes: Buffer): Promise<void> {
    await this.channel.write(bytes);
  }

  private onData(chunk: Buffer): void {
    this.parser.push(chunk);
  }

  private target(address: number): PeripheralDevice | undefined {
    if (address === BROADCAST) return this.pds.values().next().value;
    return this.pds.get(address);
  }

  private onFrame(frame: DecodedFrame): void {
    this.target(frame.address)?._receive(frame);
  }

  private onBadFrame(err: FrameError): void {
    if (err.header && err.fault === 'check') this.target(err.header.address)?._badCheck(err.header);
  }
}

export class PeripheralDevice extends EventEmitter {
  address: number;
  readonly id: PdId;
  readonly capabilities: Capability[];
  flags: number;
  readonly crcSupported: boolean;
  readonly status: PdStatusState;
  readonly metrics: PdMetricsSnapshot = { commands: 0, repeats: 0, naks: 0, busy: 0, badFrames: 0, eventsSent: 0 };
  private handler?: CommandHandler;
  private readonly hooks: CommandHook[] = [];
  private readonly handlerTimeout: number;
  private readonly eventQueue: PdEvent[] = [];
  private readonly eventQueueSize: number;
  private readonly offlineTimeout: number;
  private readonly mark: boolean;
  private readonly clock: Clock;
  private readonly session?: PdSecureSession;
  private bus?: PdBus;
  private readonly ownBus?: PdBus;
  private lastSqn?: number;
  private cache?: Buffer;
  private pending?: PendingCommand;
  private lastSeen = -Infinity;
  /** The last reply's write (a COMSET switches speed only once its COM reply has left). */
  private lastWrite: Promise<void> = Promise.resolve();
  private onlineState = false;
  private watchdog?: NodeJS.Timeout;
  private started = false;

  constructor(options: PeripheralDeviceOptions) {
    super();
    this.setMaxListeners(0);
    if (!Number.isInteger(options?.address) || options.address < 0 || options.address > 0x7e) throw new InvalidArgumentError('PD address must be 0..126');
    this.address = options.address;
    this.id = { ...DEFAULT_PD_ID, ...options.id, firmware: { ...DEFAULT_PD_ID.firmware, ...options.id?.firmware } };
    this.crcSupported = options.crc ?? true;
    const caps = (options.capabilities ?? DEFAULT_CAPABILITIES).filter((c) => c.function !== CapabilityFunction.CHECK_CHARACTER_SUPPORT);
    caps.push({ function: CapabilityFunction.CHECK_CHARACTER_SUPPORT, compliance: this.crcSupported ? 1 : 0, numItems: 0 });
    this.capabilities = caps.sort((a, b) => a.function - b.function);
    this.flags = flagMask(options.flags);
    if (options.handler) this.handler = options.handler;
    this.handlerTimeout = options.handlerTimeout ?? 100;
    this.eventQueueSize = options.eventQueueSize ?? 64;
    this.offlineTimeout = options.offlineTimeout ?? 8000;
    this.mark = options.mark ?? true;
    this.clock = options.clock ?? systemClock;
    const inputs = this.capability(CapabilityFunction.CONTACT_STATUS_MONITORING)?.numItems ?? 0;
    const outputs = this.capability(CapabilityFunction.OUTPUT_CONTROL)?.numItems ?? 0;
    const readers = this.capability(CapabilityFunction.READERS)?.numItems ?? 0;
    this.status = { tamper: false, power: false, inputs: new Array(inputs).fill(0), outputs: new Array(outputs).fill(0), readers: new Array(readers).fill(0) };
    const session = options.session?.({ address: this.address, flags: this.flags, id: { ...this.id, firmware: { ...this.id.firmware } }, ...(options.scbk ? { scbk: options.scbk } : {}) });
    if (session) {
      this.session = session;
      // A PD with Secure Channel says so (capability 9), unless the application declared it.
      if (!this.capability(CapabilityFunction.COMMUNICATION_SECURITY)) {
        this.capabilities.push({ function: CapabilityFunction.COMMUNICATION_SECURITY, compliance: 1, numItems: 1 });
        this.capabilities.sort((a, b) => a.function - b.function);
      }
    }
    if (options.channel) {
      const channel = typeof (options.channel as Channel).write === 'function' ? (options.channel as Channel) : createChannel(options.channel as ChannelOptions);
      this.ownBus = new PdBus(channel, { ...(options.reconnect ? { reconnect: options.reconnect } : {}), clock: this.clock });
      this.ownBus.on('channel', (s: LinkStatus) => this.emit('channel', s));
      this.ownBus.add(this);
    }
  }

  // ------------------------------------------------------------------ life cycle

  /** Opens the PD's own channel (if it has one) and starts answering. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.watchdog = setInterval(() => this.checkIdle(), Math.max(50, Math.min(1000, this.offlineTimeout / 4)));
    this.watchdog.unref();
    await this.ownBus?.start();
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = undefined;
    await this.ownBus?.stop();
    this._linkDown();
  }

  /** Same as stop(). */
  close(): Promise<void> {
    return this.stop();
  }

  /** Alias of notifyEvent (libosdp's pd_notify_event). */
  submitEvent(event: PdEvent): void {
    this.notifyEvent(event);
  }

  get channel(): Channel | undefined {
    return this.bus?.channel;
  }

  /** True while a CP talks to this PD (a command within offlineTimeout). */
  get isOnline(): boolean {
    return this.onlineState;
  }

  get isSecure(): boolean {
    return this.session?.active === true;
  }

  setHandler(handler: CommandHandler | undefined): void {
    this.handler = handler;
  }

  addCommandHook(hook: CommandHook): void {
    this.hooks.push(hook);
  }

  removeCommandHook(hook: CommandHook): void {
    const i = this.hooks.indexOf(hook);
    if (i >= 0) this.hooks.splice(i, 1);
  }

  capability(fn: number): Capability | undefined {
    return this.capabilities.find((c) => c.function === fn);
  }

  setFlag(flag: PdFlagName | number): void {
    this.flags |= typeof flag === 'number' ? flag : flagMask([flag]);
  }

  clearFlag(flag: PdFlagName | number): void {
    this.flags &= ~(typeof flag === 'number' ? flag : flagMask([flag]));
  }

  // ------------------------------------------------------------------ events

  /**
   * Queues an event for the CP's next POLL. Throws InvalidArgumentError for a malformed event and
   * QueueFullError when `eventQueueSize` events are already waiting.
   */
  notifyEvent(event: PdEvent): void {
    try {
      encodeReply(this.eventReply(event));
    } catch (err) {
      throw new InvalidArgumentError(`bad ${String((event as { event?: unknown })?.event)} event: ${(err as Error).message}`, { device: this.address, operation: 'notify' });
    }
    if (this.eventQueue.length >= this.eventQueueSize) throw new QueueFullError(this.eventQueueSize);
    this.eventQueue.push(event);
  }

  /** Drops queued events; returns how many. */
  flushEvents(): number {
    return this.eventQueue.splice(0).length;
  }

  get queuedEvents(): number {
    return this.eventQueue.length;
  }

  /** Updates the status the PD reports (and, when `report`, queues a status event for the CP). */
  setStatus(update: Partial<PdStatusState>, report = false): void {
    if (update.tamper !== undefined) this.status.tamper = update.tamper;
    if (update.power !== undefined) this.status.power = update.power;
    if (update.inputs) this.status.inputs = [...update.inputs];
    if (update.outputs) this.status.outputs = [...update.outputs];
    if (update.readers) this.status.readers = [...update.readers];
    if (report) {
      if (update.tamper !== undefined || update.power !== undefined) this.notifyEvent({ event: 'status', type: 'local', report: [this.status.tamper ? 1 : 0, this.status.power ? 1 : 0] });
      if (update.inputs) this.notifyEvent({ event: 'status', type: 'input', report: this.status.inputs });
      if (update.outputs) this.notifyEvent({ event: 'status', type: 'output', report: this.status.outputs });
      if (update.readers) this.notifyEvent({ event: 'status', type: 'reader', report: this.status.readers });
    }
  }

  private eventReply(e: PdEvent): OsdpReply {
    switch (e.event) {
      case 'card':
        if (e.format === 'ascii') return { reply: 'fmt', reader: e.reader, direction: e.direction ?? 0, data: Buffer.from(e.data).toString('latin1') };
        return { reply: 'raw', reader: e.reader, format: e.format === 'wiegand' ? 1 : 0, bitCount: e.bitCount, data: e.data };
      case 'keypress':
        return { reply: 'keypad', reader: e.reader, keys: e.keys };
      case 'mfgrep':
        return { reply: 'mfgrep', vendorCode: e.vendorCode, data: e.data };
      case 'status':
        switch (e.type) {
          case 'local':
            return { reply: 'lstatr', tamper: !!e.report[0], power: !!e.report[1] };
          case 'input':
            return { reply: 'istatr', inputs: e.report };
          case 'output':
            return { reply: 'ostatr', outputs: e.report };
          case 'reader':
            return { reply: 'rstatr', readers: e.report };
        }
        throw new RangeError(`unknown status type ${String(e.type)}`);
      default:
        throw new RangeError(`unknown event ${String((e as { event?: unknown }).event)}`);
    }
  }

  // ------------------------------------------------------------------ receive path (called by PdBus)

  _attach(bus: PdBus): void {
    this.bus = bus;
  }

  _linkDown(): void {
    this.lastSqn = undefined;
    this.cache = undefined;
    this.pending = undefined;
    this.session?.reset();
    this.setOnline(false);
  }

  private checkIdle(): void {
    if (this.onlineState && this.clock.now() - this.lastSeen > this.offlineTimeout) {
      this.session?.reset();
      this.setOnline(false);
    }
  }

  private setOnline(online: boolean): void {
    if (this.onlineState === online) return;
    this.onlineState = online;
    this.emit(online ? 'online' : 'offline');
  }

  private capture(direction: 'tx' | 'rx', bytes: Buffer): void {
    if (this.flags & PdFlag.CapturePackets) {
      const c: PacketCapture = { direction, bytes: Buffer.from(bytes[0] === 0xff ? bytes.subarray(1) : bytes), time: Date.now(), pd: this.address };
      this.emit('packet', c);
    }
  }

  private send(header: FrameHeader, msg: WireMessage, cache: boolean): void {
    const crc = header.crc && this.crcSupported;
    const frame = { address: header.address, reply: true, sqn: header.sqn, crc, code: msg.code, data: msg.data, ...(msg.scb ? { scb: msg.scb } : {}) };
    const bytes = encodeFrame(frame, { mark: this.mark, ...(msg.mac ? { mac: msg.mac } : {}) });
    if (cache) {
      this.lastSqn = header.sqn;
      this.cache = bytes;
    }
    this.write(bytes);
  }

  private write(bytes: Buffer): void {
    this.capture('tx', bytes);
    if (!this.bus) return;
    this.lastWrite = this.bus.write(bytes).catch((err: unknown) => {
      this.emit('warning', toFieldlinkError(err, { device: this.address, operation: 'write' }));
    });
  }

  private nak(header: FrameHeader, code: number, cache: boolean): void {
    this.metrics.naks++;
    this.send(header, encodeReply({ reply: 'nak', code }), cache);
  }

  /** A frame for us failed its check: NAK 1. */
  _badCheck(header: FrameHeader): void {
    this.metrics.badFrames++;
    this.nak(header, NakCode.CHECK, false);
  }

  private sessionContext(): PdSessionContext {
    return { address: this.address, capabilities: this.capabilities, hasFlag: (f) => (this.flags & f) !== 0, log: (m) => this.emit('warning', new FieldlinkError(m, 'ELOG', { device: this.address })) };
  }

  _receive(frame: DecodedFrame): void {
    this.capture('rx', frame.raw);
    this.lastSeen = this.clock.now();
    const header: FrameHeader = { address: frame.address === BROADCAST ? BROADCAST : this.address, reply: true, sqn: frame.sqn, crc: frame.crc };
    if (frame.crc && !this.crcSupported) return this.nak(header, NakCode.CHECK, false);
    if (frame.sqn === 0) {
      this.lastSqn = undefined;
      this.cache = undefined;
      this.pending = undefined;
    } else if (this.lastSqn !== undefined && frame.sqn === this.lastSqn && this.cache) {
      this.metrics.repeats++;
      this.write(this.cache);
      return;
    } else if (this.pending && this.pending.sqn === frame.sqn && this.pending.raw.equals(frame.raw)) {
      // The CP resends a command whose handler is still running (we answered BUSY).
      const p = this.pending;
      if (!p.done) {
        this.metrics.busy++;
        return this.send(header, encodeReply({ reply: 'busy' }), false);
      }
      this.pending = undefined;
      return this.send(header, p.reply!, true);
    } else if (this.lastSqn !== undefined && frame.sqn !== (this.lastSqn >= 3 ? 1 : this.lastSqn + 1)) {
      return this.nak(header, NakCode.SEQUENCE, false);
    }
    this.setOnline(true);
    this.metrics.commands++;
    let plain: WireMessage;
    if (this.session) {
      let r;
      try {
        r = this.session.unwrapCommand(frame, this.sessionContext());
      } catch (err) {
        this.emit('warning', toFieldlinkError(err, { device: this.address, operation: 'unwrap' }));
        return this.nak(header, NakCode.SC_CONDITIONS, true);
      }
      if ('reply' in r) return this.send(header, r.reply, true);
      plain = r.message;
    } else if (frame.scb) {
      return this.nak(header, NakCode.SC_UNSUPPORTED, true);
    } else {
      plain = { code: frame.code, data: frame.data };
    }
    const wrap = (m: WireMessage): WireMessage => (this.session ? this.session.wrapReply(m, frame) : m);
    let commands: OsdpCommand[];
    try {
      commands = decodeCommand(plain.code, plain.data);
    } catch (err) {
      const nak = err instanceof PayloadError ? err.nak : NakCode.RECORD;
      this.metrics.naks++;
      return this.send(header, wrap(encodeReply({ reply: 'nak', code: nak })), true);
    }
    const result = this.process(commands);
    const after = (reply: OsdpReply): void => {
      if (reply.reply === 'com') void this.applyComset(reply.address, reply.baudRate).catch((err: unknown) => this.emit('warning', toFieldlinkError(err, { device: this.address, operation: 'comset' })));
    };
    if (!(result instanceof Promise)) {
      this.send(header, wrap(encodeReply(result)), true);
      return after(result);
    }
    // Async handler: answer now if it finishes within handlerTimeout, else BUSY until it does.
    const pending: PendingCommand = { sqn: frame.sqn, raw: frame.raw, done: false };
    let answered = false;
    const timer = this.clock.setTimeout(() => {
      if (answered) return;
      answered = true;
      this.pending = pending;
      this.metrics.busy++;
      this.send(header, encodeReply({ reply: 'busy' }), false);
    }, this.handlerTimeout);
    void result.then((reply) => {
      const wire = wrap(encodeReply(reply));
      if (!answered) {
        answered = true;
        this.clock.clearTimeout(timer);
        this.send(header, wire, true);
      } else {
        pending.done = true;
        pending.reply = wire;
      }
      after(reply);
    });
  }

  /** Runs the commands of one frame; the first non-ACK reply wins. */
  private process(commands: OsdpCommand[]): OsdpReply | Promise<OsdpReply> {
    const results: Array<OsdpReply | Promise<OsdpReply>> = commands.map((c) => this.processOne(c));
    if (results.every((r) => !(r instanceof Promise))) return pickReply(results as OsdpReply[]);
    return Promise.all(results).then(pickReply);
  }

  private processOne(cmd: OsdpCommand): OsdpReply | Promise<OsdpReply> {
    this.emit('command', cmd);
    for (const hook of this.hooks) {
      let r: OsdpReply | Promise<OsdpReply> | undefined;
      try {
        r = hook(cmd, this);
      } catch (err) {
        return this.handlerError(err);
      }
      if (r instanceof Promise) return r.catch((err: unknown) => this.handlerError(err));
      if (r) return r;
    }
    if (this.session?.handleCommand) {
      const r = this.session.handleCommand(cmd, this.sessionContext());
      if (r) return r;
    }
    const builtIn = this.builtIn(cmd);
    if (builtIn && builtIn.reply === 'nak') return builtIn;
    const h = this.handler;
    if (!h || cmd.command === 'poll' || cmd.command === 'id' || cmd.command === 'cap') return builtIn ?? { reply: 'ack' };
    let out: CommandHandlerResult | Promise<CommandHandlerResult>;
    try {
      out = h(cmd, this);
    } catch (err) {
      return this.handlerError(err);
    }
    const finish = (r: CommandHandlerResult): OsdpReply => {
      if (r === undefined || r === true) return builtIn ?? { reply: 'ack' };
      if (r === false) return nak(NakCode.RECORD);
      if (typeof r === 'object' && typeof (r as OsdpReply).reply === 'string') {
        try {
          encodeReply(r as OsdpReply);
          return r as OsdpReply;
        } catch (err) {
          return this.handlerError(err);
        }
      }
      return builtIn ?? { reply: 'ack' };
    };
    if (out instanceof Promise) return out.then(finish, (err: unknown) => this.handlerError(err));
    return finish(out);
  }

  private handlerError(err: unknown): OsdpReply {
    this.emit('warning', toFieldlinkError(err, { device: this.address, operation: 'handler' }));
    return nak(err instanceof NakError ? err.nak : NakCode.RECORD);
  }

  /**
   * What the PD answers by itself: PDID, PDCAP, status reports, POLL (queued event or ACK), and the
   * capability checks. Returns a NAK for a command the capabilities do not allow, undefined when the
   * application handler decides (ACK by default).
   */
  private builtIn(cmd: OsdpCommand): OsdpReply | undefined {
    const has = (fn: number, item = 0): boolean => {
      const c = this.capability(fn);
      return !!c && c.compliance > 0 && (c.numItems === 0 || item < c.numItems);
    };
    switch (cmd.command) {
      case 'poll': {
        const e = this.eventQueue.shift();
        if (!e) return { reply: 'ack' };
        this.metrics.eventsSent++;
        return this.eventReply(e);
      }
      case 'id':
        return { reply: 'pdid', ...this.id, firmware: { ...this.id.firmware } };
      case 'cap':
        return { reply: 'pdcap', capabilities: this.capabilities.map((c) => ({ ...c })) };
      case 'status':
        switch (cmd.type) {
          case 'local':
            return { reply: 'lstatr', tamper: this.status.tamper, power: this.status.power };
          case 'input':
            return has(CapabilityFunction.CONTACT_STATUS_MONITORING) ? { reply: 'istatr', inputs: [...this.status.inputs] } : nak(NakCode.UNKNOWN_COMMAND);
          case 'output':
            return has(CapabilityFunction.OUTPUT_CONTROL) ? { reply: 'ostatr', outputs: [...this.status.outputs] } : nak(NakCode.UNKNOWN_COMMAND);
          case 'reader':
            return this.capability(CapabilityFunction.READERS) ? { reply: 'rstatr', readers: [...this.status.readers] } : nak(NakCode.UNKNOWN_COMMAND);
        }
        return nak(NakCode.UNKNOWN_COMMAND);
      case 'output':
        if (!has(CapabilityFunction.OUTPUT_CONTROL, cmd.output)) return nak(NakCode.UNKNOWN_COMMAND);
        if (cmd.controlCode > 6) return nak(NakCode.RECORD);
        if (cmd.controlCode !== 0) {
          const on = cmd.controlCode === 2 || cmd.controlCode === 4 || cmd.controlCode === 5;
          this.status.outputs[cmd.output] = on ? 1 : 0;
        }
        return undefined;
      case 'led':
        return has(CapabilityFunction.READER_LED_CONTROL) ? undefined : nak(NakCode.UNKNOWN_COMMAND);
      case 'buzzer':
        return has(CapabilityFunction.READER_AUDIBLE_OUTPUT) ? undefined : nak(NakCode.UNKNOWN_COMMAND);
      case 'text':
        return has(CapabilityFunction.READER_TEXT_OUTPUT) ? undefined : nak(NakCode.UNKNOWN_COMMAND);
      case 'comset':
        if (cmd.address > 0x7e || ![9600, 19200, 38400, 57600, 115200, 230400].includes(cmd.baudRate)) return nak(NakCode.RECORD);
        return { reply: 'com', address: cmd.address, baudRate: cmd.baudRate };
      case 'keyset':
      case 'chlng':
      case 'scrypt':
        // Reaches here only without a Secure Channel session that handles it.
        return nak(NakCode.UNKNOWN_COMMAND);
      case 'filetransfer':
        return this.handler ? undefined : nak(NakCode.UNKNOWN_COMMAND);
      case 'mfg':
        return this.handler ? undefined : nak(NakCode.UNKNOWN_COMMAND);
      case 'acurxsize':
      case 'keepactive':
      case 'abort':
        return undefined;
    }
    return nak(NakCode.UNKNOWN_COMMAND);
  }

  /** Called by the PD after it sent the COM reply: switch address (and baud rate when it owns the channel). */
  protected async applyComset(address: number, baudRate: number): Promise<void> {
    await this.lastWrite;
    const from = this.address;
    this.address = address;
    if (from !== address) this.bus?._readdress(this, from);
    // The line speed follows when this PD is alone on its channel (as the CP does on its side).
    const bus = this.bus;
    if (bus && bus.devices.length === 1 && bus.channel.setBaudRate && bus.channel.baudRate !== baudRate) {
      await bus.channel.setBaudRate(baudRate);
    }
    this.emit('comset', { address, baudRate });
  }
}

function nak(code: number): OsdpReply {
  return { reply: 'nak', code };
}

function pickReply(replies: OsdpReply[]): OsdpReply {
  return replies.find((r) => r.reply !== 'ack') ?? replies[0] ?? { reply: 'ack' };
}
