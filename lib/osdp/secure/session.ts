/**
 * Secure Channel session state machines for both roles, independent of any transport: they take
 * split frames and give back what to send. The CP (the "server" in the spec's cryptogram names)
 * opens a session with CHLNG -> CCRYPT -> SCRYPT -> RMAC_I; the PD ("client") answers.
 */
import { randomBytes } from 'node:crypto';
import { InvalidArgumentError, RejectedError } from '../../common/errors';
import { openFrame, sealFrame, sealParts, type OpenedMessage, type SealedParts } from './channel';
import {
  bytesEqual,
  clientCryptogram,
  deriveSessionKeys,
  initialRmac,
  scbkFromMasterKey,
  serverCryptogram,
} from './crypto';
import { buildFrame, type FrameHeader, type Scb, type SplitFrame } from './frame';
import {
  KeyIndicator,
  RMAC_I_ACCEPTED,
  SCBK_DEFAULT,
  ScCode,
  ScNak,
  ScbType,
  SecureChannelError,
  type ScContext,
  type ScFailure,
  type ScFlags,
} from './types';

/** Counters of one session object (CP side per PD, or the PD). */
export interface ScCounters {
  /** Sessions established. */
  established: number;
  /** Handshakes that failed (wrong key, NAK, refused SCBK-D...). */
  handshakeFailures: number;
  /** Sessions dropped (bad MAC, time-out, peer lost it, reset). */
  dropped: number;
  /** Frames refused because the MAC did not verify. */
  macErrors: number;
  /** Frames refused for another SC reason (padding, SCB type, plaintext while secure...). */
  refused: number;
  /** PD: sessions that timed out after 8 s without valid secure traffic. */
  timeouts: number;
  /** Frames sealed / opened in a session. */
  sealed: number;
  opened: number;
  /** Keys changed through KEYSET. */
  keysets: number;
}

function newCounters(): ScCounters {
  return { established: 0, handshakeFailures: 0, dropped: 0, macErrors: 0, refused: 0, timeouts: 0, sealed: 0, opened: 0, keysets: 0 };
}

/** A frame the caller sends with the given SCB, in plain text otherwise (handshake messages). */
export interface HandshakeMessage {
  code: number;
  data: Buffer;
  scb: Scb;
  /** CHLNG goes out with SQN 0 (the PD resets its sequence). */
  sqnZero?: boolean;
}

/** The KEYSET payload: key type 1 (SCBK), length, key. */
export function encodeKeyset(scbk: Uint8Array): Buffer {
  checkKey(scbk, 'SCBK');
  return Buffer.concat([Buffer.from([0x01, scbk.length]), scbk]);
}

/** Decodes a KEYSET payload; throws InvalidArgumentError when it is not a 16-byte SCBK. */
export function decodeKeyset(data: Uint8Array): Buffer {
  if (data.length < 2 || data[0] !== 0x01 || data[1] !== 16 || data.length !== 18) {
    throw new InvalidArgumentError('KEYSET must carry key type 1 (SCBK) and a 16-byte key');
  }
  return Buffer.from(data.subarray(2, 18));
}

function checkKey(key: Uint8Array | undefined, what: string): void {
  if (key !== undefined && key.length !== 16) throw new InvalidArgumentError(`${what} must be 16 bytes, got ${key.length}`);
}

function describeKey(isDefault: boolean): string {
  return isDefault ? 'SCBK-D' : 'SCBK';
}

// ------------------------------------------------------------------------------------------------
// CP side
// ------------------------------------------------------------------------------------------------

export interface CpSessionOptions extends ScFlags {
  /** The PD's Secure Channel Base Key. */
  scbk?: Uint8Array;
  /** Or a master key: SCBK = AES(MK, cUID || ~cUID), cUID from CCRYPT. */
  masterKey?: Uint8Array;
  /** Random source (tests inject a fixed one). */
  random?: (n: number) => Buffer;
}

export type CpScState = 'idle' | 'challenge-sent' | 'scrypt-sent' | 'active' | 'failed';

