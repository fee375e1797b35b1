/**
 * The CP's Secure Channel per PD, plugged into the ControlPanel through its session factory:
 * handshake after CAP (SCBK, falling back to SCBK-D unless EnforceSecure), automatic KEYSET when a
 * PD was reached with SCBK-D (install mode), sealing of every command, opening of every reply, and
 * re-establishment after a lost session or a key change.
 */
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { FieldlinkError, InvalidArgumentError } from '../../common/errors';
import { splitFrame } from './frame';
import { CpScMachine, decodeKeyset, encodeKeyset, type ScCounters } from './session';
import { ScCode, SecureChannelError, type ScFailure } from './types';
import {
  CAP_COMMUNICATION_SECURITY,
  ScFlagBit,
  type CpContextLike,
  type CpPdDescriptor,
  type WireFrame,
  type WireMsg,
} from './adapter-types';

/** Secure channel state of one PD as the CP sees it. */
export interface ScStatus {
  pd: number;
  name: string;
  address: number;
  /** A session is up. */
  active: boolean;
  /** The session in use was keyed with SCBK-D (install mode, before KEYSET). */
  defaultKey: boolean;
  /** The last failure, if the last attempt failed. */
  failure?: ScFailure;
  counters: ScCounters;
}

export interface CpSecureOptions {
  /** A master key: each PD's SCBK = AES(MK, cUID || ~cUID) unless the PD has its own SCBK. */
  masterKey?: Buffer;
  /** Retry a failed secure channel (PD left in plain text, without EnforceSecure) after this long. Default 60 s. */
  retryMs?: number;
  /**
   * A key was set on a PD through KEYSET (install mode provisioning or rotation). Persist it: the next
   * session uses it. The CP already uses it.
   */
  onKeyChange?: (pd: { index: number; name: string; address: number }, key: Buffer) => void;
  /** A PD's secure channel went up or down. */
  onStatus?: (status: ScStatus) => void;
  random?: (n: number) => Buffer;
  now?: () => number;
}

/** One PD's session, implementing the engine's CpScMachine. */
export class CpScSession {
  readonly sc: CpScMachine;
  private retryAt = 0;
  private lost = false;
  private established = false;

  constructor(
    readonly pd: CpPdDescriptor,
    private readonly owner: CpSecureChannel,
    private readonly opts: CpSecureOptions,
  ) {
    const flags = pd.flags;
    this.sc = new CpScMachine({
      ...(pd.scbk ? { scbk: pd.scbk } : {}),
      ...(opts.masterKey && !pd.scbk ? { masterKey: opts.masterKey } : {}),
      enforceSecure: (flags & ScFlagBit.EnforceSecure) !== 0,
      installMode: (flags & ScFlagBit.InstallMode) !== 0,
      allowEmptyEncryptedDataBlock: (flags & ScFlagBit.AllowEmptyEncryptedDataBlock) !== 0,
      ...(opts.random ? { random: opts.random } : {}),
    });
  }

  get active(): boolean {
    return this.sc.active;
  }

