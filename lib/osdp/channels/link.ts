/**
 * Keeps a channel open: opens it, and when opening fails or the link drops, reopens it after a
 * capped exponential back-off (lib/common Backoff). Emits 'state' with { state, error?, retryIn? }.
 */
import { EventEmitter } from 'node:events';
import { Backoff, type BackoffOptions } from '../../common/deadline';
import { toFieldlinkError, type FieldlinkError } from '../../common/errors';
import type { Channel } from './channel';

export type LinkState = 'connecting' | 'open' | 'waiting' | 'closed';

export interface LinkStatus {
  state: LinkState;
  channel: string;
  error?: FieldlinkError;
  /** ms until the next attempt (state 'waiting'). */
  retryIn?: number;
}

export class ChannelLink extends EventEmitter {
  private readonly backoff: Backoff;
  private timer?: NodeJS.Timeout;
  private stopped = true;
  private current: LinkStatus;
  reopens = 0;

  constructor(readonly channel: Channel, backoff: BackoffOptions = {}) {
    super();
    this.backoff = new Backoff({ initial: 500, max: 30_000, ...backoff });
    this.current = { state: 'closed', channel: channel.name };
    this.onClose = this.onClose.bind(this);
  }

  get status(): LinkStatus {
    return this.current;
  }

  get isOpen(): boolean {
    return this.current.state === 'open';
  }

  /** Starts opening; resolves after the first attempt (open or waiting to retry). */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    this.channel.on('close', this.onClose);
    await this.attempt();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.channel.off('close', this.onClose);
    try {
      await this.channel.close();
    } finally {
      this.set({ state: 'closed', channel: this.channel.name });
    }
  }

  private set(status: LinkStatus): void {
    this.current = status;
    this.emit('state', status);
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    this.set({ state: 'connecting', channel: this.channel.name });
    try {
      await this.channel.open();
      if (this.stopped) {
        await this.channel.close();
        return;
      }
      this.backoff.reset();
      this.set({ state: 'open', channel: this.channel.name });
    } catch (err) {
      this.retry(toFieldlinkError(err, { device: this.channel.name, operation: 'open' }));
    }
  }

  private retry(error: FieldlinkError): void {
    if (this.stopped) return;
    const delay = this.backoff.next();
    this.set({ state: 'waiting', channel: this.channel.name, error, retryIn: delay });
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.reopens++;
      void this.attempt();
    }, delay);
  }

  private onClose(err?: Error): void {
    if (this.stopped) return;
    this.retry(toFieldlinkError(err ?? new Error('channel closed'), { device: this.channel.name, operation: 'read' }));
  }
}
