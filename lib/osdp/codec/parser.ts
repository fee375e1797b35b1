/**
 * Streaming OSDP frame parser: takes bytes as they arrive (frames split across reads, several in
 * one read, marks and junk between them) and hands out whole frames. It skips 0xFF marks and any
 * byte before a SOM, and after a header or check that does not hold it drops only the SOM and
 * rescans from the next byte, so a 0x53 inside junk never swallows a real frame. A partial frame
 * that gets no more bytes for `staleMs` is treated the same way.
 */
import { DEFAULT_MAX_FRAME, FrameError, MARK, SOM, decodeFrame, minimumLength, peekHeader, type DecodedFrame } from './frame';

export type Direction = 'command' | 'reply' | 'any';

const EMPTY = Buffer.alloc(0);

export interface ParserOptions {
  /** Which frames to hand out: a CP wants replies, a PD commands. Others are counted and dropped. */
  accept?: Direction;
  /** Largest LEN accepted (default 1440). */
  maxFrame?: number;
  /** A partial frame older than this (ms) is abandoned and rescanned (default 250). */
  staleMs?: number;
  /** Clock, for the stale check (default Date.now). */
  now?: () => number;
  onFrame: (frame: DecodedFrame) => void;
  /** A frame with a readable header that failed its check or layout (a PD may NAK it). */
  onError?: (err: FrameError) => void;
}

export interface ParserStats {
  frames: number;
  /** Frames of the other direction (echo on a 2-wire bus, other CPs' traffic). */
  ignored: number;
  badFrames: number;
  /** Non-mark bytes skipped outside frames. */
  junkBytes: number;
}

export class FrameParser {
  private buf: Buffer = EMPTY;
  private lastPush = 0;
  private readonly accept: Direction;
  private readonly maxFrame: number;
  private readonly staleMs: number;
  private readonly now: () => number;
  readonly stats: ParserStats = { frames: 0, ignored: 0, badFrames: 0, junkBytes: 0 };

  constructor(private readonly options: ParserOptions) {
    this.accept = options.accept ?? 'any';
    this.maxFrame = options.maxFrame ?? DEFAULT_MAX_FRAME;
    this.staleMs = options.staleMs ?? 250;
    this.now = options.now ?? Date.now;
  }

  /** Bytes held while waiting for the rest of a frame. */
  get pending(): number {
    return this.buf.length;
  }

  /** LEN of the frame being received, when its header is in; for reply deadlines. */
  get pendingFrameLength(): number | undefined {
    return this.buf.length >= 5 && this.buf[0] === SOM ? peekHeader(this.buf)?.length : undefined;
  }

  /** Drops any partial frame. */
  reset(): void {
    this.buf = EMPTY;
  }

  /**
   * Gives up on the partial frame being received (it never completed: its SOM was junk, or the
   * sender stopped): frames hidden behind it are still handed out, then whatever is left is dropped.
   * Called on a stale push, and by a CP when a reply deadline passes.
   */
  abandonPartial(): void {
    let old = this.buf;
    while (old.length > 0) {
      this.stats.badFrames++;
      this.buf = old.subarray(1);
      this.scan();
      old = this.buf;
    }
    this.buf = EMPTY;
  }

  push(chunk: Uint8Array): void {
    const now = this.now();
    if (this.buf.length > 0 && now - this.lastPush > this.staleMs) this.abandonPartial();
    this.lastPush = now;
    // The channel hands over its own chunk: keep a view of it, copy only to join a partial frame.
    this.buf = this.buf.length === 0 ? (Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length)) : Buffer.concat([this.buf, chunk]);
    this.scan();
  }

  private scan(): void {
    let buf = this.buf;
    for (;;) {
      // Skip marks and junk up to the next SOM.
      let i = 0;
      while (i < buf.length && buf[i] !== SOM) {
        if (buf[i] !== MARK) this.stats.junkBytes++;
        i++;
      }
      if (i > 0) buf = buf.subarray(i);
      if (buf.length < 5) break;
      const length = buf[2] | (buf[3] << 8);
      const ctrl = buf[4];
      if (length < minimumLength((ctrl & 0x04) !== 0, (ctrl & 0x08) !== 0) || length > this.maxFrame) {
        this.stats.badFrames++;
        this.stats.junkBytes++;
        buf = buf.subarray(1);
        continue;
      }
      if (buf.length < length) break;
      const raw = Buffer.allocUnsafe(length);
      buf.copy(raw, 0, 0, length);
      let frame: DecodedFrame;
      try {
        frame = decodeFrame(raw);
      } catch (err) {
        this.stats.badFrames++;
        buf = buf.subarray(1);
        if (err instanceof FrameError && this.wants((raw[1] & 0x80) !== 0)) this.options.onError?.(err);
        continue;
      }
      buf = buf.subarray(length);
      if (!this.wants(frame.reply)) {
        this.stats.ignored++;
        continue;
      }
      this.stats.frames++;
      this.buf = buf;
      this.options.onFrame(frame);
      buf = this.buf;
    }
    this.buf = buf.length === 0 ? EMPTY : buf;
  }

  private wants(reply: boolean): boolean {
    return this.accept === 'any' || (this.accept === 'reply') === reply;
  }
}