  private get enforce(): boolean {
    return (this.pd.flags & ScFlagBit.EnforceSecure) !== 0;
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  status(): ScStatus {
    const s: ScStatus = { pd: this.pd.index, name: this.pd.name, address: this.pd.address, active: this.sc.active, defaultKey: this.sc.active && this.sc.usingDefaultKey, counters: { ...this.sc.counters } };
    if (!this.sc.active && this.sc.lastFailure) s.failure = this.sc.lastFailure;
    return s;
  }

  needsEstablish(): boolean {
    if (this.sc.active) return false;
    if (this.lost) return true;
    return this.retryAt > 0 && this.now() >= this.retryAt;
  }

  reset(): void {
    const was = this.sc.active;
    this.sc.drop();
    this.lost = false;
    this.retryAt = 0;
    if (was) this.report();
  }

  private report(): void {
    this.owner._status(this.status());
  }

  /** Runs the handshake (and the install-mode KEYSET). Rejects only when EnforceSecure forbids going on in plain text. */
  async establish(ctx: CpContextLike): Promise<void> {
    this.lost = false;
    this.retryAt = 0;
    const cap = ctx.capabilities.find((c) => c.function === CAP_COMMUNICATION_SECURITY);
    if (ctx.capabilities.length > 0 && (!cap || cap.compliance === 0)) {
      return this.giveUp(ctx, 'unsupported', new SecureChannelError(`${this.pd.name} does not report secure channel support`, 'unsupported', { nak: 0 }));
    }
    if (!this.sc.capable) {
      return this.giveUp(ctx, 'enforce-secure', new SecureChannelError(`${this.pd.name}: EnforceSecure without a key`, 'enforce-secure', { nak: 0 }));
    }
    await this.handshake(ctx);
    if (!this.sc.active) return;
    if (this.sc.usingDefaultKey) await this.provision(ctx);
  }

  private async handshake(ctx: CpContextLike): Promise<void> {
    let msg = this.sc.begin();
    for (let i = 0; i < 8; i++) {
      let reply: WireFrame;
      try {
        reply = await ctx.exchange({ code: msg.code, data: msg.data, scb: msg.scb }, { resetSequence: msg.sqnZero === true, raw: true });
      } catch (err) {
        // No answer (or the link went away): not a refusal of the secure channel. The PD is failing;
        // the engine takes it offline and tries again (handshake included) after its back-off.
        this.sc.handshakeTimedOut();
        this.report();
        throw err;
      }
      let step;
      try {
        step = this.sc.handleHandshakeReply(splitFrame(reply.raw, { checked: true }));
      } catch (err) {
        step = this.sc.handshakeTimedOut();
        void err;
      }
      switch (step.kind) {
        case 'send':
        case 'retry-default-key':
          msg = step.message;
          continue;
        case 'established':
          this.established = true;
          ctx.notify('active', step.defaultKey ? 'SCBK-D' : 'SCBK');
          this.report();
          return;
        case 'failed':
          return this.giveUp(ctx, step.reason, step.error);
      }
    }
    this.sc.drop();
    return this.giveUp(ctx, 'unexpected', new SecureChannelError(`${this.pd.name}: the handshake did not finish`, 'unexpected', { nak: 0 }));
  }

  private giveUp(ctx: CpContextLike, reason: ScFailure, error: FieldlinkError): void {
    void reason;
    ctx.notify('inactive', error.message);
    this.report();
    if (this.enforce) throw error;
    this.retryAt = this.now() + (this.opts.retryMs ?? 60_000);
  }

  /** Secured with SCBK-D: set the PD's key (the configured one, or a random one in install mode) and start over with it. */
  private async provision(ctx: CpContextLike): Promise<void> {
    let key = this.pd.scbk;
    if (!key && (this.pd.flags & ScFlagBit.InstallMode)) key = (this.opts.random ?? randomBytes)(16);
    if (!key) return; // no key to give: stay on the SCBK-D session
    const wire = this.wrapCommand({ code: ScCode.KEYSET, data: encodeKeyset(key) });
    let reply: WireFrame;
    try {
      reply = await ctx.exchange(wire, { raw: true });
      const out = this.unwrapReply(reply);
      if (out.code !== ScCode.ACK) {
        this.sc.keysetFailed();
        ctx.log(`${this.pd.name} refused KEYSET (reply 0x${out.code.toString(16)}); staying on SCBK-D`);
        return;
      }
    } catch (err) {
      // no answer or a reply that did not verify: the PD is failing; it stays in install mode, so the
      // next attempt (after the engine's back-off) provisions it again
      this.sc.keysetFailed();
      throw err;
    }
    // unwrapReply saw the ACK: key changed, session dropped; open a new one with the key
    this.lost = false;
    await this.handshake(ctx);
  }

  wrapCommand(message: WireMsg): WireMsg {
    if (message.code === ScCode.KEYSET) {
      const key = decodeKeyset(message.data);
      this.sc.keyset(key);
    }
    const parts = this.sc.sealMessage(message.code, message.data);
    return { code: parts.code, data: parts.data, scb: parts.scb, mac: parts.mac };
  }

  unwrapReply(frame: WireFrame): WireMsg {
    const wasActive = this.sc.active;
    try {
      const out = this.sc.open(splitFrame(frame.raw, { checked: true }));
      if (out.keyChanged) {
        this.pd.scbk = out.keyChanged;
        this.lost = true;
        this.opts.onKeyChange?.({ index: this.pd.index, name: this.pd.name, address: this.pd.address }, Buffer.from(out.keyChanged));
        this.report();
      } else if (out.sessionLost) {
        this.lost = true;
        this.report();
      }
      return { code: out.code, data: out.data };
    } catch (err) {
      if (wasActive && !this.sc.active) {
        this.lost = true;
        this.report();
      }
      throw err;
    }
  }
}

/**
 * Secure Channel for a ControlPanel: pass `factory` as the `session` option. Keeps every PD's
 * session for status, counts and waits.
 */
/** What `attach` needs of a ControlPanel. */
export interface ControlPanelLike {
  isOnline(pd: number): boolean;
  on(event: 'state', listener: (...args: unknown[]) => void): unknown;
  off(event: 'state', listener: (...args: unknown[]) => void): unknown;
}

export class CpSecureChannel extends EventEmitter {
  private readonly sessions = new Map<number, CpScSession>();
  private readonly opts: CpSecureOptions;
  private cp?: ControlPanelLike;

