import { EventEmitter } from 'node:events';
import { AbortedError, BoundedQueue, TimeoutError } from '../common';
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

  /**
   * The events as an async stream: `for await (const ev of client.watch('var/x')) ...`. Up to
   * `capacity` events wait for a slow consumer (the oldest are dropped beyond that); the loop
   * ends when the watch closes (breaking out of the loop closes the watch).
   */
  stream(capacity = 1000): AsyncIterableIterator<SpecEvent> {
    const queue = new BoundedQueue<SpecEvent>(capacity);
    const onEvent = (ev: SpecEvent): void => {
      if (!queue.isClosed) queue.pushDropOldest(ev);
    };
    const onClosed = (): void => queue.close();
    this.on('event', onEvent);
    this.once('closed', onClosed);
    if (this.closed) queue.close();
    const finish = (): void => {
      this.off('event', onEvent);
      this.off('closed', onClosed);
      queue.close();
    };
    const it: AsyncIterableIterator<SpecEvent> = {
      next: async () => {
        const ready = queue.tryShift();
        if (ready) return { value: ready, done: false };
        try {
          return { value: await queue.shift(), done: false };
        } catch {
          finish();
          return { value: undefined, done: true };
        }
      },
      return: async () => {
        finish();
        this.close();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return it;
      },
    };
    return it;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<SpecEvent> {
    return this.stream();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose(this);
    this.emit('closed');
    this.removeAllListeners('event');
  }
}
