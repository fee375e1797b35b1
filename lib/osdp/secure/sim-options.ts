/**
 * What `fieldlink-sim osdp` needs for a secured PD: `--scbk HEX` (the PDs' key), `--install-mode`
 * (a PD that accepts SCBK-D and a KEYSET) and `--file-dir DIR` (received files are written there).
 */
import { InvalidArgumentError } from '../../common/errors';
import { parseScbk } from '../keystore';
import { directorySink } from '../file-transfer/fs-ops';
import { attachFileReceiver, type FileTransferPd } from '../file-transfer/engine';
import { ScFlagBit } from './adapter-types';
import { createPdSessionFactory } from './pd-session';

/** node:util parseArgs option definitions to merge into the sim's own. */
export const SECURE_SIM_ARGS = {
  scbk: { type: 'string' },
  'install-mode': { type: 'boolean' },
  'file-dir': { type: 'string' },
} as const;

export const SECURE_SIM_USAGE = [
  '  --scbk HEX         Secure Channel base key of the PDs (32 hex digits)',
  '  --install-mode     PDs accept SCBK-D and a KEYSET (provisioning); the key set is printed',
  '  --file-dir DIR     accept file transfers and write the files to DIR',
].join('\n');

export interface SecureSimArgs {
  scbk?: string;
  'install-mode'?: boolean;
  'file-dir'?: string;
}

/**
 * PeripheralDevice options for these arguments: `{ scbk?, flags, session }` (merge `flags` with the
 * PD's own). `log` reports key changes.
 */
export function secureSimPdOptions(args: SecureSimArgs, log: (line: string) => void = () => undefined): { scbk?: Buffer; flags: number; session?: ReturnType<typeof createPdSessionFactory> } {
  let scbk: Buffer | undefined;
  if (args.scbk !== undefined) {
    try {
      scbk = parseScbk(args.scbk);
    } catch {
      throw new InvalidArgumentError('--scbk needs 32 hex digits (16 bytes)');
    }
  }
  const flags = args['install-mode'] ? ScFlagBit.InstallMode : 0;
  if (!scbk && !flags) return { flags: 0 };
  const session = createPdSessionFactory({ onKeyChange: (key) => log(`KEYSET: new SCBK ${key.toString('hex')}`) });
  return { ...(scbk ? { scbk } : {}), flags, session };
}

/** With `--file-dir`, makes a PD accept file transfers into that directory. */
export function attachSimFileDir(pd: FileTransferPd, args: SecureSimArgs, log: (line: string) => void = () => undefined): void {
  const dir = args['file-dir'];
  if (!dir) return;
  attachFileReceiver(pd, directorySink(dir), {
    onDone: (r) => log(`file ${r.fileId}: ${r.outcome} (${r.offset}/${r.size} bytes) in ${dir}`),
  });
}