/** What the CP does after a handshake reply. */
export type CpHandshakeStep =
  | { kind: 'send'; message: HandshakeMessage }
  | { kind: 'established'; defaultKey: boolean }
  | { kind: 'retry-default-key'; reason: ScFailure; message: HandshakeMessage }
  | { kind: 'failed'; reason: ScFailure; error: SecureChannelError };

export class CpScMachine {
  state: CpScState = 'idle';
  readonly counters: ScCounters = newCounters();
  /** The session in use is (or is being) keyed with SCBK-D. */
  usingDefaultKey = false;
  /** The last failure, for status displays. */
  lastFailure?: ScFailure;
  private scbk?: Buffer;
  private readonly masterKey?: Buffer;
  private readonly flags: ScFlags;
  private readonly random: (n: number) => Buffer;
  private rndA = Buffer.alloc(8);
  private rndB = Buffer.alloc(8);
  private cUid?: Buffer;
  private ctx?: ScContext;
  private serverCrypt?: Buffer;
  private triedDefault = false;
  private lastCommandCode = -1;
  private pendingKey?: Buffer;

  constructor(opts: CpSessionOptions = {}) {
    checkKey(opts.scbk, 'SCBK');
    checkKey(opts.masterKey, 'master key');
    this.scbk = opts.scbk ? Buffer.from(opts.scbk) : undefined;
    this.masterKey = opts.masterKey ? Buffer.from(opts.masterKey) : undefined;
    this.flags = { enforceSecure: opts.enforceSecure, installMode: opts.installMode, allowEmptyEncryptedDataBlock: opts.allowEmptyEncryptedDataBlock };
    this.random = opts.random ?? randomBytes;
  }

  get active(): boolean {
    return this.state === 'active';
  }

  /** Whether this CP may secure the PD at all (a key, a master key, or SCBK-D allowed). */
  get capable(): boolean {
    return this.hasOwnKey || !this.flags.enforceSecure;
  }

  get hasOwnKey(): boolean {
    return this.scbk !== undefined || this.masterKey !== undefined;
  }

  /** The PD's cUID learned from CCRYPT. */
  get clientUid(): Buffer | undefined {
    return this.cUid;
  }

  /** Replaces the PD's key (takes effect at the next handshake). */
  setKey(scbk: Uint8Array): void {
    checkKey(scbk, 'SCBK');
    this.scbk = Buffer.from(scbk);
    this.triedDefault = false;
  }

  /**
   * Starts a handshake: CHLNG with a fresh RND.A. Uses the PD's SCBK, or SCBK-D when there is no
   * key (unless EnforceSecure) or `useDefaultKey`.
   */
  begin(useDefaultKey = false): HandshakeMessage {
    const wantDefault = useDefaultKey || !this.hasOwnKey;
    if (wantDefault && this.flags.enforceSecure) {
      throw new SecureChannelError('EnforceSecure: SCBK-D is never used', 'enforce-secure');
    }
    if (this.state === 'active') this.drop();
    this.usingDefaultKey = wantDefault;
    if (wantDefault) this.triedDefault = true;
    this.rndA = Buffer.from(this.random(8));
    this.ctx = undefined;
    this.state = 'challenge-sent';
    return {
      code: ScCode.CHLNG,
      data: Buffer.from(this.rndA),
      scb: { type: ScbType.SCS_11, data: Buffer.from([wantDefault ? KeyIndicator.SCBK_D : KeyIndicator.SCBK]) },
      sqnZero: true,
    };
  }

  /** Handles the reply to CHLNG or SCRYPT (a split frame, check verified). */
  handleHandshakeReply(frame: SplitFrame): CpHandshakeStep {
    if (this.state === 'challenge-sent') return this.onCcrypt(frame);
    if (this.state === 'scrypt-sent') return this.onRmacI(frame);
    return this.fail('unexpected', 'no handshake in progress');
  }

  /** The PD did not answer the handshake at all. */
  handshakeTimedOut(): CpHandshakeStep {
    return this.fail('unexpected', 'no reply to the handshake');
  }

