/**
 * A bus of simulated OSDP readers (PDs) for tests, the demo and bench: each has LEDs, a buzzer, a
 * text display, inputs and outputs, and produces card swipes and key presses on demand (or a
 * periodic demo swipe). Reachable over a TCP server (a CP connects as to a serial device server),
 * a serial device (one end of a pty pair, or a real RS-485 adapter) or any Channel (the in-memory pair).
 *
 * A manufacturer command with vendor code SIM_VENDOR_CODE triggers input from a flow: data
 * `01 FC CARD_HI CARD_LO` swipes a Wiegand-26 card, `02 <ASCII keys>` presses keys.
 */
import { EventEmitter } from 'node:events';
import { InvalidArgumentError } from '../common/errors';
import { createChannel, type Channel } from './channels';
import { TcpServerChannel } from './channels/tcp';
import type { LinkStatus } from './channels/link';
import { DEFAULT_CAPABILITIES, PdBus, PeripheralDevice, type PeripheralDeviceOptions } from './pd';
import { attachSimFileDir, secureSimPdOptions, type SecureSimArgs } from './secure/sim-options';
import { CapabilityFunction } from './types';
import { LED_COLOR_NAMES } from './helpers';
import { encodeWiegand, packBits } from './wiegand';
import type { OsdpCommand, OsdpReply } from './types';

/** Vendor code of the simulator's manufacturer commands (swipe / key press triggers). */
export const SIM_VENDOR_CODE = 0xf1e1d0;

export interface SimulatorOptions {
  /** Listen for a CP on TCP (port 0 = any free port). */
  tcp?: { host?: string; port: number };
  /** Open a serial device (a pty end or an adapter). */
  serial?: { path: string; baudRate?: number };
  /** Or any channel (e.g. one end of createMemoryPair()). */
  channel?: Channel;
  /** PD addresses (default [101]). */
  pds?: number[];
  /** Extra options for every simulated PD (capabilities, session factory, flags...). */
  pdOptions?: Partial<PeripheralDeviceOptions>;
  /** Secure Channel and file transfer for the PDs: `{ scbk: hex, 'install-mode': true, 'file-dir': dir }` (fieldlink-sim options). */
  secure?: SecureSimArgs;
  /** Swipe demo cards every this many seconds, alternating DEMO_CARDS (allowed, denied). */
  swipeEvery?: number;
  /** One line per received command and per action. */
  log?: (line: string) => void;
}

export interface SimCard {
  /** Wiegand facility code and card number (format default wiegand26). */
  facility?: number;
  card?: number;
  format?: 'wiegand26' | 'wiegand34' | 'wiegand37';
  /** Or raw bits ('0'/'1'). */
  bits?: string;
  /** Or ASCII card data (osdp_FMT). */
  text?: string;
  reader?: number;
}

/** The demo's cards: the first is allowed by the demo flow, the second is not. */
export const DEMO_CARDS: SimCard[] = [
  { facility: 1, card: 1001 },
  { facility: 1, card: 666 },
];

export interface SimLedState {
  color: string;
  /** Flashing between onColor and offColor. */
  flashing: boolean;
  onColor: string;
  offColor: string;
  /** A temporary state is showing (until the timer runs out). */
  temporary: boolean;
}

export interface SimReaderState {
  address: number;
  online: boolean;
  leds: Record<string, SimLedState>;
  buzzer: { tone: number; onCount: number; offCount: number; repeat: number; at: string } | null;
  text: { row: number; column: number; text: string; temporary: boolean } | null;
  outputs: number[];
  inputs: number[];
  tamper: boolean;
  commands: number;
  lastCommand?: string;
}

const colorName = (c: number): string => LED_COLOR_NAMES[c] ?? `color-${c}`;

function ledState(p: { onColor: number; offColor: number; offCount: number }, temporary: boolean): SimLedState {
  return { color: colorName(p.onColor), flashing: p.offCount > 0 && p.onColor !== p.offColor, onColor: colorName(p.onColor), offColor: colorName(p.offColor), temporary };
}

/** One simulated reader. */
class SimReader {
  readonly pd: PeripheralDevice;
  private readonly ledSlots = new Map<string, { permanent: SimLedState; temporary: SimLedState | null; timer?: NodeJS.Timeout }>();
  buzzer: SimReaderState['buzzer'] = null;
  text: SimReaderState['text'] = null;
  commands = 0;
  lastCommand?: string;

