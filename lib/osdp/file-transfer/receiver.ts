/**
 * The PD side of a file transfer: takes FILETRANSFER fragments, writes them through hooks, answers
 * FTSTAT. Duplicate fragments (a CP retry) are acknowledged without writing twice; a gap, an
 * overflow or a change of size mid-way is answered `invalid` (-3); a file id the hooks refuse is
 * `unrecognised` (-2). When the hooks' close is asynchronous (flashing firmware) the PD answers
 * keep-alive (3) until it settles, then done (1) or rebooting (2).
 */
import { toFieldlinkError } from '../../common/errors';
import { decodeFileTransfer, encodeFtStat } from './codec';
import {
  FtControl,
  FtStatus,
  outcomeForStatus,
  percentOf,
  type FileTransferFragment,
  type FileTxOutcome,
  type FileTxProgress,
  type FileTxState,
  type FileTxStatus,
  type FtStat,
} from './types';

type MaybePromise<T> = T | Promise<T>;

/** What the PD does with the file (libosdp's open/write/close file ops). */
export interface ReceiverFileOps {
  /** A new file starts. Throw (or reject) to refuse it: the CP gets `unrecognised`. */
  open(fileId: number, size: number): MaybePromise<void>;
  /** Writes a fragment at `offset`. Throwing answers `invalid`. */
  write(offset: number, data: Buffer): MaybePromise<void>;
  /**
   * The transfer ended. On `ok`, return `'rebooting'` to answer FTSTAT 2 (the PD restarts) or
   * nothing for 1 (done). A promise keeps the CP sending keep-alives until it settles.
   */
  close(outcome: 'ok' | 'aborted' | 'invalid'): MaybePromise<void | 'rebooting' | 'done'>;
}

export interface FileReceiverOptions {
  ops: ReceiverFileOps;
  /** Tell the CP this maximum fragment size in the first FTSTAT (0 = keep what it uses). */
  rxSize?: number;
  /** Delay the CP should wait between fragments, ms. */
  delayMs?: number;
  /** FTSTAT control byte. Default: interleaved polls allowed. */
  control?: number;
  onProgress?: (p: FileTxProgress) => void;
  onDone?: (r: { fileId: number; outcome: FileTxOutcome; size: number; offset: number }) => void;
}

export class FileReceiver {
  private readonly ops: ReceiverFileOps;
  private readonly opts: FileReceiverOptions;
  private state: FileTxState = 'idle';
  private fileId = -1;
  private size = 0;
  private received = 0;
  private finalStatus: number = FtStatus.DONE;
  private closing?: Promise<void>;
  private outcome?: FileTxOutcome;
  private rxAnnounced = false;

  constructor(opts: FileReceiverOptions) {
    this.ops = opts.ops;
    this.opts = opts;
  }

  /** get_file_tx_status (PD side). */
  status(): FileTxStatus {
    const s: FileTxStatus = { fileId: this.fileId, size: this.size, offset: this.received, state: this.state };
    if (this.outcome) s.outcome = this.outcome;
    return s;
  }

  private stat(status: number): Buffer {
    const s: FtStat = {
      control: this.opts.control ?? FtControl.INTERLEAVE,
      delayMs: status === FtStatus.PROCEED || status === FtStatus.KEEP_ALIVE ? (this.opts.delayMs ?? 0) : 0,
      status,
      rxSize: 0,
    };
    if (!this.rxAnnounced && this.opts.rxSize && status >= 0) {
      s.rxSize = this.opts.rxSize;
      this.rxAnnounced = true;
    }
    return encodeFtStat(s);
  }