  private onCcrypt(frame: SplitFrame): CpHandshakeStep {
    if (frame.code === ScCode.NAK && !frame.scb) {
      const nak = frame.data[0];
      return this.failOrFallback(nak === ScNak.SC_UNSUPPORTED ? 'unsupported' : 'wrong-key', `PD answered CHLNG with NAK ${nak}`, nak === ScNak.SC_UNSUPPORTED);
    }
    if (frame.code !== ScCode.CCRYPT || frame.scb?.type !== ScbType.SCS_12 || frame.data.length !== 32) {
      return this.fail('unexpected', `expected CCRYPT, got code 0x${frame.code.toString(16)}`);
    }
    const cUid = Buffer.from(frame.data.subarray(0, 8));
    this.rndB = Buffer.from(frame.data.subarray(8, 16));
    const theirs = frame.data.subarray(16, 32);
    let scbk: Buffer;
    if (this.usingDefaultKey) scbk = SCBK_DEFAULT;
    else if (this.scbk) scbk = this.scbk;
    else scbk = scbkFromMasterKey(this.masterKey!, cUid);
    const keys = deriveSessionKeys(scbk, this.rndA);
    if (!bytesEqual(clientCryptogram(keys.sEnc, this.rndA, this.rndB), theirs)) {
      return this.failOrFallback('wrong-key', `the PD's cryptogram does not match our ${describeKey(this.usingDefaultKey)}`);
    }
    this.cUid = cUid;
    this.serverCrypt = serverCryptogram(keys.sEnc, this.rndA, this.rndB);
    this.ctx = { ...keys, rMac: Buffer.alloc(16), cMac: Buffer.alloc(16) };
    this.state = 'scrypt-sent';
    return {
      kind: 'send',
      message: {
        code: ScCode.SCRYPT,
        data: Buffer.from(this.serverCrypt),
        scb: { type: ScbType.SCS_13, data: Buffer.from([this.usingDefaultKey ? KeyIndicator.SCBK_D : KeyIndicator.SCBK]) },
      },
    };
  }

  private onRmacI(frame: SplitFrame): CpHandshakeStep {
    if (frame.code === ScCode.NAK && !frame.scb) {
      return this.failOrFallback('bad-cryptogram', `PD answered SCRYPT with NAK ${frame.data[0]}`);
    }
    if (frame.code !== ScCode.RMAC_I || frame.scb?.type !== ScbType.SCS_14 || frame.data.length !== 16) {
      return this.fail('unexpected', `expected RMAC_I, got code 0x${frame.code.toString(16)}`);
    }
    if (frame.scb.data.length > 0 && frame.scb.data[0] !== RMAC_I_ACCEPTED) {
      return this.failOrFallback('bad-cryptogram', 'PD refused our cryptogram');
    }
    const ctx = this.ctx!;
    const expected = initialRmac(ctx, this.serverCrypt!);
    if (!bytesEqual(expected, frame.data)) return this.fail('bad-cryptogram', 'RMAC-I does not match');
    ctx.rMac = expected;
    ctx.cMac = Buffer.alloc(16);
    this.state = 'active';
    this.lastFailure = undefined;
    this.counters.established++;
    return { kind: 'established', defaultKey: this.usingDefaultKey };
  }

  private failOrFallback(reason: ScFailure, message: string, unsupported = false): CpHandshakeStep {
    if (!unsupported && !this.usingDefaultKey && !this.triedDefault && !this.flags.enforceSecure) {
      this.counters.handshakeFailures++;
      this.lastFailure = reason;
      return { kind: 'retry-default-key', reason, message: this.begin(true) };
    }
    return this.fail(reason, message);
  }

  private fail(reason: ScFailure, message: string): CpHandshakeStep {
    this.state = 'failed';
    this.ctx = undefined;
    this.lastFailure = reason;
    this.counters.handshakeFailures++;
    this.triedDefault = false;
    const error = new SecureChannelError(`secure channel not established: ${message}`, reason, { nak: 0 });
    return { kind: 'failed', reason, error };
  }

