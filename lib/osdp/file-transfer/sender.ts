/**
 * The CP side of a file transfer: reads the file through hooks, cuts it into fragments no larger
 * than the PD takes, follows each FTSTAT (delay, polls, new fragment size, keep-alive while the PD
 * finishes) and ends with an outcome. Transport-free: the CP asks `next()` what to send for this PD
 * and hands every reply to `onReply()`.
 */
import { AbortedError, InvalidArgumentError, toFieldlinkError } from '../../common/errors';
import { decodeFtStat, encodeFileTransfer } from './codec';
import {
  FT_CODE,
  FtControl,
  FtStatus,
  outcomeForStatus,
  percentOf,
  type FileTxOutcome,
  type FileTxProgress,
  type FileTxState,
  type FileTxStatus,
  type FtStat,
} from './types';

type MaybePromise<T> = T | Promise<T>;

/** Where the CP reads the file from (libosdp's open/read/close file ops). */
export interface SenderFileOps {
  /** Opens file `fileId`; returns its size in bytes (> 0). */
  open(fileId: number): MaybePromise<number>;
  /** Reads up to `length` bytes at `offset`. */
  read(offset: number, length: number): MaybePromise<Buffer>;
  /** Closes the file; `ok` tells whether the transfer completed. */
  close(ok: boolean): MaybePromise<void>;
}

export interface FileSenderOptions {
  fileId: number;
  ops: SenderFileOps;
  /** Largest fragment to send (from the PD's receive buffer, see maxFragmentFor). */
  maxFragment: number;
  /** Errors (NAK, unexpected reply) in a row before giving up. Default 3. */
  maxErrors?: number;
  now?: () => number;
  onProgress?: (p: FileTxProgress) => void;
  onStatus?: (stat: FtStat) => void;
}

export interface FileTxResult {
  fileId: number;
  outcome: FileTxOutcome;
  size: number;
  offset: number;
  /** The last FTSTAT status code, if any. */
  status?: number;
  error?: Error;
}

/** What the CP should do next for this PD. */
export type SenderAction =
  | { kind: 'send'; code: number; data: Buffer }
  /** Send a POLL (the PD asked for polls: FTSTAT control bit 2). */
  | { kind: 'poll' }
  /** Nothing before `untilMs`; `interleave`: other commands for this PD may go meanwhile. */
  | { kind: 'wait'; untilMs: number; interleave: boolean }
  | { kind: 'done'; result: FileTxResult };

export class FileSender {
  readonly fileId: number;
  private readonly ops: SenderFileOps;
  private readonly maxErrors: number;
  private readonly now: () => number;
  private readonly onProgress?: (p: FileTxProgress) => void;
  private readonly onStatus?: (stat: FtStat) => void;
  private maxFragment: number;
  private size = 0;
  private offset = 0;
  private inflight = -1;
  private errors = 0;
  private waitUntil = 0;
  private control: number = FtControl.INTERLEAVE;
  private state: FileTxState = 'idle';
  private cancelRequested = false;
  private abortSent = false;
  private lastStatus?: number;
  private result?: FileTxResult;
  private resolveDone!: (r: FileTxResult) => void;
  /** Resolves once the transfer has an outcome. */
  readonly done: Promise<FileTxResult>;

