/**
 * Secure Channel (SIA OSDP v2.2 section 5.9 / Annex D and E) types and constants. The Security Control
 * Block (SCB) sits between CTRL and CODE: `SEC_BLK_LEN SEC_BLK_TYPE [SEC_BLK_DATA]`, present when CTRL
 * bit 0x08 is set.
 */
import { ProtocolError, type ErrorContext } from '../../common/errors';

/** SEC_BLK_TYPE values. Odd types travel CP -> PD, even types PD -> CP. */
export const ScbType = {
  /** CHLNG: CP starts a session, data = key indicator. */
  SCS_11: 0x11,
  /** CCRYPT: PD answers the challenge, data = key indicator. */
  SCS_12: 0x12,
  /** SCRYPT: CP proves it has the key, data = key indicator. */
  SCS_13: 0x13,
  /** RMAC_I: PD confirms, data = 0x01 accepted (0xFF refused). */
  SCS_14: 0x14,
  /** Command with MAC, no data after CODE (or plain data: a MAC-only command). */
  SCS_15: 0x15,
  /** Reply with MAC only. */
  SCS_16: 0x16,
  /** Command with encrypted data and MAC. */
  SCS_17: 0x17,
  /** Reply with encrypted data and MAC. */
  SCS_18: 0x18,
} as const;
export type ScbTypeValue = (typeof ScbType)[keyof typeof ScbType];

/** SEC_BLK_DATA key indicator in SCS_11/12/13: which base key the session uses. */
export const KeyIndicator = {
  /** SCBK-D, the default key `30 31 ... 3F`, honoured only by a PD in install mode. */
  SCBK_D: 0x00,
  /** The PD's own SCBK. */
  SCBK: 0x01,
} as const;

/** SCS_14 data byte: the PD accepted the CP's cryptogram. */
export const RMAC_I_ACCEPTED = 0x01;

/** Secure-channel related command and reply codes (duplicated here so this folder stands alone). */
export const ScCode = {
  POLL: 0x60,
  ID: 0x61,
  CAP: 0x62,
  KEYSET: 0x75,
  CHLNG: 0x76,
  SCRYPT: 0x77,
  ACK: 0x40,
  NAK: 0x41,
  CCRYPT: 0x76,
  RMAC_I: 0x78,
} as const;

/** NAK reason codes used by the secure channel. */
export const ScNak = {
  /** This PD does not support the security block that was received. */
  SC_UNSUPPORTED: 5,
  /** Communication security conditions not met (bad MAC, plaintext while secure, EnforceSecure...). */
  SC_CONDITIONS: 6,
} as const;

/** The default Secure Channel Base Key SCBK-D (SIA OSDP v2.2 Annex D). */
export const SCBK_DEFAULT: Readonly<Buffer> = Buffer.from('303132333435363738393a3b3c3d3e3f', 'hex');

/** The session keys derived from a base key and the CP's random number. */
export interface SessionKeys {
  sEnc: Buffer;
  sMac1: Buffer;
  sMac2: Buffer;
}

/**
 * The MAC chain of an active session: the last full 16-byte MAC of a command (C-MAC) and of a reply
 * (R-MAC). R-MAC starts as RMAC-I. Four bytes of each go on the wire; all sixteen are chained.
 */
export interface MacChain {
  rMac: Buffer;
  cMac: Buffer;
}

/** Everything an active session needs to seal and open frames. */
export interface ScContext extends SessionKeys, MacChain {}

/** Flags with libosdp's names and meaning. */
export interface ScFlags {
  /**
   * Only secure communication: the CP never uses SCBK-D; a PD answers plaintext other than
   * ID/CAP/CHLNG/SCRYPT with NAK 6.
   */
  enforceSecure?: boolean;
  /**
   * PD: accept SCBK-D (a reader without a key yet, being provisioned). CP: allowed to fall back to
   * SCBK-D when the PD's SCBK is refused, to then set a key with KEYSET.
   */
  installMode?: boolean;
  /** Tolerate a peer that sends SCS_17/SCS_18 with no data (non-conforming, some readers do). */
  allowEmptyEncryptedDataBlock?: boolean;
}

/** Why a secure frame was refused. */
export type ScFailure =
  | 'bad-mac'
  | 'bad-padding'
  | 'bad-length'
  | 'empty-encrypted-block'
  | 'plaintext-while-secure'
  | 'not-secure'
  | 'unsupported'
  | 'bad-scb'
  | 'bad-cryptogram'
  | 'wrong-key'
  | 'enforce-secure'
  | 'unexpected';

/**
 * A secure-channel error: carries the NAK reason a PD must answer with (`nak`), and whether the
 * session was dropped because of it.
 */
export class SecureChannelError extends ProtocolError {
  readonly reason: ScFailure;
  readonly nak: number;
  readonly dropped: boolean;
  constructor(message: string, reason: ScFailure, opts: { nak?: number; dropped?: boolean } & ErrorContext = {}) {
    super(message, opts, 'ESECURE');
    this.reason = reason;
    this.nak = opts.nak ?? ScNak.SC_CONDITIONS;
    this.dropped = opts.dropped ?? false;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), reason: this.reason, nak: this.nak, dropped: this.dropped };
  }
}