  /** Forgets the session (lost, reset, PD offline). The next `begin` starts over. */
  drop(): void {
    if (this.state === 'active') this.counters.dropped++;
    this.state = 'idle';
    this.ctx = undefined;
    this.triedDefault = false;
  }

  /** Seals a command of the active session (SCS_15 without data, SCS_17 with). */
  seal(header: Omit<FrameHeader, 'reply'>, code: number, data: Uint8Array): Buffer {
    if (!this.ctx || this.state !== 'active') throw new SecureChannelError('no active secure channel', 'not-secure');
    this.lastCommandCode = code;
    this.counters.sealed++;
    return sealFrame(this.ctx, { ...header, reply: false }, code, data);
  }

  /** Like `seal`, for a frame encoder that computes the MAC itself (see SealedParts). */
  sealMessage(code: number, data: Uint8Array): SealedParts {
    if (!this.ctx || this.state !== 'active') throw new SecureChannelError('no active secure channel', 'not-secure');
    this.lastCommandCode = code;
    this.counters.sealed++;
    return sealParts(this.ctx, true, code, data);
  }

  /**
   * Builds a KEYSET command payload for a new SCBK (only valid under SC); the key is used for the
   * next session once the PD acknowledges (see `onReply`).
   */
  keyset(newKey: Uint8Array): Buffer {
    if (this.state !== 'active') throw new RejectedError('KEYSET is only sent under an active secure channel', {}, 'ESECURE');
    const payload = encodeKeyset(newKey);
    this.pendingKey = Buffer.from(newKey);
    return payload;
  }

  /** The key a KEYSET in flight will install, if any. */
  get pendingKeyset(): Buffer | undefined {
    return this.pendingKey;
  }

  /**
   * Opens a reply while the session is active (or refuses it). A plain NAK is accepted (the PD lost
   * the session: we drop ours); a plain ACK to KEYSET is accepted (some PDs switch keys before
   * answering). Returns `keyChanged` when a KEYSET completed: the session is dropped and the next
   * handshake uses the new key.
   */
  open(frame: SplitFrame): OpenedMessage & { keyChanged?: Buffer; sessionLost?: boolean } {
    if (this.state !== 'active' || !this.ctx) throw new SecureChannelError('no active secure channel', 'not-secure');
    if (!frame.scb) {
      if (frame.code === ScCode.NAK) {
        this.drop();
        return { code: frame.code, data: Buffer.from(frame.data), encrypted: false, sessionLost: true };
      }
      if (frame.code === ScCode.ACK && this.lastCommandCode === ScCode.KEYSET && this.pendingKey) {
        return { code: frame.code, data: Buffer.from(frame.data), encrypted: false, keyChanged: this.completeKeyset() };
      }
      this.counters.refused++;
      throw new SecureChannelError(`plaintext reply 0x${frame.code.toString(16)} while the secure channel is active`, 'plaintext-while-secure');
    }
    try {
      const msg = openFrame(this.ctx, frame, this.flags);
      this.counters.opened++;
      if (msg.code === ScCode.ACK && this.lastCommandCode === ScCode.KEYSET && this.pendingKey) {
        return { ...msg, keyChanged: this.completeKeyset() };
      }
      return msg;
    } catch (err) {
      if (err instanceof SecureChannelError) {
        if (err.reason === 'bad-mac') this.counters.macErrors++;
        else this.counters.refused++;
        this.lastFailure = err.reason;
        if (err.dropped) this.drop();
      }
      throw err;
    }
  }

  /** A KEYSET command failed (NAK or no reply): forget the pending key. */
  keysetFailed(): void {
    this.pendingKey = undefined;
  }

  private completeKeyset(): Buffer {
    const key = this.pendingKey!;
    this.pendingKey = undefined;
    this.scbk = key;
    this.counters.keysets++;
    this.drop();
    this.usingDefaultKey = false;
    return key;
  }
}

// ------------------------------------------------------------------------------------------------
// PD side
// ------------------------------------------------------------------------------------------------