  constructor(address: number, extra: Partial<PeripheralDeviceOptions>, private readonly log: (l: string) => void, private readonly sim: OsdpSimulator) {
    const sec = secureSimPdOptions(sim.secureArgs, log);
    this.pd = new PeripheralDevice({
      id: { vendorCode: SIM_VENDOR_CODE, model: 1, version: 1, serialNumber: 0x5100 + address, firmware: { major: 1, minor: 2, build: 3 } },
      // A reader with a 1024-byte receive buffer (capability 10: size LSB in compliance, MSB in numItems), for file transfers.
      capabilities: [...DEFAULT_CAPABILITIES, { function: CapabilityFunction.RECEIVE_BUFFER_SIZE, compliance: 0x00, numItems: 0x04 }],
      ...(sec.scbk ? { scbk: sec.scbk } : {}),
      ...(sec.session ? { session: sec.session } : {}),
      ...extra,
      flags: (typeof extra.flags === 'number' ? extra.flags : 0) | sec.flags,
      address,
      handler: (c) => this.handle(c),
    });
    attachSimFileDir(this.pd, sim.secureArgs, log);
    this.pd.on('command', (c: OsdpCommand) => {
      if (c.command === 'poll') return;
      this.commands++;
      this.lastCommand = c.command;
      this.log(`pd ${this.pd.address}: ${describe(c)}`);
      sim.emit('command', this.pd.address, c);
    });
  }

  private handle(c: OsdpCommand): OsdpReply | undefined {
    switch (c.command) {
      case 'led': {
        const key = `${c.reader}:${c.led}`;
        let slot = this.ledSlots.get(key);
        if (!slot) this.ledSlots.set(key, (slot = { permanent: { color: 'black', flashing: false, onColor: 'black', offColor: 'black', temporary: false }, temporary: null }));
        if (c.permanent.controlCode === 1) slot.permanent = ledState(c.permanent, false);
        if (c.temporary.controlCode === 1 || c.temporary.controlCode === 2) {
          if (slot.timer) clearTimeout(slot.timer);
          slot.timer = undefined;
          slot.temporary = null;
        }
        if (c.temporary.controlCode === 2) {
          const s = slot;
          s.temporary = ledState(c.temporary, true);
          s.timer = setTimeout(() => {
            s.temporary = null;
            s.timer = undefined;
          }, c.temporary.timer * 100);
          s.timer.unref();
        }
        return undefined;
      }
      case 'buzzer':
        this.buzzer = c.controlCode <= 1 ? null : { tone: c.controlCode, onCount: c.onCount, offCount: c.offCount, repeat: c.repeat, at: new Date().toISOString() };
        return undefined;
      case 'text':
        this.text = { row: c.row, column: c.column, text: c.text, temporary: c.controlCode >= 3 };
        return undefined;
      case 'mfg':
        if (c.vendorCode !== SIM_VENDOR_CODE || c.data.length < 1) return { reply: 'nak', code: 9 };
        if (c.data[0] === 1 && c.data.length === 4) {
          this.sim.swipe(this.pd.address, { facility: c.data[1], card: c.data.readUInt16BE(2) });
          return { reply: 'mfgrep', vendorCode: SIM_VENDOR_CODE, data: Buffer.from([1]) };
        }
        if (c.data[0] === 2 && c.data.length > 1) {
          this.sim.keys(this.pd.address, c.data.subarray(1).toString('latin1'));
          return { reply: 'mfgrep', vendorCode: SIM_VENDOR_CODE, data: Buffer.from([2]) };
        }
        return { reply: 'nak', code: 9 };
      case 'filetransfer':
        return { reply: 'ftstat', control: 0, delay: 0, status: -2, rxSize: 0 };
      default:
        return undefined;
    }
  }

  state(): SimReaderState {
    const leds: Record<string, SimLedState> = {};
    for (const [k, v] of this.ledSlots) leds[k] = { ...(v.temporary ?? v.permanent) };
    const out: SimReaderState = {
      address: this.pd.address,
      online: this.pd.isOnline,
      leds,
      buzzer: this.buzzer ? { ...this.buzzer } : null,
      text: this.text ? { ...this.text } : null,
      outputs: [...this.pd.status.outputs],
      inputs: [...this.pd.status.inputs],
      tamper: this.pd.status.tamper,
      commands: this.commands,
    };
    if (this.lastCommand) out.lastCommand = this.lastCommand;
    return out;
  }

