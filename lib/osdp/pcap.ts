/**
 * Packet capture of OSDP traffic for Wireshark: classic pcap (the default, what libosdp writes) or
 * pcapng, link type 162 (LINKTYPE_USER15, which libosdp and its Wireshark dissector use for OSDP).
 * Each record is one frame as on the wire (mark included when present), with its time stamp.
 * Direction: pcapng records carry it in the EPB flags (inbound/outbound as seen from this end);
 * in classic pcap it is implied by the frame itself (a reply's address has bit 7 set).
 * Writes go through one file stream in order; `close()` flushes and closes it.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { InvalidArgumentError, ProtocolError, toFieldlinkError } from '../common/errors';

export const OSDP_LINKTYPE = 162;
const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_IDB = 0x00000001;
const PCAPNG_EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** `tx`: this end sent the frame; `rx`: this end received it. */
export type PacketDirection = 'tx' | 'rx';

export interface CapturedPacket {
  /** Time stamp in microseconds since the Unix epoch. */
  timeUs: bigint;
  data: Buffer;
  /** Known for pcapng records; undefined in classic pcap. */
  direction?: PacketDirection;
  /** Length on the wire (may exceed data.length when truncated by the snap length). */
  originalLength: number;
}

export interface PcapWriterOptions {
  format?: 'pcap' | 'pcapng';
  /** Largest record stored, bytes. Default 65535. */
  snapLength?: number;
  /** Clock in microseconds since the epoch (tests inject one). */
  nowUs?: () => bigint;
  /** pcapng interface name, e.g. `/dev/ttyUSB0` or `cp-pd-101`. */
  interfaceName?: string;
}

function defaultNowUs(): bigint {
  return BigInt(Date.now()) * 1000n + (process.hrtime.bigint() / 1000n) % 1000n;
}

/** Builds the classic pcap global header. */
export function pcapHeader(snapLength = 65535, linkType = OSDP_LINKTYPE): Buffer {
  const h = Buffer.alloc(24);
  h.writeUInt32LE(PCAP_MAGIC_US, 0);
  h.writeUInt16LE(2, 4);
  h.writeUInt16LE(4, 6);
  h.writeInt32LE(0, 8); // thiszone
  h.writeUInt32LE(0, 12); // sigfigs
  h.writeUInt32LE(snapLength, 16);
  h.writeUInt32LE(linkType, 20);
  return h;
}

