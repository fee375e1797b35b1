/**
 * The Secure Channel hook point. The frame codec carries an optional SCB and MAC; what goes into
 * them is decided per PD by a session object. In plain mode the CP uses no session (every command
 * goes out as encoded) and a PD without a session answers any SCB with NAK 5.
 *
 * CP side, per PD: after CAP the CP calls `establish(ctx)` (CHLNG/CCRYPT/SCRYPT/RMAC_I through
 * `ctx.exchange`), then runs every command through `wrapCommand` and every reply through
 * `unwrapReply`. PD side: every command frame goes through `unwrapCommand` (which may answer at
 * once, e.g. CCRYPT to a CHLNG, or a NAK), and every reply through `wrapReply`.
 */
import type { DecodedFrame, MacFunction, Scb } from './codec/frame';
import type { Capability, OsdpCommand, OsdpReply, PdId } from './types';

/** A payload at the frame level: CODE, DATA (possibly encrypted), optional SCB and MAC provider. */
export interface WireMessage {
  code: number;
  data: Buffer;
  scb?: Scb;
  /** Computes the MAC over SOM..last data byte; required when scb.type is 0x15..0x18. */
  mac?: MacFunction;
}

export interface ExchangeOptions {
  /** Send with SQN 0 (resetting the PD's sequence), e.g. for CHLNG. */
  resetSequence?: boolean;
  /** Do not pass this message through wrapCommand nor the reply through unwrapReply. Default true for exchange(). */
  raw?: boolean;
}

/** What the CP gives a session about its PD. */
export interface CpSessionContext {
  /** PD index in the ControlPanel. */
  readonly pd: number;
  readonly address: number;
  readonly name: string;
  readonly id?: PdId;
  readonly capabilities: Capability[];
  hasFlag(flag: number): boolean;
  /**
   * Sends one command to this PD and resolves with its reply frame (retries on timeout with the
   * same SQN, check mode handled). Rejects with TimeoutError when the PD does not answer.
   */
  exchange(message: WireMessage, options?: ExchangeOptions): Promise<DecodedFrame>;
  /** Reports a Secure Channel state change ('active' | 'inactive') as an sc-status notification. */
  notify(what: string, detail?: string): void;
  log(message: string): void;
}

export interface CpSecureSession {
  /** True while the secure channel is up. */
  readonly active: boolean;
  /**
   * Runs once the PD answered ID and CAP, and again whenever `needsEstablish()` says so. Resolve to
   * let the PD go (or stay) online, secured or not; reject to treat the PD as failing (offline, retried
   * after the back-off), e.g. when EnforceSecure forbids a plain session.
   */
  establish(ctx: CpSessionContext): Promise<void>;
  /** True when the session must be (re)established before the next command (after a NAK 6, a bad MAC, a key change). */
  needsEstablish?(): boolean;
  /** Protects a command (SCB, encryption, MAC). Plain mode returns it unchanged. */
  wrapCommand(message: WireMessage): WireMessage;
  /** Checks and strips a reply. Throws (a FieldlinkError) on a bad MAC: the reply counts as an error and the session drops. */
  unwrapReply(frame: DecodedFrame): WireMessage;
  /** The PD went offline or the link dropped: forget keys derived for this session. */
  reset(): void;
}

/** Builds a CP session for one PD (given at ControlPanel construction). */
export type CpSessionFactory = (pd: { index: number; address: number; name: string; scbk?: Buffer; flags: number }) => CpSecureSession | undefined;

export interface PdSessionContext {
  readonly address: number;
  readonly capabilities: Capability[];
  hasFlag(flag: number): boolean;
  log(message: string): void;
}

export type PdUnwrapResult = { message: WireMessage } | { reply: WireMessage };

export interface PdSecureSession {
  readonly active: boolean;
  /**
   * Inspects a command frame addressed to this PD. Returns the plain message to process, or a reply to
   * send at once, as is (CCRYPT to CHLNG, RMAC_I to SCRYPT, NAK 5/6...).
   */
  unwrapCommand(frame: DecodedFrame, ctx: PdSessionContext): PdUnwrapResult;
  /** Protects the reply to the command `unwrapCommand` just passed. */
  wrapReply(reply: WireMessage, command: DecodedFrame): WireMessage;
  /** Optional command hook (KEYSET under SC): a reply here skips the application handler. */
  handleCommand?(command: OsdpCommand, ctx: PdSessionContext): OsdpReply | undefined;
  /** SQN 0 received, link dropped, PD stopped. */
  reset(): void;
}

export type PdSessionFactory = (pd: { address: number; flags: number; id: PdId; scbk?: Buffer }) => PdSecureSession | undefined;
