/**
 * The input path every action node shares: editor fields as defaults, `msg.payload` fields on
 * top, the engine call, the result in `msg.payload`, and errors to the Catch path with
 * `msg.error` set. Never throws out of the handler, never leaves a promise unhandled.
 */
import type { Node, NodeMessage, NodeMessageInFlow } from 'node-red';
import { InvalidArgumentError, toFieldlinkError } from '../../lib/common/errors';
import { shorten, type StatusTarget } from './status';

export type Msg = NodeMessageInFlow & Record<string, unknown>;

/** `msg.payload` when it is a plain object, else an empty object. */
export function payloadObject(msg: Msg): Record<string, unknown> {
  const p = msg.payload;
  return p !== null && typeof p === 'object' && !Array.isArray(p) && !Buffer.isBuffer(p) ? (p as Record<string, unknown>) : {};
}

/**
 * The editor's values with any field of the same name in `msg.payload` on top. Empty editor
 * values (`''`) count as unset.
 */
export function withOverrides<T extends Record<string, unknown>>(defaults: T, msg: Msg): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(defaults)) if (v !== '' && v !== undefined) out[k] = v;
  for (const [k, v] of Object.entries(payloadObject(msg))) if (v !== undefined) out[k] = v;
  return out as T;
}

/** Reads a number from an editor string or a msg field; throws InvalidArgumentError otherwise. */
export function toNumber(value: unknown, name: string, opts: { min?: number; max?: number; integer?: boolean } = {}): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : typeof value === 'number' ? value : NaN;
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number, got ${JSON.stringify(value)}`);
  if (opts.integer && !Number.isInteger(n)) throw new InvalidArgumentError(`${name} must be a whole number, got ${n}`);
  if (opts.min !== undefined && n < opts.min) throw new InvalidArgumentError(`${name} must be at least ${opts.min}, got ${n}`);
  if (opts.max !== undefined && n > opts.max) throw new InvalidArgumentError(`${name} must be at most ${opts.max}, got ${n}`);
  return n;
}

export interface InputOptions {
  status: StatusTarget;
  /** Short status text for a result; defaults to 'ok'. */
  describe?: (result: unknown, msg: Msg) => string;
}

type Send = (msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null>) => void;
type Done = (err?: Error) => void;

/**
 * Wires `handler` to the node's input. The handler returns the new `msg.payload`; returning
 * `undefined` sends nothing (for handlers that send progress themselves via the `send` they get).
 */
export function onInput(
  node: Node,
  options: InputOptions,
  handler: (msg: Msg, send: Send) => Promise<unknown>,
): void {
  node.on('input', (rawMsg: NodeMessageInFlow, send: Send, done: Done) => {
    const msg = rawMsg as Msg;
    let result: Promise<unknown>;
    try {
      result = handler(msg, send);
    } catch (err) {
      result = Promise.reject(err);
    }
    result.then(
      (payload) => {
        if (payload !== undefined) {
          msg.payload = payload;
          send(msg);
        }
        options.status.flash({ fill: 'green', shape: 'dot', text: shorten(options.describe?.(payload, msg) ?? 'ok') });
        done();
      },
      (err: unknown) => {
        const error = toFieldlinkError(err);
        msg.error = error.toJSON();
        options.status.flash({ fill: 'red', shape: 'ring', text: shorten(error.message) });
        done(error);
      },
    );
  });
}
