/**
 * The PDs an osdp-bus is configured with: validated from the editor's rows and the credentials,
 * and looked up by address or name (msg.payload.pd may give either).
 */
import { InvalidArgumentError, NotFoundError } from '../../../lib/common';
import { parseKey } from './commands';

export interface PdConfig {
  address: number;
  /** Name used in topics: the editor's or `pd-<address>`. */
  name: string;
  enforceSecure: boolean;
  installMode: boolean;
  disabled: boolean;
  /** The Secure Channel key, from the bus credentials. */
  scbk: Buffer | undefined;
}

export interface PdRow {
  address?: unknown;
  name?: unknown;
  enforceSecure?: unknown;
  installMode?: unknown;
  disabled?: unknown;
}

export const MAX_ADDRESS = 126;

/** Validates the editor's PD rows; `keyFor(address)` gives the credential (hex) or undefined. */
export function parsePds(rows: unknown, keyFor: (address: number) => string | undefined): PdConfig[] {
  if (!Array.isArray(rows) || rows.length === 0) throw new InvalidArgumentError('the bus has no peripheral devices configured');
  const out: PdConfig[] = [];
  const names = new Set<string>();
  for (const row of rows as PdRow[]) {
    const address = Number(row?.address);
    if (!Number.isInteger(address) || address < 0 || address > MAX_ADDRESS) {
      throw new InvalidArgumentError(`PD address must be 0-${MAX_ADDRESS}, got ${JSON.stringify(row?.address)}`);
    }
    if (out.some((p) => p.address === address)) throw new InvalidArgumentError(`PD address ${address} is configured twice`);
    const name = typeof row.name === 'string' && row.name.trim() ? row.name.trim() : `pd-${address}`;
    if (names.has(name)) throw new InvalidArgumentError(`PD name ${name} is used twice`);
    names.add(name);
    const hex = keyFor(address);
    let scbk: Buffer | undefined;
    if (hex !== undefined && hex !== '') {
      try {
        scbk = parseKey(hex, `the Secure Channel key of PD ${address}`);
      } catch (err) {
        throw new InvalidArgumentError((err as Error).message, { device: address });
      }
    }
    out.push({ address, name, enforceSecure: row.enforceSecure === true, installMode: row.installMode === true, disabled: row.disabled === true, scbk });
  }
  return out;
}

/** Finds a PD by address (number or numeric string) or by name. */
export function findPd(pds: readonly PdConfig[], which: unknown): PdConfig {
  if (which === undefined || which === null || which === '') {
    if (pds.length === 1) return pds[0];
    throw new InvalidArgumentError('no reader chosen: set one in the editor or give msg.payload.pd (address or name)');
  }
  if (typeof which === 'number' || (typeof which === 'string' && /^\d+$/.test(which.trim()))) {
    const address = Number(which);
    const pd = pds.find((p) => p.address === address);
    if (pd) return pd;
    throw new NotFoundError(`no PD with address ${address} on this bus`, { device: address });
  }
  if (typeof which === 'string') {
    const pd = pds.find((p) => p.name === which.trim());
    if (pd) return pd;
    throw new NotFoundError(`no PD named ${JSON.stringify(which)} on this bus`, { device: which });
  }
  throw new InvalidArgumentError(`pd must be an address or a name, got ${typeof which}`);
}
