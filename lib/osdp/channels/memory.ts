/** An in-memory channel pair: what one end writes the other receives on a later tick. For tests and benchmarks. */
import { EventEmitter } from 'node:events';
import { NotConnectedError } from '../../common/errors';
import type { Channel } from './channel';

export interface MemoryChannelOptions {
  /** Reported baud rate. */
  baudRate?: number;
  /** Deliver each write only after its line time at `baudRate` (10 bits a byte), serialised per direction: a simulated serial line for benchmarks. */
  simulateLine?: boolean;
}

export class MemoryChannel extends EventEmitter implements Channel {
  peer?: MemoryChannel;
  private opened = false;
  /** Fault injection: called with every chunk written by this end; return bytes to deliver (possibly changed) or null to drop. */
  intercept?: (bytes: Buffer) => Buffer | null;
  baudRate?: number;
  private readonly simulateLine: boolean;
  private lineFreeAt = 0;

  constructor(readonly name: string, options: MemoryChannelOptions = {}) {
    super();
    if (options.baudRate !== undefined) this.baudRate = options.baudRate;
    this.simulateLine = options.simulateLine === true && !!options.baudRate;
  }

  get isOpen(): boolean {
    return this.opened;
  }

  async open(): Promise<void> {
    this.opened = true;
    this.emit('open');
  }

  async close(): Promise<void> {
    this.opened = false;
  }

  /** Simulates the link dropping: the channel closes and emits 'close' with an error. */
  fail(error = new Error('link dropped')): void {
    if (!this.opened) return;
    this.opened = false;
    this.emit('close', error);
  }

  async write(data: Buffer): Promise<void> {
    if (!this.opened) throw new NotConnectedError(`${this.name} is closed`);
    let bytes: Buffer | null = Buffer.from(data);
    if (this.intercept) bytes = this.intercept(bytes);
    const peer = this.peer;
    if (!bytes || bytes.length === 0 || !peer) return;
    if (this.simulateLine && this.baudRate) {
      const now = performance.now();
      const end = Math.max(now, this.lineFreeAt) + (bytes.length * 10_000) / this.baudRate;
      this.lineFreeAt = end;
      // Timers only have 1 ms resolution: wait out short line times turn by turn instead.
      if (end - now > 5) setTimeout(deliverAt, end - now - 2, peer, bytes, end);
      else setImmediate(deliverAt, peer, bytes, end);
      return;
    }
    setImmediate(deliver, peer, bytes);
  }

  async setBaudRate(baudRate: number): Promise<void> {
    this.baudRate = baudRate;
  }
}

function deliver(peer: MemoryChannel, bytes: Buffer): void {
  if (peer.isOpen) peer.emit('data', bytes);
}

function deliverAt(peer: MemoryChannel, bytes: Buffer, at: number): void {
  if (performance.now() >= at) deliver(peer, bytes);
  else setImmediate(deliverAt, peer, bytes, at);
}

/** Two connected in-memory channels: `[cpSide, pdSide]`. */
export function createMemoryPair(options: MemoryChannelOptions = {}): [MemoryChannel, MemoryChannel] {
  const a = new MemoryChannel('memory:a', options);
  const b = new MemoryChannel('memory:b', options);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