export interface PdSessionOptions extends ScFlags {
  /** This PD's SCBK (absent for a reader not provisioned yet: install mode only). */
  scbk?: Uint8Array;
  /** The client UID sent in CCRYPT (8 bytes, usually vendor code, model, version, serial). */
  cUid: Uint8Array;
  random?: (n: number) => Buffer;
  /** Clock in ms (tests inject one). */
  now?: () => number;
  /** Session time-out without valid secure traffic, ms. Default 8000. */
  timeoutMs?: number;
  /** Called when a KEYSET installs a new key (persist it). */
  onKeyChange?: (scbk: Buffer) => void;
}

export type PdScState = 'idle' | 'challenged' | 'active';

/** What the PD does with an incoming frame. */
export type PdDecision =
  /** Pass the command to the command handler; reply through `sealReply` when `secure`. */
  | { kind: 'command'; code: number; data: Buffer; secure: boolean }
  /** Send this handshake reply frame (already built). */
  | { kind: 'reply'; frame: Buffer; established?: boolean }
  /** Answer with NAK `nak` (in plain text: the session, if any, is gone or never was). */
  | { kind: 'nak'; nak: number; error: SecureChannelError };

/** Commands a PD with EnforceSecure still accepts in plain text. */
const ENFORCE_SECURE_PLAIN = new Set<number>([ScCode.ID, ScCode.CAP, ScCode.CHLNG, ScCode.SCRYPT]);

export class PdScMachine {
  state: PdScState = 'idle';
  readonly counters: ScCounters = newCounters();
  /** The current session uses SCBK-D. */
  usingDefaultKey = false;
  private scbk?: Buffer;
  private readonly cUid: Buffer;
  private flags: ScFlags;
  private readonly random: (n: number) => Buffer;
  private readonly now: () => number;
  private readonly timeoutMs: number;
  private readonly onKeyChange?: (scbk: Buffer) => void;
  private ctx?: ScContext;
  private rndA = Buffer.alloc(8);
  private rndB = Buffer.alloc(8);
  private lastValid = 0;
  private pendingKey?: Buffer;

  constructor(opts: PdSessionOptions) {
    checkKey(opts.scbk, 'SCBK');
    if (!opts.cUid || opts.cUid.length !== 8) throw new InvalidArgumentError('cUID must be 8 bytes');
    this.scbk = opts.scbk ? Buffer.from(opts.scbk) : undefined;
    this.cUid = Buffer.from(opts.cUid);
    this.flags = { enforceSecure: opts.enforceSecure, installMode: opts.installMode, allowEmptyEncryptedDataBlock: opts.allowEmptyEncryptedDataBlock };
    this.random = opts.random ?? randomBytes;
    this.now = opts.now ?? Date.now;
    this.timeoutMs = opts.timeoutMs ?? 8000;
    this.onKeyChange = opts.onKeyChange;
  }

  /** Secure channel usable at all: a key, or install mode (SCBK-D). */
  get capable(): boolean {
    return this.scbk !== undefined || !!this.flags.installMode;
  }

  get installMode(): boolean {
    return !!this.flags.installMode;
  }

  get hasKey(): boolean {
    return this.scbk !== undefined;
  }

  /** Whether a session is active now (dropping it first when it timed out). */
  get active(): boolean {
    this.checkTimeout();
    return this.state === 'active';
  }

  /** Drops a session that has seen no valid secure traffic for the time-out. Returns true if it did. */
  checkTimeout(): boolean {
    if (this.state === 'active' && this.now() - this.lastValid >= this.timeoutMs) {
      this.counters.timeouts++;
      this.drop();
      return true;
    }
    return false;
  }

  /** SQN 0 from the CP, or any other reason: forget the session. */
  drop(): void {
    if (this.state === 'active') this.counters.dropped++;
    this.state = 'idle';
    this.ctx = undefined;
    this.pendingKey = undefined;
  }