  constructor(opts: FileSenderOptions) {
    if (!Number.isInteger(opts.fileId) || opts.fileId < 0 || opts.fileId > 255) throw new InvalidArgumentError('file id must be 0..255');
    if (!(opts.maxFragment >= 1)) throw new InvalidArgumentError('the PD receive buffer is too small for a file fragment');
    this.fileId = opts.fileId;
    this.ops = opts.ops;
    this.maxFragment = Math.min(opts.maxFragment, 0xffff);
    this.maxErrors = opts.maxErrors ?? 3;
    this.now = opts.now ?? Date.now;
    this.onProgress = opts.onProgress;
    this.onStatus = opts.onStatus;
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  /** Opens the file. Rejects (and ends the transfer as invalid) when it cannot be read. */
  async start(): Promise<void> {
    if (this.state !== 'idle') throw new InvalidArgumentError('file transfer already started');
    let size: number;
    try {
      size = await this.ops.open(this.fileId);
    } catch (err) {
      const e = toFieldlinkError(err, { operation: 'file-transfer' });
      this.finish('invalid', e, false);
      throw e;
    }
    if (!Number.isInteger(size) || size <= 0 || size > 0xffffffff) {
      const e = new InvalidArgumentError(`file ${this.fileId} has an unusable size (${size})`, { operation: 'file-transfer' });
      await this.safeClose(false);
      this.finish('invalid', e, false);
      throw e;
    }
    this.size = size;
    this.state = 'in-progress';
    this.emitProgress();
  }

  /** get_file_tx_status */
  status(): FileTxStatus {
    const s: FileTxStatus = { fileId: this.fileId, size: this.size, offset: this.offset, state: this.state };
    if (this.result) s.outcome = this.result.outcome;
    return s;
  }

  get finished(): boolean {
    return this.result !== undefined;
  }

  /** Whether other commands for this PD may go between fragments (FTSTAT control bit 0). */
  get interleaveAllowed(): boolean {
    return (this.control & FtControl.INTERLEAVE) !== 0;
  }

  /** Requests cancellation: the next command is ABORT and the outcome `aborted`. */
  cancel(): void {
    if (!this.result) this.cancelRequested = true;
  }

  /** The link or the PD is gone: ends the transfer as aborted without sending anything. */
  fail(reason: string): void {
    if (this.result) return;
    void this.safeClose(false);
    this.finish('aborted', new AbortedError(`file transfer stopped: ${reason}`, { operation: 'file-transfer' }), false);
  }

  /** The next action. Reads the next fragment through the hooks when one is due. */
  async next(): Promise<SenderAction> {
    if (this.result) return { kind: 'done', result: this.result };
    if (this.state === 'idle') throw new InvalidArgumentError('file transfer not started');
    if (this.cancelRequested || this.errors > this.maxErrors) {
      if (!this.abortSent) {
        this.abortSent = true;
        return { kind: 'send', code: FT_CODE.ABORT, data: Buffer.alloc(0) };
      }
    }
    if (this.now() < this.waitUntil) return { kind: 'wait', untilMs: this.waitUntil, interleave: this.interleaveAllowed };
    if (this.control & FtControl.POLL_RESPONSE) {
      // the PD wants a POLL; its reply goes through onPollReply and the flag is cleared by the next FTSTAT
      this.control &= ~FtControl.POLL_RESPONSE;
      return { kind: 'poll' };
    }
    if (this.state === 'finishing') {
      this.inflight = 0;
      return { kind: 'send', code: FT_CODE.FILETRANSFER, data: encodeFileTransfer({ fileId: this.fileId, totalSize: this.size, offset: this.offset, data: Buffer.alloc(0) }) };
    }
    const want = Math.min(this.maxFragment, this.size - this.offset);
    let chunk: Buffer;
    try {
      chunk = await this.ops.read(this.offset, want);
    } catch (err) {
      return this.abortWith('invalid', toFieldlinkError(err, { operation: 'file-transfer' }));
    }
    if (!Buffer.isBuffer(chunk) || chunk.length === 0 || chunk.length > want) {
      return this.abortWith('invalid', new InvalidArgumentError(`file read at ${this.offset} returned ${chunk?.length ?? 'nothing'} bytes`));
    }
    this.inflight = chunk.length;
    return { kind: 'send', code: FT_CODE.FILETRANSFER, data: encodeFileTransfer({ fileId: this.fileId, totalSize: this.size, offset: this.offset, data: chunk }) };
  }

  private async abortWith(outcome: FileTxOutcome, error: Error): Promise<SenderAction> {
    this.abortSent = true;
    await this.safeClose(false);
    this.finish(outcome, error, false);
    return { kind: 'send', code: FT_CODE.ABORT, data: Buffer.alloc(0) };
  }

  /**
   * Handles the PD's reply to the last command from `next()` (code and decoded data; `undefined`
   * code = no reply / failed after retries).
   */
  async onReply(code: number | undefined, data: Buffer = Buffer.alloc(0)): Promise<void> {
    if (this.result) return;
    if (this.abortSent) {
      await this.safeClose(false);
      this.finish('aborted', new AbortedError('file transfer cancelled', { operation: 'file-transfer' }), true);
      return;
    }
    if (code !== FT_CODE.FTSTAT) {
      this.errors++;
      this.inflight = -1;
      return;
    }
    let stat: FtStat;
    try {
      stat = decodeFtStat(data);
    } catch {
      this.errors++;
      return;
    }
    this.errors = 0;
    this.lastStatus = stat.status;
    this.onStatus?.(stat);
    this.control = stat.control;
    this.waitUntil = stat.delayMs > 0 ? this.now() + stat.delayMs : 0;
    if (stat.rxSize > 0) this.maxFragment = Math.min(stat.rxSize, 0xffff);
    if (stat.status < 0) {
      await this.safeClose(false);
      this.finish(outcomeForStatus(stat.status) ?? 'invalid', undefined, true);
      return;
    }
    if (this.inflight > 0) {
      this.offset += this.inflight;
      this.emitProgress();
    }
    this.inflight = -1;
    if (this.offset < this.size) return;
    if (stat.status === FtStatus.DONE || stat.status === FtStatus.REBOOTING) {
      await this.safeClose(true);
      this.finish(stat.status === FtStatus.DONE ? 'ok' : 'ok-rebooting', undefined, true);
      return;
    }
    // all data sent, the PD is still processing: keep-alive until a final status
    this.state = 'finishing';
  }

  /** A reply to a POLL sent because of FtControl.POLL_RESPONSE (nothing to do with it here). */
  onPollReply(): void {
    // the PD's poll replies are events for the CP; the transfer continues with the next fragment
  }

  private async safeClose(ok: boolean): Promise<void> {
    try {
      await this.ops.close(ok);
    } catch {
      // a failing close must not hide the outcome
    }
  }

  private emitProgress(): void {
    this.onProgress?.({ fileId: this.fileId, offset: this.offset, size: this.size, percent: percentOf(this.offset, this.size) });
  }

  private finish(outcome: FileTxOutcome, error: Error | undefined, _fromPd: boolean): void {
    if (this.result) return;
    this.state = 'done';
    this.result = { fileId: this.fileId, outcome, size: this.size, offset: this.offset, status: this.lastStatus };
    if (error) this.result.error = error;
    this.resolveDone(this.result);
  }
}
