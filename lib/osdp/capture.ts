/**
 * CapturePackets: writes the frames a ControlPanel or PeripheralDevice reports as 'packet' events
 * (flag CapturePackets) to a pcap file Wireshark opens (link type 162, see pcap.ts).
 */
import { join } from 'node:path';
import { PcapWriter, type PcapWriterOptions } from './pcap';

/** One captured frame as the engine reports it. */
export interface PacketEvent {
  direction: 'tx' | 'rx';
  /** SOM..check, no mark. */
  bytes: Buffer;
  /** Epoch milliseconds. */
  time: number;
  /** PD index (CP) or address (PD). */
  pd: number;
}

export interface PacketSource {
  on(event: 'packet', listener: (p: PacketEvent) => void): unknown;
  off(event: 'packet', listener: (p: PacketEvent) => void): unknown;
}

export interface CaptureOptions extends Omit<PcapWriterOptions, 'nowUs'> {
  /** Only this PD (index on a CP, address on a PD). */
  pd?: number;
}

export interface Capture {
  readonly writer: PcapWriter;
  /** Frames written. */
  readonly count: number;
  /** Stops listening and closes the file. */
  stop(): Promise<void>;
}

/** Starts writing `source`'s packets to `file`. Remember to set the CapturePackets flag on the PD(s). */
export function capturePackets(source: PacketSource, file: string, opts: CaptureOptions = {}): Capture {
  const { pd, ...writerOpts } = opts;
  const writer = new PcapWriter(file, writerOpts);
  let last = 0n;
  const listener = (p: PacketEvent): void => {
    if (pd !== undefined && p.pd !== pd) return;
    // ms time stamps: keep records strictly ordered within a millisecond
    let us = BigInt(Math.floor(p.time)) * 1000n;
    if (us <= last) us = last + 1n;
    last = us;
    writer.write(p.bytes, p.direction, us);
  };
  source.on('packet', listener);
  return {
    writer,
    get count() {
      return writer.count;
    },
    stop: async () => {
      source.off('packet', listener);
      await writer.close();
    },
  };
}

export interface DirectoryCaptureOptions extends Omit<CaptureOptions, 'pd' | 'interfaceName'> {
  /** File name prefix: `cp` gives `cp-pd-<n>.pcap` (n = PD index on a CP), `pd` gives `pd-<n>.pcap` (n = address). Default `cp`. */
  role?: 'cp' | 'pd';
}

export interface DirectoryCapture {
  /** The files opened so far. */
  readonly files: string[];
  stop(): Promise<void>;
}

/**
 * The CapturePackets flag as libosdp has it: every PD with the flag set gets its own pcap file in
 * `dir` (opened at its first frame), libosdp's names `cp-pd-<n>.pcap` / `pd-<n>.pcap`.
 */
export function capturePacketsToDirectory(source: PacketSource, dir: string, opts: DirectoryCaptureOptions = {}): DirectoryCapture {
  const { role = 'cp', ...writerOpts } = opts;
  const ext = writerOpts.format === 'pcapng' ? 'pcapng' : 'pcap';
  const writers = new Map<number, { writer: PcapWriter; last: bigint }>();
  const files: string[] = [];
  const listener = (p: PacketEvent): void => {
    let w = writers.get(p.pd);
    if (!w) {
      const file = join(dir, `${role === 'cp' ? 'cp-pd' : 'pd'}-${p.pd}.${ext}`);
      w = { writer: new PcapWriter(file, { ...writerOpts, interfaceName: `${role}-${p.pd}` }), last: 0n };
      writers.set(p.pd, w);
      files.push(file);
    }
    let us = BigInt(Math.floor(p.time)) * 1000n;
    if (us <= w.last) us = w.last + 1n;
    w.last = us;
    w.writer.write(p.bytes, p.direction, us);
  };
  source.on('packet', listener);
  return {
    files,
    stop: async () => {
      source.off('packet', listener);
      await Promise.allSettled([...writers.values()].map((w) => w.writer.close()));
    },
  };
}
