import { AbortedError, FieldlinkError } from './errors';

/** Thrown by BoundedQueue.push when the queue is full: the caller learns at once instead of memory growing. */
export class QueueFullError extends FieldlinkError {
  constructor(capacity: number) {
    super(`queue full (${capacity} items)`, 'EQUEUEFULL');
  }
}

/**
 * A FIFO with a fixed capacity and an async `shift()` that waits for the next item.
 * Used for per-device command queues and event buffers on small gateways.
 */
export class BoundedQueue<T> {
  private readonly items: T[] = [];
  private readonly waiters: Array<{ resolve: (v: T) => void; reject: (e: Error) => void }> = [];
  private closed = false;

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError('capacity must be at least 1');
  }

  get length(): number {
    return this.items.length;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Adds an item; throws QueueFullError when full, AbortedError when closed. */
  push(item: T): void {
    if (this.closed) throw new AbortedError('queue closed');
    const waiter = this.waiters.shift();
    if (waiter) return waiter.resolve(item);
    if (this.items.length >= this.capacity) throw new QueueFullError(this.capacity);
    this.items.push(item);
  }

  /** Adds an item, dropping the oldest when full; returns the dropped item, if any. */
  pushDropOldest(item: T): T | undefined {
    if (this.closed) throw new AbortedError('queue closed');
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter.resolve(item);
      return undefined;
    }
    const dropped = this.items.length >= this.capacity ? this.items.shift() : undefined;
    this.items.push(item);
    return dropped;
  }

  /** The next item without waiting, or undefined. */
  tryShift(): T | undefined {
    return this.items.shift();
  }

  /** The next item, waiting for one; rejects with AbortedError once the queue is closed and empty. */
  shift(): Promise<T> {
    if (this.items.length > 0) return Promise.resolve(this.items.shift() as T);
    if (this.closed) return Promise.reject(new AbortedError('queue closed'));
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Removes and returns every queued item. */
  drain(): T[] {
    return this.items.splice(0, this.items.length);
  }

  /** Refuses new items and wakes every waiter with AbortedError; queued items stay for drain(). */
  close(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.reject(new AbortedError('queue closed'));
  }
}
