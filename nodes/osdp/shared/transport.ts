/** The editor's transport fields (osdp-bus, osdp-pd) as engine channel options, validated. */
import { InvalidArgumentError } from '../../../lib/common';
import type { ChannelOptions } from '../../../lib/osdp';
import { toNumber } from '../../common/input';

export interface TransportDef {
  /** 'serial' | 'tcp' (client) | 'tcp-client' | 'tcp-server'. */
  transport?: string;
  serialPort?: string;
  baudRate?: unknown;
  host?: string;
  port?: unknown;
}

export function channelFromDef(def: TransportDef): ChannelOptions {
  const baudRate = toNumber(def.baudRate ?? 9600, 'baud rate', { min: 1200, max: 1_000_000, integer: true });
  const host = String(def.host ?? '').trim();
  switch (def.transport ?? 'serial') {
    case 'tcp':
    case 'tcp-client':
      if (!host) throw new InvalidArgumentError('no TCP host set');
      return { type: 'tcp', host, port: toNumber(def.port, 'port', { min: 1, max: 65535, integer: true }), baudRate };
    case 'tcp-server':
      return { type: 'tcp-server', host: host || '0.0.0.0', port: toNumber(def.port ?? 0, 'port', { min: 0, max: 65535, integer: true }), baudRate };
    case 'serial': {
      const path = String(def.serialPort ?? '').trim();
      if (!path) throw new InvalidArgumentError('no serial port set');
      return { type: 'serial', path, baudRate };
    }
    default:
      throw new InvalidArgumentError(`unknown transport ${JSON.stringify(def.transport)}`);
  }
}