  /** Handles one FILETRANSFER payload; resolves with the FTSTAT payload to reply. */
  async onFileTransfer(payload: Buffer): Promise<Buffer> {
    let f: FileTransferFragment;
    try {
      f = decodeFileTransfer(payload);
    } catch {
      return this.stat(FtStatus.INVALID);
    }
    // Keep-alive (no data): report where we stand.
    if (f.data.length === 0) {
      if (this.state === 'finishing') return this.stat(FtStatus.KEEP_ALIVE);
      if (this.state === 'done' && f.fileId === this.fileId && this.outcome && this.outcome.startsWith('ok')) return this.stat(this.finalStatus);
      if (this.state === 'in-progress') return this.stat(FtStatus.PROCEED);
      return this.stat(FtStatus.INVALID);
    }
    const isNew = this.state !== 'in-progress' || f.fileId !== this.fileId || (f.offset === 0 && f.totalSize !== this.size);
    if (isNew) {
      if (this.state === 'in-progress') await this.end('aborted');
      if (f.offset !== 0) return this.stat(FtStatus.INVALID);
      if (this.state === 'finishing') return this.stat(FtStatus.KEEP_ALIVE);
      try {
        await this.ops.open(f.fileId, f.totalSize);
      } catch {
        this.outcome = 'unrecognised';
        this.state = 'done';
        this.fileId = f.fileId;
        return this.stat(FtStatus.UNRECOGNISED);
      }
      this.state = 'in-progress';
      this.fileId = f.fileId;
      this.size = f.totalSize;
      this.received = 0;
      this.outcome = undefined;
      this.rxAnnounced = false;
    }
    if (f.totalSize !== this.size) return this.stat(FtStatus.INVALID);
    const end = f.offset + f.data.length;
    if (end > this.size) return this.stat(FtStatus.INVALID);
    if (end <= this.received) return this.stat(FtStatus.PROCEED); // a retry of a fragment we have
    if (f.offset !== this.received) return this.stat(FtStatus.INVALID); // a gap or an overlap
    try {
      await this.ops.write(f.offset, f.data);
    } catch {
      await this.end('invalid');
      return this.stat(FtStatus.INVALID);
    }
    this.received = end;
    this.opts.onProgress?.({ fileId: this.fileId, offset: this.received, size: this.size, percent: percentOf(this.received, this.size) });
    if (this.received < this.size) return this.stat(FtStatus.PROCEED);
    return this.complete();
  }

  private complete(): Buffer {
    let r: ReturnType<ReceiverFileOps['close']>;
    try {
      r = this.ops.close('ok');
    } catch (err) {
      this.settle('invalid', toFieldlinkError(err));
      return this.stat(FtStatus.INVALID);
    }
    if (r && typeof (r as Promise<unknown>).then === 'function') {
      this.state = 'finishing';
      this.closing = (r as Promise<void | 'rebooting' | 'done'>).then(
        (v) => this.settle(v === 'rebooting' ? 'ok-rebooting' : 'ok'),
        (err) => this.settle('invalid', toFieldlinkError(err)),
      );
      return this.stat(FtStatus.KEEP_ALIVE);
    }
    this.settle(r === 'rebooting' ? 'ok-rebooting' : 'ok');
    return this.stat(this.finalStatus);
  }

  private settle(outcome: FileTxOutcome, _err?: Error): void {
    this.outcome = outcome;
    this.finalStatus = outcome === 'ok-rebooting' ? FtStatus.REBOOTING : outcome === 'ok' ? FtStatus.DONE : FtStatus.INVALID;
    this.state = 'done';
    this.closing = undefined;
    this.opts.onDone?.({ fileId: this.fileId, outcome, size: this.size, offset: this.received });
  }

  private async end(outcome: 'aborted' | 'invalid'): Promise<void> {
    try {
      await this.ops.close(outcome);
    } catch {
      // nothing more to do: the transfer is over either way
    }
    this.settle(outcome);
  }

  /** ABORT from the CP: ends a transfer in progress. */
  async onAbort(): Promise<void> {
    if (this.state === 'in-progress') await this.end('aborted');
  }

  /** Waits for an asynchronous close to settle (tests, shutdown). */
  async idle(): Promise<void> {
    await this.closing;
  }
}

export { outcomeForStatus };
