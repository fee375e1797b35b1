/**
 * The PD's Secure Channel, plugged into a PeripheralDevice through its session factory: answers the
 * handshake, opens secured commands (NAK 6 and drop on a bad MAC), refuses plaintext while secure,
 * seals replies, takes KEYSET under SC, and drops the session after 8 s without valid secure traffic.
 */
import { InvalidArgumentError } from '../../common/errors';
import { splitFrame } from './frame';
import { PdScMachine, decodeKeyset, type ScCounters } from './session';
import { ScCode, ScNak } from './types';
import { ScFlagBit, type PdContextLike, type PdDescriptor, type WireFrame, type WireMsg } from './adapter-types';

export interface PdIdentity {
  vendorCode: number;
  model: number;
  version: number;
  serialNumber: number;
}

/** libosdp's cUID: vendor code bytes 0-1, model, version, serial number bytes 0-3. */
export function clientUidFromId(id: PdIdentity): Buffer {
  const b = Buffer.alloc(8);
  b[0] = id.vendorCode & 0xff;
  b[1] = (id.vendorCode >> 8) & 0xff;
  b[2] = id.model & 0xff;
  b[3] = id.version & 0xff;
  b.writeUInt32LE(id.serialNumber >>> 0, 4);
  return b;
}

export interface PdSecureOptions {
  /** The cUID sent in CCRYPT (8 bytes), or the PD identity it is derived from. Default: from the PD's PDID (libosdp's layout). */
  cUid?: Buffer;
  id?: PdIdentity;
  /** KEYSET installed a new key: persist it. */
  onKeyChange?: (key: Buffer) => void;
  /** Session up/down. */
  onStatus?: (active: boolean) => void;
  timeoutMs?: number;
  now?: () => number;
  random?: (n: number) => Buffer;
}

/** Implements the engine's PdScMachine. */
export class PdScSession {
  readonly sc: PdScMachine;
  private wasActive = false;
  private lastCommandSecure = false;

  constructor(pd: PdDescriptor, private readonly opts: PdSecureOptions) {
    const id = opts.id ?? pd.id;
    const cUid = opts.cUid ?? (id ? clientUidFromId(id) : Buffer.from([0, 0, 0, 0, 0, 0, 0, pd.address & 0x7f]));
    if (pd.scbk && pd.scbk.length !== 16) throw new InvalidArgumentError('SCBK must be 16 bytes');
    this.sc = new PdScMachine({
      cUid,
      ...(pd.scbk ? { scbk: pd.scbk } : {}),
      enforceSecure: (pd.flags & ScFlagBit.EnforceSecure) !== 0,
      installMode: (pd.flags & ScFlagBit.InstallMode) !== 0,
      allowEmptyEncryptedDataBlock: (pd.flags & ScFlagBit.AllowEmptyEncryptedDataBlock) !== 0,
      ...(opts.onKeyChange ? { onKeyChange: opts.onKeyChange } : {}),
      ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
      ...(opts.now ? { now: opts.now } : {}),
      ...(opts.random ? { random: opts.random } : {}),
    });
  }

  get active(): boolean {
    const a = this.sc.active;
    this.track(a);
    return a;
  }

  get counters(): ScCounters {
    return { ...this.sc.counters };
  }

  private track(active: boolean): void {
    if (active !== this.wasActive) {
      this.wasActive = active;
      this.opts.onStatus?.(active);
    }
  }

  unwrapCommand(frame: WireFrame, _ctx: PdContextLike): { message: WireMsg } | { reply: WireMsg } {
    const d = this.sc.handle(splitFrame(frame.raw, { checked: true }));
    this.track(this.sc.state === 'active');
    switch (d.kind) {
      case 'command':
        this.lastCommandSecure = d.secure;
        return { message: { code: d.code, data: d.data } };
      case 'reply': {
        const f = splitFrame(d.frame);
        return { reply: { code: f.code, data: Buffer.from(f.data), ...(f.scb ? { scb: { type: f.scb.type, data: Buffer.from(f.scb.data) } } : {}) } };
      }
      case 'nak':
        this.lastCommandSecure = false;
        return { reply: { code: ScCode.NAK, data: Buffer.from([d.nak]) } };
    }
  }

  wrapReply(reply: WireMsg, _command: WireFrame): WireMsg {
    if (!this.lastCommandSecure || this.sc.state !== 'active') return reply;
    const parts = this.sc.sealReplyMessage(reply.code, reply.data);
    this.track(this.sc.state === 'active');
    return { code: parts.code, data: parts.data, scb: parts.scb, mac: parts.mac };
  }

  /** KEYSET under SC: validate and arm the key switch (after the sealed ACK). */
  handleCommand(command: { command: string; keyType?: number; key?: Buffer }, _ctx: PdContextLike): { reply: 'ack' } | { reply: 'nak'; code: number } | undefined {
    if (command.command !== 'keyset') return undefined;
    if (!this.lastCommandSecure || this.sc.state !== 'active') return { reply: 'nak', code: ScNak.SC_CONDITIONS };
    try {
      const key = decodeKeyset(Buffer.concat([Buffer.from([command.keyType ?? 0, command.key?.length ?? 0]), command.key ?? Buffer.alloc(0)]));
      this.sc.acceptKeyset(Buffer.concat([Buffer.from([1, 16]), key]));
    } catch {
      return { reply: 'nak', code: 9 };
    }
    return { reply: 'ack' };
  }

  reset(): void {
    this.sc.drop();
    this.track(false);
  }
}

/** The engine's PdSessionFactory: a session when the PD has a key, InstallMode or EnforceSecure. */
export function createPdSessionFactory(opts: PdSecureOptions = {}): (pd: PdDescriptor) => PdScSession | undefined {
  return (pd) => {
    const wants = pd.scbk !== undefined || (pd.flags & (ScFlagBit.InstallMode | ScFlagBit.EnforceSecure)) !== 0;
    return wants ? new PdScSession(pd, opts) : undefined;
  };
}