  stop(): void {
    for (const slot of this.ledSlots.values()) if (slot.timer) clearTimeout(slot.timer);
  }
}

function describe(c: OsdpCommand): string {
  switch (c.command) {
    case 'led':
      return `LED reader ${c.reader} led ${c.led}: temporary ${c.temporary.controlCode === 2 ? `${colorName(c.temporary.onColor)}/${colorName(c.temporary.offColor)} for ${c.temporary.timer * 100} ms` : c.temporary.controlCode === 1 ? 'cancel' : 'nop'}, permanent ${c.permanent.controlCode === 1 ? `${colorName(c.permanent.onColor)}/${colorName(c.permanent.offColor)}` : 'nop'}`;
    case 'buzzer':
      return `BUZ reader ${c.reader} tone ${c.controlCode} on ${c.onCount * 100} ms off ${c.offCount * 100} ms x${c.repeat}`;
    case 'output':
      return `OUT ${c.output} control ${c.controlCode} timer ${c.timer * 100} ms`;
    case 'text':
      return `TEXT reader ${c.reader} row ${c.row} col ${c.column}: "${c.text}"`;
    case 'status':
      return `${c.type.toUpperCase()} status request`;
    case 'mfg':
      return `MFG vendor ${c.vendorCode.toString(16).padStart(6, '0')} data ${c.data.toString('hex')}`;
    case 'comset':
      return `COMSET address ${c.address} baud ${c.baudRate}`;
    default:
      return c.command.toUpperCase();
  }
}

export class OsdpSimulator extends EventEmitter {
  readonly bus: PdBus;
  private readonly readers = new Map<number, SimReader>();
  private swipeTimer?: NodeJS.Timeout;
  private swipeIndex = 0;
  private readonly log: (l: string) => void;
  readonly secureArgs: SecureSimArgs;

  constructor(private readonly options: SimulatorOptions) {
    super();
    this.secureArgs = options.secure ?? {};
    this.log = options.log ?? (() => undefined);
    const n = [options.tcp, options.serial, options.channel].filter(Boolean).length;
    if (n !== 1) throw new InvalidArgumentError('simulator needs exactly one of tcp, serial or channel');
    const channel = options.channel ?? (options.tcp ? new TcpServerChannel({ host: options.tcp.host ?? '127.0.0.1', port: options.tcp.port }) : createChannel({ type: 'serial', path: options.serial!.path, baudRate: options.serial!.baudRate ?? 9600 }));
    this.bus = new PdBus(channel, { reconnect: { initial: 500, max: 5000 } });
    this.bus.on('channel', (s: LinkStatus) => {
      if (s.state === 'waiting') this.log(`channel ${s.channel}: ${s.error?.message ?? 'closed'}, retry in ${s.retryIn} ms`);
    });
    channel.on('peer', (p: { connected: boolean; remote: string }) => this.log(`CP ${p.connected ? 'connected from' : 'disconnected:'} ${p.remote}`));
    const addresses = options.pds && options.pds.length > 0 ? options.pds : [101];
    for (const a of addresses) {
      const r = new SimReader(a, options.pdOptions ?? {}, this.log, this);
      this.readers.set(a, r);
      this.bus.add(r.pd);
      r.pd.on('online', () => this.log(`pd ${a}: online`));
      r.pd.on('offline', () => this.log(`pd ${a}: offline`));
    }
  }

  get channel(): Channel {
    return this.bus.channel;
  }

  /** TCP port (after start) when listening on TCP. */
  get port(): number | undefined {
    return this.bus.channel instanceof TcpServerChannel ? this.bus.channel.port : undefined;
  }

  get listening(): Record<string, string> {
    if (this.bus.channel instanceof TcpServerChannel) return { tcp: `${this.options.tcp?.host ?? '127.0.0.1'}:${this.port}` };
    if (this.options.serial) return { serial: this.options.serial.path };
    return { channel: this.bus.channel.name };
  }

  get addresses(): number[] {
    return [...this.readers.keys()];
  }