  /** Decides what to do with one incoming command frame (split, check verified). */
  handle(frame: SplitFrame): PdDecision {
    this.checkTimeout();
    if (frame.scb) {
      if (!this.capable) {
        return this.nak(ScNak.SC_UNSUPPORTED, 'unsupported', 'this PD has no secure channel (no key, not in install mode)', false);
      }
      switch (frame.scb.type) {
        case ScbType.SCS_11:
          return this.onChallenge(frame);
        case ScbType.SCS_13:
          return this.onScrypt(frame);
        case ScbType.SCS_15:
        case ScbType.SCS_17:
          return this.onSecured(frame);
        default:
          return this.nak(ScNak.SC_CONDITIONS, 'bad-scb', `SCB type 0x${frame.scb.type.toString(16)} is not valid in a command`, true);
      }
    }
    if (frame.sqn === 0 && this.state !== 'idle') this.drop();
    if (this.state === 'active') {
      return this.nak(ScNak.SC_CONDITIONS, 'plaintext-while-secure', `plaintext command 0x${frame.code.toString(16)} while the secure channel is active`, false);
    }
    if (this.flags.enforceSecure && !ENFORCE_SECURE_PLAIN.has(frame.code)) {
      return this.nak(ScNak.SC_CONDITIONS, 'enforce-secure', `EnforceSecure: plaintext command 0x${frame.code.toString(16)} refused`, false);
    }
    if (frame.code === ScCode.KEYSET) {
      return this.nak(ScNak.SC_CONDITIONS, 'not-secure', 'KEYSET is only accepted under the secure channel', false);
    }
    return { kind: 'command', code: frame.code, data: Buffer.from(frame.data), secure: false };
  }

  private onChallenge(frame: SplitFrame): PdDecision {
    if (frame.code !== ScCode.CHLNG || frame.data.length !== 8) {
      return this.nak(ScNak.SC_CONDITIONS, 'bad-scb', 'SCS_11 without a CHLNG of 8 bytes', true);
    }
    if (this.state === 'active') this.drop();
    const wantsDefault = frame.scb!.data[0] === KeyIndicator.SCBK_D;
    let key: Buffer;
    if (wantsDefault) {
      if (!this.flags.installMode || this.flags.enforceSecure) {
        return this.nak(ScNak.SC_CONDITIONS, 'wrong-key', 'SCBK-D requested but this PD is not in install mode', false);
      }
      key = SCBK_DEFAULT;
    } else {
      if (!this.scbk) return this.nak(ScNak.SC_CONDITIONS, 'wrong-key', 'SCBK requested but this PD has no key yet', false);
      key = this.scbk;
    }
    this.usingDefaultKey = wantsDefault;
    this.rndA = Buffer.from(frame.data);
    this.rndB = Buffer.from(this.random(8));
    const keys = deriveSessionKeys(key, this.rndA);
    this.ctx = { ...keys, rMac: Buffer.alloc(16), cMac: Buffer.alloc(16) };
    this.state = 'challenged';
    const data = Buffer.concat([this.cUid, this.rndB, clientCryptogram(keys.sEnc, this.rndA, this.rndB)]);
    const scb: Scb = { type: ScbType.SCS_12, data: Buffer.from([wantsDefault ? KeyIndicator.SCBK_D : KeyIndicator.SCBK]) };
    return { kind: 'reply', frame: buildFrame(this.replyHeader(frame), scb, ScCode.CCRYPT, data) };
  }

  private onScrypt(frame: SplitFrame): PdDecision {
    if (this.state !== 'challenged' || !this.ctx) {
      return this.nak(ScNak.SC_CONDITIONS, 'unexpected', 'SCRYPT without a challenge', false);
    }
    if (frame.code !== ScCode.SCRYPT || frame.data.length !== 16) {
      return this.nak(ScNak.SC_CONDITIONS, 'bad-scb', 'SCS_13 without an SCRYPT of 16 bytes', false);
    }
    const expected = serverCryptogram(this.ctx.sEnc, this.rndA, this.rndB);
    if (!bytesEqual(expected, frame.data)) {
      this.state = 'idle';
      this.ctx = undefined;
      this.counters.handshakeFailures++;
      return this.nak(ScNak.SC_CONDITIONS, 'bad-cryptogram', "the CP's cryptogram does not match", false);
    }
    const rmacI = initialRmac(this.ctx, frame.data);
    this.ctx.rMac = rmacI;
    this.ctx.cMac = Buffer.alloc(16);
    this.state = 'active';
    this.lastValid = this.now();
    this.counters.established++;
    const scb: Scb = { type: ScbType.SCS_14, data: Buffer.from([RMAC_I_ACCEPTED]) };
    return { kind: 'reply', frame: buildFrame(this.replyHeader(frame), scb, ScCode.RMAC_I, rmacI), established: true };
  }

