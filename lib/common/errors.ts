/**
 * Typed errors shared by every engine. Each carries a stable `code` a flow can switch on,
 * and the device and operation it belongs to so a Catch node can tell what failed.
 */
export interface ErrorContext {
  /** The device the error belongs to: a controller serial, a PD address, a host:port... */
  device?: string | number;
  /** The operation that was running: `get-status`, `read`, `led`... */
  operation?: string;
  /** The underlying error, if this one wraps another. */
  cause?: unknown;
}

export class FieldlinkError extends Error {
  readonly code: string;
  readonly device?: string | number;
  readonly operation?: string;

  constructor(message: string, code = 'EFIELDLINK', context: ErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = new.target.name;
    this.code = code;
    if (context.device !== undefined) this.device = context.device;
    if (context.operation !== undefined) this.operation = context.operation;
  }

  /** A plain object for `msg.error` and JSON logs. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, code: this.code, message: this.message };
    if (this.device !== undefined) out.device = this.device;
    if (this.operation !== undefined) out.operation = this.operation;
    return out;
  }
}

/** No reply arrived in time. */
export class TimeoutError extends FieldlinkError {
  constructor(message: string, context: ErrorContext = {}) {
    super(message, 'ETIMEOUT', context);
  }
}

/** The far side answered with something the protocol does not allow, or bytes did not decode. */
export class ProtocolError extends FieldlinkError {
  constructor(message: string, context: ErrorContext = {}, code = 'EPROTOCOL') {
    super(message, code, context);
  }
}

/** The thing asked for does not exist on the device (a card, an event, a property...). */
export class NotFoundError extends FieldlinkError {
  constructor(message: string, context: ErrorContext = {}, code = 'ENOTFOUND') {
    super(message, code, context);
  }
}

/** The caller passed something unusable (a bad msg.payload, an out-of-range value). */
export class InvalidArgumentError extends FieldlinkError {
  constructor(message: string, context: ErrorContext = {}) {
    super(message, 'EINVAL', context);
  }
}

/** The device refused the request (a NAK, an error reply, a rejected write). */
export class RejectedError extends FieldlinkError {
  constructor(message: string, context: ErrorContext = {}, code = 'EREJECTED') {
    super(message, code, context);
  }
}

/** The link is closed or not yet open. */
export class NotConnectedError extends FieldlinkError {
  constructor(message: string, context: ErrorContext = {}) {
    super(message, 'ENOTCONN', context);
  }
}

/** The operation was cancelled (engine closed, flushed, aborted). */
export class AbortedError extends FieldlinkError {
  constructor(message: string, context: ErrorContext = {}) {
    super(message, 'EABORTED', context);
  }
}

/** Turns anything thrown into a FieldlinkError, keeping typed ones as they are. */
export function toFieldlinkError(err: unknown, context: ErrorContext = {}): FieldlinkError {
  if (err instanceof FieldlinkError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  return new FieldlinkError(message, typeof code === 'string' ? code : 'EFIELDLINK', { ...context, cause: err });
}
