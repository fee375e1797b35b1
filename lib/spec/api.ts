/**
 * Option, result and event types of the SPEC client: the contract the Node-RED nodes code against.
 */
import type { BackoffOptions } from '../common';
import type { SpecValue } from './types';

export interface SpecClientOptions {
  /**
   * Host, or `host:port`, or `host:specname` (e.g. `localhost:fourc`) as SPEC users write it.
   * Default `127.0.0.1`.
   */
  host?: string;
  /** One port, or an inclusive range `[first, last]` scanned with HELLO. Default `[6510, 6530]`. */
  port?: number | [number, number];
  /** Only accept the server whose SPEC name (HELLO_REPLY) is this, e.g. `fourc`. */
  specName?: string;
  /** Per-request time-out in ms (read, write, call, HELLO). Default 5000. `run` uses `runTimeout`. */
  timeout?: number;
  /** Time-out for `run()` and `call()` in ms; macros can take long. Default 0 (none). */
  runTimeout?: number;
  /** TCP connect time-out per port in ms. Default 2000. */
  connectTimeout?: number;
  /** Reconnect after a drop (and keep trying after a failed first connect). Default true. */
  reconnect?: boolean | BackoffOptions;
  /** Byte order this client writes in. Default: the host's (little-endian on x86/ARM). */
  littleEndian?: boolean;
  /**
   * Largest body accepted, in bytes (a guard against corrupt headers; a larger frame drops the
   * link). Default 64 MiB (a 2048 x 2048 ARR_DOUBLE is 32 MiB).
   */
  maxBodyBytes?: number;
}

export type SpecConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** Who the client is connected to. */
export interface SpecServerInfo {
  host: string;
  port: number;
  /** The SPEC process name from HELLO_REPLY, e.g. `fourc`. */
  specName: string;
}

/** The result of `run()`: the command's return value and the console text it printed. */
export interface SpecRunResult {
  value: SpecValue;
  output: string;
}

/** One EVENT from a watched property. */
export interface SpecEvent {
  property: string;
  value: SpecValue;
  /** The property (e.g. a variable) was deleted. */
  deleted: boolean;
  /** Server time stamp of the event (ms since the epoch). */
  time: number;
  /** Set (and `value` null) when the server reported an error for the property (ERROR type). */
  error?: string;
}

export interface SpecRequestOptions {
  /** Overrides the client's time-out for this request (ms; 0 = none). */
  timeout?: number;
  /** Cancels waiting (the request itself is not recalled). */
  signal?: AbortSignal;
}

export interface SpecWriteOptions extends SpecRequestOptions {
  /**
   * SPEC answers a successful CHAN_SEND with nothing. By default write() follows it with a HELLO
   * and resolves when that is answered with no error REPLY in between; `confirm: false` skips it.
   */
  confirm?: boolean;
}

/** Flags and figures of one motor, read fresh from the server. */
export interface SpecMotorStatus {
  mne: string;
  position: number;
  dialPosition: number;
  offset: number;
  lowLimit: number;
  highLimit: number;
  moving: boolean;
  lowLimitHit: boolean;
  highLimitHit: boolean;
  emergencyStop: boolean;
  fault: boolean;
}

/** Progress of a motor move, emitted as `progress` by SpecMotor and by moveMotors' `onProgress`. */
export interface SpecMoveProgress {
  mne: string;
  position: number;
  target: number;
}

export interface SpecMoveOptions extends SpecRequestOptions {
  /** Called on each position change while moving. */
  onProgress?: (progress: SpecMoveProgress) => void;
}

/** A motor mnemonic with its descriptive name. */
export interface SpecNamedItem {
  index: number;
  mne: string;
  name: string;
}

/** Client events, for `client.on(...)`. */
export interface SpecClientEvents {
  /** Every state change. */
  state: [state: SpecConnectionState];
  connected: [info: SpecServerInfo];
  /** A drop or failed attempt; the next attempt follows after `delay` ms. */
  reconnecting: [detail: { attempt: number; delay: number; error?: Error }];
  closed: [];
  /** The link dropped (a reconnect follows when enabled). */
  disconnected: [error?: Error];
  /** Every EVENT from every watched property. */
  event: [event: SpecEvent];
  /** A problem not tied to one request (a malformed frame, a failed re-register). */
  error: [error: Error];
}
