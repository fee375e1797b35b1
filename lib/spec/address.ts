import { InvalidArgumentError } from '../common';
import { SV_PORT_FIRST, SV_PORT_LAST } from './types';

export interface SpecAddress {
  host: string;
  ports: number[];
  specName?: string;
}

/**
 * Resolves the client's host/port/specName options into a host and the ports to try:
 * `host`, `host:6510`, `host:fourc`, `[::1]:fourc`; `port` a number or `[first, last]`.
 */
export function resolveAddress(host = '127.0.0.1', port?: number | [number, number], specName?: string): SpecAddress {
  let h = host.trim() || '127.0.0.1';
  let suffix: string | undefined;
  const bracket = /^\[([^\]]+)\](?::(.*))?$/.exec(h);
  if (bracket) {
    h = bracket[1];
    suffix = bracket[2];
  } else if (h.split(':').length === 2) {
    [h, suffix] = h.split(':');
  }
  let ports: number[] | undefined;
  let name = specName?.trim() || undefined;
  if (suffix !== undefined && suffix !== '') {
    if (/^\d+$/.test(suffix)) ports = [Number(suffix)];
    else name = name ?? suffix;
  }
  if (!ports) {
    const [first, last] = port === undefined ? [SV_PORT_FIRST, SV_PORT_LAST] : typeof port === 'number' ? [port, port] : port;
    if (!Number.isInteger(first) || !Number.isInteger(last) || first < 1 || last > 65535 || last < first || last - first > 1000) {
      throw new InvalidArgumentError(`bad SPEC port or range: ${JSON.stringify(port)}`, { operation: 'connect' });
    }
    ports = [];
    for (let p = first; p <= last; p++) ports.push(p);
  }
  for (const p of ports) {
    if (!Number.isInteger(p) || p < 1 || p > 65535) throw new InvalidArgumentError(`bad SPEC port: ${p}`, { operation: 'connect' });
  }
  return { host: h, ports, specName: name };
}