  async start(): Promise<void> {
    for (const r of this.readers.values()) await r.pd.start();
    await this.bus.start();
    if (!this.bus.link.isOpen) throw this.bus.link.status.error ?? new Error(`cannot open ${this.bus.channel.name}`);
    if (this.options.swipeEvery && this.options.swipeEvery > 0) {
      this.swipeTimer = setInterval(() => {
        const card = DEMO_CARDS[this.swipeIndex++ % DEMO_CARDS.length];
        for (const a of this.readers.keys()) {
          const r = this.readers.get(a)!;
          if (r.pd.isOnline) this.swipe(a, card);
        }
      }, this.options.swipeEvery * 1000);
      this.swipeTimer.unref();
    }
  }

  async close(): Promise<void> {
    if (this.swipeTimer) clearInterval(this.swipeTimer);
    this.swipeTimer = undefined;
    for (const r of this.readers.values()) {
      r.stop();
      await r.pd.stop();
    }
    await this.bus.stop();
  }

  /** The simulated PeripheralDevice at an address. */
  pd(address: number): PeripheralDevice {
    return this.reader(address).pd;
  }

  private reader(address: number): SimReader {
    const r = this.readers.get(address);
    if (!r) throw new InvalidArgumentError(`no simulated PD at address ${address}`);
    return r;
  }

  /** Presents a card at a reader: queued for the CP's next POLL. */
  swipe(address: number, card: SimCard): void {
    const pd = this.reader(address).pd;
    const reader = card.reader ?? 0;
    if (card.text !== undefined) {
      pd.notifyEvent({ event: 'card', reader, format: 'ascii', direction: 0, bitCount: card.text.length, data: Buffer.from(card.text, 'latin1') });
      this.log(`pd ${address}: card "${card.text}" presented`);
      return;
    }
    if (card.bits !== undefined) {
      if (!/^[01]+$/.test(card.bits)) throw new InvalidArgumentError('bits must be a string of 0 and 1');
      pd.notifyEvent({ event: 'card', reader, format: 'raw', direction: 0, bitCount: card.bits.length, data: packBits(card.bits) });
      this.log(`pd ${address}: ${card.bits.length}-bit card presented`);
      return;
    }
    const format = card.format ?? 'wiegand26';
    const w = encodeWiegand(format, card.facility ?? 0, card.card ?? 0);
    pd.notifyEvent({ event: 'card', reader, format: 'wiegand', direction: 0, bitCount: w.bitCount, data: w.data });
    this.log(`pd ${address}: card ${card.facility ?? 0}/${card.card ?? 0} (${format}) presented`);
  }

  /** Presses keys ('0'-'9', '*', '#') at a reader. */
  keys(address: number, keys: string, reader = 0): void {
    if (!/^[0-9*#A-Da-d]+$/.test(keys)) throw new InvalidArgumentError('keys must be 0-9, *, # or A-D');
    const bytes = Buffer.from([...keys].map((k) => (k === '*' ? 0x7f : k === '#' ? 0x0d : k.charCodeAt(0))));
    this.reader(address).pd.notifyEvent({ event: 'keypress', reader, keys: bytes });
    this.log(`pd ${address}: keys ${keys}`);
  }

  /** Changes an input (door contact, REX) and reports it. */
  setInput(address: number, input: number, value: number): void {
    const pd = this.reader(address).pd;
    const inputs = [...pd.status.inputs];
    if (!Number.isInteger(input) || input < 0 || input >= inputs.length) throw new InvalidArgumentError(`input ${input} out of range 0..${inputs.length - 1}`);
    inputs[input] = value ? 1 : 0;
    pd.setStatus({ inputs }, true);
    this.log(`pd ${address}: input ${input} = ${value ? 1 : 0}`);
  }

  setTamper(address: number, tamper: boolean): void {
    this.reader(address).pd.setStatus({ tamper }, true);
  }

  /** What the reader shows: LEDs, buzzer, text, outputs, inputs. */
  state(address: number): SimReaderState {
    return this.reader(address).state();
  }
}

/** Creates and starts a simulator. */
export async function startSimulator(options: SimulatorOptions): Promise<OsdpSimulator> {
  const sim = new OsdpSimulator(options);
  try {
    await sim.start();
  } catch (err) {
    await sim.close();
    throw err;
  }
  return sim;
}