/** One classic pcap record. */
export function pcapRecord(data: Uint8Array, timeUs: bigint, snapLength = 65535): Buffer {
  const stored = Math.min(data.length, snapLength);
  const r = Buffer.alloc(16 + stored);
  r.writeUInt32LE(Number(timeUs / 1_000_000n), 0);
  r.writeUInt32LE(Number(timeUs % 1_000_000n), 4);
  r.writeUInt32LE(stored, 8);
  r.writeUInt32LE(data.length, 12);
  r.set(data.subarray(0, stored), 16);
  return r;
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

function option(code: number, value: Buffer): Buffer {
  const o = Buffer.alloc(4 + pad4(value.length));
  o.writeUInt16LE(code, 0);
  o.writeUInt16LE(value.length, 2);
  value.copy(o, 4);
  return o;
}

function block(type: number, body: Buffer): Buffer {
  const len = 12 + body.length;
  const b = Buffer.alloc(len);
  b.writeUInt32LE(type, 0);
  b.writeUInt32LE(len, 4);
  body.copy(b, 8);
  b.writeUInt32LE(len, len - 4);
  return b;
}

/** pcapng section header + interface description (µs time stamps). */
export function pcapngHeader(snapLength = 65535, linkType = OSDP_LINKTYPE, interfaceName?: string): Buffer {
  const shb = Buffer.alloc(16 + 4);
  shb.writeUInt32LE(BYTE_ORDER_MAGIC, 0);
  shb.writeUInt16LE(1, 4);
  shb.writeUInt16LE(0, 6);
  shb.writeBigInt64LE(-1n, 8); // section length unknown
  // opt_endofopt
  const idbOpts: Buffer[] = [];
  if (interfaceName) idbOpts.push(option(2, Buffer.from(interfaceName, 'utf8')));
  idbOpts.push(option(9, Buffer.from([6]))); // if_tsresol: 10^-6
  idbOpts.push(Buffer.alloc(4)); // opt_endofopt
  const idb = Buffer.alloc(8);
  idb.writeUInt16LE(linkType, 0);
  idb.writeUInt32LE(snapLength, 4);
  return Buffer.concat([block(PCAPNG_SHB, shb.subarray(0, 16)), block(PCAPNG_IDB, Buffer.concat([idb, ...idbOpts]))]);
}

/** One pcapng enhanced packet block, with the direction in epb_flags. */
export function pcapngRecord(data: Uint8Array, timeUs: bigint, direction: PacketDirection | undefined, snapLength = 65535): Buffer {
  const stored = Math.min(data.length, snapLength);
  const fixed = Buffer.alloc(20);
  fixed.writeUInt32LE(0, 0); // interface id
  fixed.writeUInt32LE(Number(timeUs >> 32n), 4);
  fixed.writeUInt32LE(Number(timeUs & 0xffffffffn), 8);
  fixed.writeUInt32LE(stored, 12);
  fixed.writeUInt32LE(data.length, 16);
  const payload = Buffer.alloc(pad4(stored));
  payload.set(data.subarray(0, stored));
  const opts: Buffer[] = [];
  if (direction) {
    const flags = Buffer.alloc(4);
    flags.writeUInt32LE(direction === 'rx' ? 1 : 2, 0);
    opts.push(option(2, flags), Buffer.alloc(4));
  }
  return block(PCAPNG_EPB, Buffer.concat([fixed, payload, ...opts]));
}

/** Writes captured frames to a file. */
export class PcapWriter {
  readonly path: string;
  readonly format: 'pcap' | 'pcapng';
  private readonly snap: number;
  private readonly nowUs: () => bigint;
  private stream?: WriteStream;
  private error?: Error;
  private closing?: Promise<void>;
  /** Records written so far. */
  count = 0;

  constructor(file: string, opts: PcapWriterOptions = {}) {
    if (!file) throw new InvalidArgumentError('PcapWriter needs a file path');
    this.path = file;
    this.format = opts.format ?? 'pcap';
    this.snap = opts.snapLength ?? 65535;
    this.nowUs = opts.nowUs ?? defaultNowUs;
    this.stream = createWriteStream(file, { flags: 'w', mode: 0o600 });
    this.stream.on('error', (err) => {
      this.error = err;
    });
    this.stream.write(this.format === 'pcap' ? pcapHeader(this.snap) : pcapngHeader(this.snap, OSDP_LINKTYPE, opts.interfaceName));
  }

  /** Whether writing failed (disk full, permissions); later writes are ignored. */
  get failed(): Error | undefined {
    return this.error;
  }

  /** Records one frame. Never throws for I/O (see `failed`); capture must not stop the bus. */
  write(frame: Uint8Array, direction?: PacketDirection, timeUs: bigint = this.nowUs()): void {
    if (!this.stream || this.error || this.closing) return;
    const rec = this.format === 'pcap' ? pcapRecord(frame, timeUs, this.snap) : pcapngRecord(frame, timeUs, direction, this.snap);
    this.stream.write(rec);
    this.count++;
  }

  /** Flushes and closes the file. Safe to call twice. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    const s = this.stream;
    this.stream = undefined;
    this.closing = new Promise<void>((resolve, reject) => {
      if (!s) return resolve();
      const done = (): void => (this.error ? reject(toFieldlinkError(this.error, { operation: 'pcap-write' })) : resolve());
      if (s.closed || s.destroyed) return done();
      s.once('close', done);
      s.end();
    });
    return this.closing;
  }
}

/** Reads a classic pcap or pcapng buffer (little-endian, as written here) back into packets. */
export function readCapture(buf: Buffer): { linkType: number; format: 'pcap' | 'pcapng'; packets: CapturedPacket[] } {
  if (buf.length < 24) throw new ProtocolError('capture too short');
  const magic = buf.readUInt32LE(0);
  const packets: CapturedPacket[] = [];
  if (magic === PCAP_MAGIC_US) {
    const linkType = buf.readUInt32LE(20);
    let o = 24;
    while (o + 16 <= buf.length) {
      const sec = BigInt(buf.readUInt32LE(o));
      const usec = BigInt(buf.readUInt32LE(o + 4));
      const incl = buf.readUInt32LE(o + 8);
      const orig = buf.readUInt32LE(o + 12);
      if (o + 16 + incl > buf.length) throw new ProtocolError('truncated pcap record');
      packets.push({ timeUs: sec * 1_000_000n + usec, data: Buffer.from(buf.subarray(o + 16, o + 16 + incl)), originalLength: orig });
      o += 16 + incl;
    }
    if (o !== buf.length) throw new ProtocolError('trailing bytes in pcap');
    return { linkType, format: 'pcap', packets };
  }
  if (magic === PCAPNG_SHB) {
    let o = 0;
    let linkType = -1;
    while (o + 12 <= buf.length) {
      const type = buf.readUInt32LE(o);
      const len = buf.readUInt32LE(o + 4);
      if (len < 12 || o + len > buf.length || buf.readUInt32LE(o + len - 4) !== len) throw new ProtocolError('bad pcapng block');
      if (type === PCAPNG_IDB) linkType = buf.readUInt16LE(o + 8);
      if (type === PCAPNG_EPB) {
        const hi = BigInt(buf.readUInt32LE(o + 12));
        const lo = BigInt(buf.readUInt32LE(o + 16));
        const incl = buf.readUInt32LE(o + 20);
        const orig = buf.readUInt32LE(o + 24);
        const data = Buffer.from(buf.subarray(o + 28, o + 28 + incl));
        let direction: PacketDirection | undefined;
        let p = o + 28 + pad4(incl);
        while (p + 4 <= o + len - 4) {
          const code = buf.readUInt16LE(p);
          const olen = buf.readUInt16LE(p + 2);
          if (code === 0) break;
          if (code === 2 && olen === 4) {
            const d = buf.readUInt32LE(p + 4) & 3;
            direction = d === 1 ? 'rx' : d === 2 ? 'tx' : undefined;
          }
          p += 4 + pad4(olen);
        }
        packets.push({ timeUs: (hi << 32n) | lo, data, direction, originalLength: orig });
      }
      o += len;
    }
    return { linkType, format: 'pcapng', packets };
  }
  throw new ProtocolError(`not a pcap file (magic 0x${magic.toString(16)})`);
}
