/**
 * The network node's table of known controllers, and how a node's `controller` value (a name from
 * the table, a serial number, or `{ id, address?, protocol? }`) becomes an engine controller address.
 */
import { InvalidArgumentError } from '../../../lib/common/errors';
import type { ControllerSpec } from '../../../lib/uhppote';

export interface KnownController {
  serial: number;
  name?: string;
  address?: string;
  protocol?: 'udp' | 'tcp';
}

/** Cleans the editor's table: drops rows without a usable serial, trims strings. */
export function knownControllers(raw: unknown): KnownController[] {
  if (!Array.isArray(raw)) return [];
  const out: KnownController[] = [];
  for (const row of raw) {
    if (row === null || typeof row !== 'object') continue;
    const r = row as Record<string, unknown>;
    const serial = Number(r.serial);
    if (!Number.isInteger(serial) || serial < 1 || serial > 0xffffffff) continue;
    const entry: KnownController = { serial };
    if (typeof r.name === 'string' && r.name.trim() !== '') entry.name = r.name.trim();
    if (typeof r.address === 'string' && r.address.trim() !== '') entry.address = r.address.trim();
    entry.protocol = r.protocol === 'tcp' && entry.address ? 'tcp' : 'udp';
    out.push(entry);
  }
  return out;
}

function specOf(c: KnownController): ControllerSpec {
  const spec: ControllerSpec = { id: c.serial };
  if (c.address) spec.address = c.address;
  if (c.protocol) spec.protocol = c.protocol;
  return spec;
}

function serialOf(value: unknown): number {
  const n = typeof value === 'string' ? Number(value.trim()) : Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 0xffffffff) {
    throw new InvalidArgumentError(`controller: expected a name, a serial number or { id, address, protocol }, got ${JSON.stringify(value)}`);
  }
  return n;
}

/**
 * Resolves a node's controller value against the table. A serial in the table gets its address
 * and protocol; a serial not in it is reached by broadcast; an unknown name is an error.
 */
export function resolveController(value: unknown, table: KnownController[]): ControllerSpec {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
    throw new InvalidArgumentError('controller is required: a name from the network, a serial number, or msg.payload.controller');
  }
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const id = serialOf(o.id ?? o.serial ?? o.controller);
    const known = table.find((c) => c.serial === id);
    const spec: ControllerSpec = known ? specOf(known) : { id };
    if (typeof o.address === 'string' && o.address.trim() !== '') {
      spec.address = o.address.trim();
      spec.protocol = 'udp';
    }
    if (o.protocol !== undefined) {
      if (o.protocol !== 'udp' && o.protocol !== 'tcp') throw new InvalidArgumentError(`controller ${id}: protocol must be "udp" or "tcp"`);
      spec.protocol = o.protocol;
    }
    if (spec.protocol === 'tcp' && !spec.address) throw new InvalidArgumentError(`controller ${id}: TCP needs an address`);
    return spec;
  }
  if (typeof value === 'number' || /^\s*\d+\s*$/.test(String(value))) {
    const id = serialOf(value);
    const known = table.find((c) => c.serial === id);
    return known ? specOf(known) : { id };
  }
  const name = String(value).trim().toLowerCase();
  const known = table.find((c) => c.name?.toLowerCase() === name);
  if (!known) {
    const names = table.filter((c) => c.name).map((c) => c.name);
    throw new InvalidArgumentError(
      `controller ${JSON.stringify(value)} is not in the network's table` + (names.length ? ` (known: ${names.join(', ')})` : ''),
    );
  }
  return specOf(known);
}

/** The serial numbers a filter text (`front door, 303986753`) names; unknown names are an error. */
export function serialsOf(filter: unknown, table: KnownController[]): Set<number> {
  const out = new Set<number>();
  const items = Array.isArray(filter) ? filter : typeof filter === 'string' ? filter.split(',') : filter === undefined || filter === null ? [] : [filter];
  for (const item of items) {
    if (typeof item === 'string' && item.trim() === '') continue;
    out.add(resolveController(item, table).id);
  }
  return out;
}
