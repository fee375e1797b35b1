import { InvalidArgumentError } from '../../common/errors';
import type { Channel, ChannelOptions } from './channel';
import { SerialChannel } from './serial';
import { TcpClientChannel, TcpServerChannel } from './tcp';

export * from './channel';
export * from './memory';
export * from './tcp';
export * from './serial';
export * from './ports';
export * from './link';

/** A channel from plain options (what a config node stores). */
export function createChannel(options: ChannelOptions): Channel {
  switch (options?.type) {
    case 'serial':
      if (!options.path) throw new InvalidArgumentError('serial channel needs a port path');
      return new SerialChannel(options);
    case 'tcp':
      if (!options.host || !(options.port > 0 && options.port < 65536)) throw new InvalidArgumentError('tcp channel needs host and port 1..65535');
      return new TcpClientChannel(options);
    case 'tcp-server':
      if (!(options.port >= 0 && options.port < 65536)) throw new InvalidArgumentError('tcp-server channel needs a port 0..65535');
      return new TcpServerChannel(options);
    default:
      throw new InvalidArgumentError(`unknown channel type ${String((options as { type?: unknown })?.type)}`);
  }
}

/**
 * Parses `tcp://host:port`, `tcp-server://host:port` (or `listen://`), `serial:///dev/ttyUSB0?baud=9600&parity=even`,
 * or a bare device path, into channel options.
 */
export function parseChannelSpec(spec: string, baudRate?: number): ChannelOptions {
  const s = spec.trim();
  const m = /^(tcp|tcp-server|listen):\/\/\[?([^\]/]*?)\]?:(\d+)\/?$/.exec(s);
  if (m) {
    const port = Number(m[3]);
    if (m[1] === 'tcp') return { type: 'tcp', host: m[2] || '127.0.0.1', port, ...(baudRate ? { baudRate } : {}) };
    return { type: 'tcp-server', host: m[2] || '0.0.0.0', port, ...(baudRate ? { baudRate } : {}) };
  }
  const serial = /^serial:\/\/([^?]+)(?:\?(.*))?$/.exec(s);
  if (serial || s.startsWith('/') || /^COM\d+$/i.test(s)) {
    const p = serial ? serial[1] : s;
    const q = new URLSearchParams(serial?.[2] ?? '');
    const parity = (q.get('parity') ?? 'none') as 'none' | 'even' | 'odd';
    if (!['none', 'even', 'odd'].includes(parity)) throw new InvalidArgumentError(`bad parity ${parity}`);
    const baud = q.get('baud') ? Number(q.get('baud')) : baudRate;
    return { type: 'serial', path: p, parity, ...(baud ? { baudRate: baud } : {}) };
  }
  throw new InvalidArgumentError(`not a channel: ${spec} (use tcp://host:port, tcp-server://host:port or a serial device path)`);
}
