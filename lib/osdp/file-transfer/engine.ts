/**
 * File transfer over the OSDP engine: `startFileTransfer` drives a FileSender through a
 * ControlPanel's command queue (FILETRANSFER / ABORT as ordinary commands, so it runs under Secure
 * Channel when the PD is secured; the CP's idle polls are held while the PD's FTSTAT does not allow
 * them between fragments); `attachFileReceiver` answers FILETRANSFER
 * and ABORT on a PeripheralDevice through a command hook.
 */
import { InvalidArgumentError } from '../../common/errors';
import { decodeFileTransfer, encodeFileTransfer, encodeFtStat } from './codec';
import { FileReceiver, type FileReceiverOptions, type ReceiverFileOps } from './receiver';
import { FileSender, type FileTxResult, type SenderFileOps } from './sender';
import { bufferSource, pathSource } from './fs-ops';
import { FT_CODE, maxFragmentFor, type FileTxProgress, type FileTxStatus } from './types';

/** Receive buffer size assumed when the PD does not report capability 10. */
export const DEFAULT_RX_BUFFER = 128;
const CAP_RECEIVE_BUFFER = 10;

/** The ControlPanel methods a transfer uses. */
export interface FileTransferCp {
  /** Typed `never` so that the ControlPanel's own command union fits; commands built here are valid ones. */
  sendCommand(pd: number | string, command: never): Promise<{ status: string; reply?: { reply: string }; error?: Error }>;
  checkCapability(pd: number | string, fn: number): { compliance: number; numItems: number } | undefined;
  isSecure(pd: number | string): boolean;
  /** Holds the CP's idle polls to the PD while the PD does not allow them between fragments. */
  holdPolls?(pd: number | string, hold: boolean): void;
}

export interface StartFileTransferOptions {
  fileId: number;
  /** The file: a Buffer, a path, or file hooks. */
  source: Buffer | string | SenderFileOps;
  /** Largest fragment; default from the PD's receive buffer (capability 10) and whether SC is up. */
  maxFragment?: number;
  onProgress?: (p: FileTxProgress) => void;
  now?: () => number;
}

export interface FileTransferHandle {
  readonly fileId: number;
  /** Resolves with the outcome (never rejects). */
  readonly done: Promise<FileTxResult>;
  /** Cancels: ABORT goes to the PD, the outcome is `aborted`. */
  cancel(): void;
  /** get_file_tx_status */
  status(): FileTxStatus;
}

/** The PD's receive buffer size from capability 10 (compliance = LSB, numItems = MSB). */
export function receiveBufferSize(cp: FileTransferCp, pd: number | string): number {
  const c = cp.checkCapability(pd, CAP_RECEIVE_BUFFER);
  const size = c ? (c.compliance & 0xff) | ((c.numItems & 0xff) << 8) : 0;
  return size > 0 ? size : DEFAULT_RX_BUFFER;
}

/** Starts sending a file to a PD (online, ideally secured). */
export async function startFileTransfer(cp: FileTransferCp, pd: number | string, opts: StartFileTransferOptions): Promise<FileTransferHandle> {
  const ops = Buffer.isBuffer(opts.source) ? bufferSource(opts.source) : typeof opts.source === 'string' ? pathSource(opts.source) : opts.source;
  if (!ops || typeof ops.read !== 'function') throw new InvalidArgumentError('file source must be a Buffer, a path or file hooks');
  const maxFragment = opts.maxFragment ?? maxFragmentFor(receiveBufferSize(cp, pd), cp.isSecure(pd));
  const sender = new FileSender({ fileId: opts.fileId, ops, maxFragment, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}), ...(opts.now ? { now: opts.now } : {}) });
  await sender.start();
  const now = opts.now ?? Date.now;
  // FTSTAT control bit 0 clear: only FILETRANSFER goes to the PD until the transfer ends.
  const holdPolls = (hold: boolean): void => cp.holdPolls?.(pd, hold);
  const run = async (): Promise<FileTxResult> => {
    for (;;) {
      const a = await sender.next();
      holdPolls(a.kind !== 'done' && a.kind !== 'poll' && !sender.interleaveAllowed);
      if (a.kind === 'done') return a.result;
      if (a.kind === 'wait') {
        await new Promise((r) => setTimeout(r, Math.max(1, a.untilMs - now())));
        continue;
      }
      if (a.kind === 'poll') {
        // The CP polls this PD by itself between queued commands; let one poll interval pass.
        await new Promise((r) => setTimeout(r, 5));
        continue;
      }
      const command = a.code === FT_CODE.ABORT ? { command: 'abort' } : { command: 'filetransfer', ...decodeFileTransfer(a.data) };
      const res = await cp.sendCommand(pd, command as never);
      if (res.status === 'ok' && res.reply?.reply === 'ftstat') {
        const r = res.reply as unknown as { control: number; delay: number; status: number; rxSize: number };
        await sender.onReply(FT_CODE.FTSTAT, encodeFtStat({ control: r.control, delayMs: r.delay, status: r.status, rxSize: r.rxSize }));
      } else if (res.status === 'ok') {
        await sender.onReply(res.reply?.reply === 'ack' ? FT_CODE.ACK : undefined);
      } else if (res.status === 'aborted' || res.status === 'flushed' || (res.error as { code?: string } | undefined)?.code === 'ENOTCONN') {
        sender.fail(res.error?.message ?? res.status);
      } else {
        await sender.onReply((res.reply?.reply === 'nak' ? FT_CODE.NAK : undefined) as number | undefined);
      }
    }
  };
  const done = run()
    .catch((err: unknown) => {
      sender.fail((err as Error)?.message ?? String(err));
      return sender.done;
    })
    .finally(() => holdPolls(false));
  return { fileId: opts.fileId, done, cancel: () => sender.cancel(), status: () => sender.status() };
}

/** The PeripheralDevice methods a receiver uses (its command hooks may answer asynchronously). */
export interface FileTransferPd {
  // `any`: the engine's hook type is stricter (sync replies); async replies work at run time (see pd.ts processOne).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  addCommandHook(hook: (command: any, pd?: any) => any): void;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  removeCommandHook(hook: (command: any, pd?: any) => any): void;
}

/**
 * Makes a PeripheralDevice answer FILETRANSFER and ABORT with `receiver` (or file hooks). Returns a
 * function that detaches it.
 */
export function attachFileReceiver(pd: FileTransferPd, receiver: FileReceiver | ReceiverFileOps, options: Omit<FileReceiverOptions, 'ops'> = {}): { receiver: FileReceiver; detach: () => void } {
  const r = receiver instanceof FileReceiver ? receiver : new FileReceiver({ ...options, ops: receiver });
  const hook = (cmd: { command: string }): unknown => {
    if (cmd.command === 'filetransfer') {
      const c = cmd as unknown as { fileId: number; totalSize: number; offset: number; data: Buffer };
      const payload = encodeFileTransfer({ fileId: c.fileId, totalSize: c.totalSize, offset: c.offset, data: c.data });
      return r.onFileTransfer(payload).then((stat) => ({
        reply: 'ftstat',
        control: stat[0],
        delay: stat.readUInt16LE(1),
        status: stat.readInt16LE(3),
        rxSize: stat.readUInt16LE(5),
      }));
    }
    if (cmd.command === 'abort') return r.onAbort().then(() => ({ reply: 'ack' }));
    return undefined;
  };
  pd.addCommandHook(hook);
  return { receiver: r, detach: () => pd.removeCommandHook(hook) };
}