  private onSecured(frame: SplitFrame): PdDecision {
    if (this.state !== 'active' || !this.ctx) {
      return this.nak(ScNak.SC_CONDITIONS, 'not-secure', 'secured command without an active session', false);
    }
    try {
      const msg = openFrame(this.ctx, frame, this.flags);
      this.lastValid = this.now();
      this.counters.opened++;
      return { kind: 'command', code: msg.code, data: msg.data, secure: true };
    } catch (err) {
      if (!(err instanceof SecureChannelError)) throw err;
      if (err.reason === 'bad-mac') this.counters.macErrors++;
      else this.counters.refused++;
      this.drop();
      return { kind: 'nak', nak: ScNak.SC_CONDITIONS, error: err };
    }
  }

  private nak(nak: number, reason: ScFailure, message: string, drop: boolean): PdDecision {
    if (drop) this.drop();
    this.counters.refused++;
    return { kind: 'nak', nak, error: new SecureChannelError(message, reason, { nak, dropped: drop }) };
  }

  private replyHeader(frame: SplitFrame): FrameHeader {
    return { addr: frame.addr, sqn: frame.sqn, crc: frame.crc, reply: true };
  }

  /**
   * Accepts a KEYSET received under SC (decision.secure): validates it; the new key takes effect right
   * after the ACK is sealed with the current session keys (`sealReply`).
   */
  acceptKeyset(data: Uint8Array): void {
    if (this.state !== 'active') throw new SecureChannelError('KEYSET outside the secure channel', 'not-secure');
    this.pendingKey = decodeKeyset(data);
  }

  /** Seals a reply of the active session. After the ACK of a KEYSET, installs the new key and drops the session. */
  sealReply(header: Omit<FrameHeader, 'reply'>, code: number, data: Uint8Array): Buffer {
    if (!this.ctx || this.state !== 'active') throw new SecureChannelError('no active secure channel', 'not-secure');
    this.counters.sealed++;
    const out = sealFrame(this.ctx, { ...header, reply: true }, code, data);
    if (this.pendingKey && code === ScCode.ACK) this.installPendingKey();
    return out;
  }

  /**
   * Like `sealReply`, for a frame encoder that computes the MAC itself. The encryption and the MAC use
   * the current session even when this ACK completes a KEYSET (the key switch happens here, the MAC
   * function keeps the old keys).
   */
  sealReplyMessage(code: number, data: Uint8Array): SealedParts {
    if (!this.ctx || this.state !== 'active') throw new SecureChannelError('no active secure channel', 'not-secure');
    this.counters.sealed++;
    const parts = sealParts(this.ctx, false, code, data);
    if (this.pendingKey && code === ScCode.ACK) this.installPendingKey();
    return parts;
  }

  private installPendingKey(): void {
    this.scbk = this.pendingKey!;
    this.pendingKey = undefined;
    this.flags = { ...this.flags, installMode: false };
    this.counters.keysets++;
    this.drop();
    this.onKeyChange?.(Buffer.from(this.scbk));
  }

  /** Replaces the key (an application or key store setting it). */
  setKey(scbk: Uint8Array): void {
    checkKey(scbk, 'SCBK');
    this.scbk = Buffer.from(scbk);
  }

  /** Puts the PD into or out of install mode (accept SCBK-D). */
  setInstallMode(on: boolean): void {
    this.flags = { ...this.flags, installMode: on };
  }
}
