import { EventEmitter } from 'node:events';
import { AbortedError, TimeoutError } from '../common';
import type { SpecEvent } from './api';

/**
 * One subscriber's view of a watched property. `event` fires for each EVENT (the first is the
 * value at registration, except for `error` and `output/*`, which only report changes).
 * `close()` unwatches (the client UNREGISTERs when the last watcher of a property closes).
 */
export class SpecWatch extends EventEmitter {
  /** The latest event seen for the property (shared by all watchers of it), if any. */
  last: SpecEvent | undefined;
  private closed = false;

  constructor(
    readonly property: string,
    private readonly onClose: (w: SpecWatch) => void,
  ) {
    super();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** @internal called by the client for each EVENT. */
  deliver(ev: SpecEvent): void {
    this.last = ev;
    this.emit('event', ev);
  }

  /**
   * Resolves with the first event (the current one included, unless `fresh`) that satisfies
   * `predicate`. Rejects with TimeoutError after `timeout` ms (0 = never), AbortedError on the
   * signal or when the watch closes.
   */
  waitFor(predicate: (ev: SpecEvent) => boolean, options: { timeout?: number; signal?: AbortSignal; fresh?: boolean } = {}): Promise<SpecEvent> {
    if (!options.fresh && this.last && predicate(this.last)) return Promise.resolve(this.last);
    if (this.closed) return Promise.reject(new AbortedError(`watch of ${this.property} closed`, { operation: 'watch' }));
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const cleanup = (): void => {
        this.removeListener('event', onEvent);
        this.removeListener('closed', onClosed);
        options.signal?.removeEventListener('abort', onAbort);
        if (timer) clearTimeout(timer);
      };
      const onEvent = (ev: SpecEvent): void => {
        if (!predicate(ev)) return;
        cleanup();
        resolve(ev);
      };
      const onClosed = (): void => {
        cleanup();
        reject(new AbortedError(`watch of ${this.property} closed`, { operation: 'watch' }));
      };
      const onAbort = (): void => {
        cleanup();
        reject(new AbortedError(`waiting for ${this.property} aborted`, { operation: 'watch' }));
      };
      if (options.signal?.aborted) return onAbort();
      this.on('event', onEvent);
      this.once('closed', onClosed);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.timeout && options.timeout > 0) {
        timer = setTimeout(() => {
          cleanup();
          reject(new TimeoutError(`waiting for ${this.property} timed out after ${options.timeout} ms`, { operation: 'watch' }));
        }, options.timeout);
      }
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose(this);
    this.emit('closed');
    this.removeAllListeners('event');
  }
}
