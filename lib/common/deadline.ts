import { AbortedError, TimeoutError, type ErrorContext } from './errors';

/** Resolves after `ms`; rejects with AbortedError if `signal` fires first. The timer never holds the process open. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError('aborted'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    timer.unref?.();
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortedError('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Races `work` against a deadline. On time-out the returned promise rejects with TimeoutError and
 * `onTimeout` runs (to drop a pending request); `work` itself is not cancelled.
 */
export function withTimeout<T>(
  work: Promise<T>,
  ms: number,
  context: ErrorContext & { what?: string } = {},
  onTimeout?: () => void,
): Promise<T> {
  if (!(ms > 0) || !Number.isFinite(ms)) return work;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout?.();
      const what = context.what ?? context.operation ?? 'operation';
      const device = context.device !== undefined ? ` (${context.device})` : '';
      reject(new TimeoutError(`${what}${device} timed out after ${ms} ms`, context));
    }, ms);
    work.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

export interface BackoffOptions {
  /** First delay in ms. */
  initial?: number;
  /** Cap in ms. */
  max?: number;
  /** Growth factor per failure. */
  factor?: number;
  /** Random spread, 0..1, so that many gateways do not reconnect in step. */
  jitter?: number;
}

/** Capped exponential back-off for reconnects: next() gives the delay to wait, reset() after a success. */
export class Backoff {
  private readonly initial: number;
  private readonly max: number;
  private readonly factor: number;
  private readonly jitter: number;
  private attempt = 0;

  constructor(options: BackoffOptions = {}) {
    this.initial = options.initial ?? 500;
    this.max = options.max ?? 30_000;
    this.factor = options.factor ?? 2;
    this.jitter = options.jitter ?? 0.2;
  }

  /** How many failures since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  next(): number {
    const base = Math.min(this.max, this.initial * this.factor ** this.attempt);
    this.attempt++;
    const spread = base * this.jitter * (Math.random() * 2 - 1);
    return Math.max(0, Math.round(Math.min(this.max, base + spread)));
  }

  reset(): void {
    this.attempt = 0;
  }
}
