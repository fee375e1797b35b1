/**
 * The shapes the OSDP engine (lib/osdp cp.ts / pd.ts, its `session.ts` hook point) exchanges with a
 * Secure Channel session, restated structurally so this folder builds on its own: a frame as taken off
 * the wire, a message to put on it, and the context the CP gives a session.
 */

/** PD flag bits that concern the secure channel (same values as the engine's PdFlag). */
export const ScFlagBit = {
  EnforceSecure: 0x0001,
  InstallMode: 0x0002,
  AllowEmptyEncryptedDataBlock: 0x0020,
} as const;

/** Capability function 9: communication security (compliance 1 = AES-128 supported). */
export const CAP_COMMUNICATION_SECURITY = 9;

/** A decoded frame: the engine's DecodedFrame (raw = SOM..check, no mark). */
export interface WireFrame {
  raw: Buffer;
  code: number;
  data: Buffer;
  sqn: number;
  scb?: { type: number; data: Buffer };
}

/** What goes on the wire: CODE, DATA, optional SCB and a MAC function (engine's WireMessage). */
export interface WireMsg {
  code: number;
  data: Buffer;
  scb?: { type: number; data: Buffer };
  mac?: (authenticated: Buffer) => Buffer;
}

export interface CapabilityLike {
  function: number;
  compliance: number;
  numItems: number;
}

/** The engine's CpSessionContext. */
export interface CpContextLike {
  readonly pd: number;
  readonly address: number;
  readonly name: string;
  readonly capabilities: CapabilityLike[];
  hasFlag(flag: number): boolean;
  exchange(message: WireMsg, options?: { resetSequence?: boolean; raw?: boolean }): Promise<WireFrame>;
  notify(what: string, detail?: string): void;
  log(message: string): void;
}

/** The engine's PdSessionContext. */
export interface PdContextLike {
  readonly address: number;
  readonly capabilities: CapabilityLike[];
  hasFlag(flag: number): boolean;
  log(message: string): void;
}

/** What the CP factory is given per PD. */
export interface CpPdDescriptor {
  index: number;
  address: number;
  name: string;
  scbk?: Buffer;
  flags: number;
}

/** What the PD factory is given. */
export interface PdDescriptor {
  address: number;
  flags: number;
  scbk?: Buffer;
  /** The PD's identity (PDID), for the cUID. */
  id?: { vendorCode: number; model: number; version: number; serialNumber: number };
}
