/** Parsing of controller addresses and 'ip[:port]' strings. */
import { InvalidArgumentError } from '../common/errors';
import type { ControllerAddress } from './types';

export const DEFAULT_PORT = 60000;

export interface Endpoint {
  host: string;
  port: number;
}

export interface ResolvedController {
  id: number;
  /** Directed address, or undefined for broadcast. */
  endpoint?: Endpoint;
  protocol: 'udp' | 'tcp';
}

/** Parses 'ip', 'ip:port', '[v6]:port'; throws InvalidArgumentError. */
export function parseEndpoint(text: string, defaultPort = DEFAULT_PORT, what = 'address'): Endpoint {
  if (typeof text !== 'string' || text.trim() === '') throw new InvalidArgumentError(`${what}: expected 'ip[:port]', got ${JSON.stringify(text)}`);
  const s = text.trim();
  let host = s;
  let port: number | undefined;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (v6) {
    host = v6[1];
    port = v6[2] === undefined ? undefined : Number(v6[2]);
  } else {
    const m = /^([^:]+):(\d+)$/.exec(s);
    if (m) {
      host = m[1];
      port = Number(m[2]);
    } else if (s.includes(':') && !/^[0-9a-f:]+$/i.test(s)) {
      throw new InvalidArgumentError(`${what}: expected 'ip[:port]', got ${JSON.stringify(text)}`);
    }
  }
  port ??= defaultPort;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError(`${what}: bad port in ${JSON.stringify(text)}`);
  return { host, port };
}

/** Validates a controller address; throws InvalidArgumentError. */
export function resolveController(controller: ControllerAddress): ResolvedController {
  const id = typeof controller === 'object' && controller !== null ? controller.id : controller;
  const n = typeof id === 'string' ? Number(id) : id;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw new InvalidArgumentError(`controller: expected a serial number, got ${JSON.stringify(controller)}`);
  }
  if (typeof controller !== 'object' || controller === null) return { id: n, protocol: 'udp' };
  const protocol = controller.protocol ?? 'udp';
  if (protocol !== 'udp' && protocol !== 'tcp') throw new InvalidArgumentError(`controller ${n}: protocol must be 'udp' or 'tcp'`);
  const address = typeof controller.address === 'string' ? controller.address.trim() : '';
  if (address === '') {
    if (protocol === 'tcp') throw new InvalidArgumentError(`controller ${n}: TCP needs an address`);
    return { id: n, protocol };
  }
  return { id: n, endpoint: parseEndpoint(address, DEFAULT_PORT, `controller ${n} address`), protocol };
}
