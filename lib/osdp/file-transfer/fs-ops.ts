/** Ready-made file hooks: send a Buffer or a file path (CP); receive into a directory (PD). */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { InvalidArgumentError, NotFoundError, toFieldlinkError } from '../../common/errors';
import type { ReceiverFileOps } from './receiver';
import type { SenderFileOps } from './sender';

/** Sends the bytes of a Buffer. */
export function bufferSource(data: Buffer): SenderFileOps {
  if (!Buffer.isBuffer(data) || data.length === 0) throw new InvalidArgumentError('file data must be a non-empty Buffer');
  return {
    open: () => data.length,
    read: (offset, length) => data.subarray(offset, offset + length),
    close: () => undefined,
  };
}

/** Sends a file from disk (opened at start, read per fragment, closed at the end). */
export function pathSource(file: string): SenderFileOps {
  let fh: fsp.FileHandle | undefined;
  return {
    async open() {
      try {
        fh = await fsp.open(file, 'r');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`no such file: ${file}`, { operation: 'file-transfer' });
        throw toFieldlinkError(err, { operation: 'file-transfer' });
      }
      return (await fh.stat()).size;
    },
    async read(offset, length) {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await fh!.read(buf, 0, length, offset);
      return buf.subarray(0, bytesRead);
    },
    async close() {
      const h = fh;
      fh = undefined;
      await h?.close();
    },
  };
}

export interface DirectorySinkOptions {
  /** File name for a file id. Default `file-<id>.bin`. */
  name?: (fileId: number) => string;
  /** Largest file accepted, bytes (default 16 MiB). */
  maxSize?: number;
  /** Answer `rebooting` after a complete file (a reader that restarts after a firmware update). */
  rebootAfter?: boolean;
}

/**
 * Receives files into `dir`: written to `<name>.part`, renamed to `<name>` when complete, removed
 * when aborted.
 */
export function directorySink(dir: string, opts: DirectorySinkOptions = {}): ReceiverFileOps & { lastPath?: string } {
  const nameOf = opts.name ?? ((id: number) => `file-${id}.bin`);
  const maxSize = opts.maxSize ?? 16 * 1024 * 1024;
  let fh: fsp.FileHandle | undefined;
  let target = '';
  const sink: ReceiverFileOps & { lastPath?: string } = {
    async open(fileId, size) {
      if (size <= 0 || size > maxSize) throw new InvalidArgumentError(`file size ${size} refused`);
      const name = path.basename(nameOf(fileId));
      await fsp.mkdir(dir, { recursive: true });
      target = path.join(dir, name);
      if (fh) await fh.close().catch(() => undefined);
      fh = await fsp.open(`${target}.part`, 'w', 0o644);
    },
    async write(offset, data) {
      await fh!.write(data, 0, data.length, offset);
    },
    async close(outcome) {
      const h = fh;
      fh = undefined;
      await h?.close();
      if (outcome === 'ok') {
        await fsp.rename(`${target}.part`, target);
        sink.lastPath = target;
        return opts.rebootAfter ? 'rebooting' : 'done';
      }
      await fsp.rm(`${target}.part`, { force: true });
      return undefined;
    },
  };
  return sink;
}
