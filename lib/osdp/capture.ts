/**
 * CapturePackets: writes the frames a ControlPanel or PeripheralDevice reports as 'packet' events
 * (flag CapturePackets) to a pcap file Wireshark opens (link type 162, see pcap.ts).
 */
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
