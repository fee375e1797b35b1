/** Byte layouts of FILETRANSFER and FTSTAT (little-endian). */
import { InvalidArgumentError, ProtocolError } from '../../common/errors';
import { FILETRANSFER_HEADER, FTSTAT_LENGTH, type FileTransferFragment, type FtStat } from './types';

export function encodeFileTransfer(f: FileTransferFragment): Buffer {
  if (!Number.isInteger(f.fileId) || f.fileId < 0 || f.fileId > 0xff) throw new InvalidArgumentError('file id must be 0..255');
  if (!Number.isInteger(f.totalSize) || f.totalSize < 0 || f.totalSize > 0xffffffff) throw new InvalidArgumentError('file size must fit 32 bits');
  if (!Number.isInteger(f.offset) || f.offset < 0 || f.offset > 0xffffffff) throw new InvalidArgumentError('offset must fit 32 bits');
  if (f.data.length > 0xffff) throw new InvalidArgumentError('fragment longer than 65535 bytes');
  const out = Buffer.allocUnsafe(FILETRANSFER_HEADER + f.data.length);
  out[0] = f.fileId;
  out.writeUInt32LE(f.totalSize, 1);
  out.writeUInt32LE(f.offset, 5);
  out.writeUInt16LE(f.data.length, 9);
  out.set(f.data, FILETRANSFER_HEADER);
  return out;
}

export function decodeFileTransfer(data: Uint8Array): FileTransferFragment {
  if (data.length < FILETRANSFER_HEADER) throw new ProtocolError(`FILETRANSFER too short: ${data.length} bytes`);
  const b = Buffer.from(data.buffer, data.byteOffset, data.length);
  const len = b.readUInt16LE(9);
  if (FILETRANSFER_HEADER + len !== b.length) {
    throw new ProtocolError(`FILETRANSFER fragment length ${len} does not match the ${b.length - FILETRANSFER_HEADER} bytes sent`);
  }
  return { fileId: b[0], totalSize: b.readUInt32LE(1), offset: b.readUInt32LE(5), data: Buffer.from(b.subarray(FILETRANSFER_HEADER)) };
}

export function encodeFtStat(s: FtStat): Buffer {
  const out = Buffer.alloc(FTSTAT_LENGTH);
  out[0] = s.control & 0xff;
  out.writeUInt16LE(Math.max(0, Math.min(0xffff, s.delayMs | 0)), 1);
  out.writeInt16LE(s.status, 3);
  out.writeUInt16LE(Math.max(0, Math.min(0xffff, s.rxSize | 0)), 5);
  return out;
}

export function decodeFtStat(data: Uint8Array): FtStat {
  if (data.length < FTSTAT_LENGTH) throw new ProtocolError(`FTSTAT too short: ${data.length} bytes`);
  const b = Buffer.from(data.buffer, data.byteOffset, data.length);
  return { control: b[0], delayMs: b.readUInt16LE(1), status: b.readInt16LE(3), rxSize: b.readUInt16LE(5) };
}