  constructor(opts: CpSecureOptions = {}) {
    super();
    if (opts.masterKey && opts.masterKey.length !== 16) throw new InvalidArgumentError('master key must be 16 bytes');
    this.opts = opts;
  }

  /** The engine's CpSessionFactory: a session for each PD with a key, InstallMode or EnforceSecure (or any PD given a master key). */
  readonly factory = (pd: CpPdDescriptor): CpScSession | undefined => {
    const wants = pd.scbk !== undefined || this.opts.masterKey !== undefined || (pd.flags & (ScFlagBit.InstallMode | ScFlagBit.EnforceSecure)) !== 0;
    if (!wants) return undefined;
    if (pd.scbk && pd.scbk.length !== 16) throw new InvalidArgumentError(`${pd.name}: SCBK must be 16 bytes`);
    const s = new CpScSession({ ...pd, ...(pd.scbk ? { scbk: Buffer.from(pd.scbk) } : {}) }, this, this.opts);
    this.sessions.set(pd.index, s);
    return s;
  };

  /** The session of a PD (by index), if it has one. */
  session(pd: number): CpScSession | undefined {
    return this.sessions.get(pd);
  }

  /** is_sc_active */
  isActive(pd: number): boolean {
    return this.sessions.get(pd)?.active === true;
  }

  status(pd: number): ScStatus | undefined {
    return this.sessions.get(pd)?.status();
  }

  /** Every PD's status. */
  statuses(): ScStatus[] {
    return [...this.sessions.values()].map((s) => s.status());
  }

  /** Links the ControlPanel built with `factory`, so that `wait` also waits for the PD to be online. */
  attach(cp: ControlPanelLike): this {
    this.cp = cp;
    return this;
  }

  /**
   * sc_wait: resolves true once every given PD (default: all with a session) has an active session
   * (and is online, when a ControlPanel is attached), false after `timeoutMs`.
   */
  wait(pds?: number | number[], timeoutMs = 10_000): Promise<boolean> {
    const list = pds === undefined ? [...this.sessions.keys()] : Array.isArray(pds) ? pds : [pds];
    const cp = this.cp;
    const ok = (): boolean => list.every((p) => this.isActive(p) && (!cp || cp.isOnline(p)));
    if (ok()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = (): void => {
        if (ok()) done(true);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      const done = (v: boolean): void => {
        clearTimeout(timer);
        this.off('status', check);
        cp?.off('state', check);
        resolve(v);
      };
      this.on('status', check);
      cp?.on('state', check);
    });
  }

  /** @internal */
  _status(s: ScStatus): void {
    this.opts.onStatus?.(s);
    this.emit('status', s);
  }
}
