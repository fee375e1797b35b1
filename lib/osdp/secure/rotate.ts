/**
 * Key rotation from a flow: KEYSET under Secure Channel, with the new key staged in a KeyStore
 * before it is sent and committed once the PD acknowledged, so a crash or a lost reply never loses
 * the key a reader may already use.
 */
import { FieldlinkError, InvalidArgumentError } from '../../common/errors';
import { KeyStore, generateScbk } from '../keystore';

export interface KeysetCp {
  sendCommand(pd: number | string, command: never): Promise<{ status: string; error?: Error }>;
  isSecure(pd: number | string): boolean;
}

export interface RotateKeyOptions {
  /** The new key (default: a random one). */
  key?: Buffer;
  /** Stage/commit the key here under `keyName`. */
  keystore?: KeyStore;
  keyName?: string;
}

/** Sends KEYSET with a new SCBK to a secured PD; resolves with the key once the PD acknowledged it. */
export async function rotateKey(cp: KeysetCp, pd: number | string, opts: RotateKeyOptions = {}): Promise<Buffer> {
  const key = opts.key ?? generateScbk();
  if (key.length !== 16) throw new InvalidArgumentError('an SCBK is 16 bytes', { device: pd, operation: 'keyset' });
  if (!cp.isSecure(pd)) throw new FieldlinkError(`PD ${pd} has no active Secure Channel: KEYSET is never sent in plain text`, 'ESECURE', { device: pd, operation: 'keyset' });
  const name = opts.keyName ?? String(pd);
  if (opts.keystore) await opts.keystore.stage(name, key);
  let res: { status: string; error?: Error };
  try {
    res = await cp.sendCommand(pd, { command: 'keyset', keyType: 1, key } as never);
  } catch (err) {
    if (opts.keystore) await opts.keystore.discard(name);
    throw err;
  }
  if (res.status !== 'ok') {
    if (opts.keystore) await opts.keystore.discard(name);
    throw res.error ?? new FieldlinkError(`KEYSET ${res.status}`, 'EFAILED', { device: pd, operation: 'keyset' });
  }
  if (opts.keystore) await opts.keystore.commit(name);
  return key;
}
