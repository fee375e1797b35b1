/**
 * A directory-backed store of named Secure Channel keys, for users who manage reader keys outside
 * Node-RED credentials. One file per key, hex text, mode 0600 in a 0700 directory:
 *   `<name>.key`     the key in use
 *   `<name>.staged`  a new key written before KEYSET is sent, so a crash mid-rotation never loses it
 *   `<name>.prev`    the key replaced by the last commit (to recover a reader that missed the change)
 * Every write goes to a temporary file, is fsync'ed and renamed into place (atomic on POSIX).
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { InvalidArgumentError, NotFoundError, toFieldlinkError } from '../common/errors';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const KEY_HEX = /^[0-9a-fA-F]{32}$/;

/** A fresh random 16-byte Secure Channel Base Key. */
export function generateScbk(): Buffer {
  return randomBytes(16);
}

/** Parses a 32-hex-digit key (spaces and colons allowed); throws InvalidArgumentError otherwise. */
export function parseScbk(text: string): Buffer {
  const clean = text.trim().replace(/[\s:]/g, '');
  if (!KEY_HEX.test(clean)) throw new InvalidArgumentError('an SCBK is 16 bytes written as 32 hex digits');
  return Buffer.from(clean, 'hex');
}

function checkName(name: string): void {
  if (typeof name !== 'string' || !NAME.test(name) || name.includes('..')) {
    throw new InvalidArgumentError(`key name must be 1-64 characters of A-Z a-z 0-9 . _ - (got ${JSON.stringify(name)})`);
  }
}

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== 16) throw new InvalidArgumentError('an SCBK is 16 bytes');
}

export interface KeyStoreEntry {
  name: string;
  hasKey: boolean;
  hasStaged: boolean;
  hasPrevious: boolean;
}

export class KeyStore {
  readonly dir: string;
  private tmpCounter = 0;

  constructor(dir: string) {
    if (!dir) throw new InvalidArgumentError('KeyStore needs a directory');
    this.dir = path.resolve(dir);
  }

  private file(name: string, kind: 'key' | 'staged' | 'prev'): string {
    checkName(name);
    return path.join(this.dir, `${name}.${kind}`);
  }

  private async ensureDir(): Promise<void> {
    await fsp.mkdir(this.dir, { recursive: true, mode: 0o700 });
  }

  private async writeAtomic(file: string, key: Uint8Array): Promise<void> {
    await this.ensureDir();
    const tmp = `${file}.${process.pid}.${++this.tmpCounter}.tmp`;
    const fh = await fsp.open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(Buffer.from(key).toString('hex') + '\n');
      await fh.chmod(0o600); // in case the umask widened it
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await fsp.rename(tmp, file);
    } catch (err) {
      await fsp.rm(tmp, { force: true });
      throw err;
    }
    await this.syncDir();
  }

  private async syncDir(): Promise<void> {
    try {
      const d = await fsp.open(this.dir, 'r');
      try {
        await d.sync();
      } finally {
        await d.close();
      }
    } catch {
      // some file systems refuse fsync on a directory; the rename is still atomic
    }
  }

  private async readKey(file: string, name: string): Promise<Buffer | undefined> {
    let text: string;
    try {
      text = await fsp.readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw toFieldlinkError(err, { device: name, operation: 'keystore-read' });
    }
    try {
      return parseScbk(text);
    } catch {
      throw new InvalidArgumentError(`key file ${path.basename(file)} is corrupt`, { device: name, operation: 'keystore-read' });
    }
  }

  /** Generates a random key and stores it as the key in use for `name` (refuses to overwrite one). */
  async generate(name: string, opts: { overwrite?: boolean } = {}): Promise<Buffer> {
    const key = generateScbk();
    if (!opts.overwrite && (await this.load(name))) {
      throw new InvalidArgumentError(`a key named ${name} exists already`, { device: name, operation: 'keystore-generate' });
    }
    await this.writeAtomic(this.file(name, 'key'), key);
    return key;
  }

  /** Sets the key in use for `name` directly (keeps the old one as previous). */
  async set(name: string, key: Uint8Array): Promise<void> {
    checkKey(key);
    const current = await this.load(name);
    if (current) await this.writeAtomic(this.file(name, 'prev'), current);
    await this.writeAtomic(this.file(name, 'key'), key);
  }

  /** Writes a new key for `name` as staged (before KEYSET). A random one when `key` is omitted. */
  async stage(name: string, key: Uint8Array = generateScbk()): Promise<Buffer> {
    checkKey(key);
    await this.writeAtomic(this.file(name, 'staged'), key);
    return Buffer.from(key);
  }

  /** Makes the staged key the key in use (after the PD acknowledged KEYSET); the old one becomes previous. */
  async commit(name: string): Promise<Buffer> {
    const staged = await this.loadStaged(name);
    if (!staged) throw new NotFoundError(`no staged key for ${name}`, { device: name, operation: 'keystore-commit' });
    const current = await this.load(name);
    if (current) await this.writeAtomic(this.file(name, 'prev'), current);
    await fsp.rename(this.file(name, 'staged'), this.file(name, 'key'));
    await this.syncDir();
    return staged;
  }

  /** Drops a staged key (KEYSET refused or abandoned). */
  async discard(name: string): Promise<void> {
    await fsp.rm(this.file(name, 'staged'), { force: true });
  }

  /** The key in use for `name`, or undefined. */
  async load(name: string): Promise<Buffer | undefined> {
    return this.readKey(this.file(name, 'key'), name);
  }

  /** Synchronous load, for start-up code that cannot wait. */
  loadSync(name: string): Buffer | undefined {
    const file = this.file(name, 'key');
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw toFieldlinkError(err, { device: name, operation: 'keystore-read' });
    }
    return parseScbk(text);
  }

  /** The staged key for `name`, or undefined. */
  async loadStaged(name: string): Promise<Buffer | undefined> {
    return this.readKey(this.file(name, 'staged'), name);
  }

  /** The key replaced by the last commit, or undefined. */
  async loadPrevious(name: string): Promise<Buffer | undefined> {
    return this.readKey(this.file(name, 'prev'), name);
  }

  /** Loads the key in use, throwing NotFoundError when there is none. */
  async require(name: string): Promise<Buffer> {
    const key = await this.load(name);
    if (!key) throw new NotFoundError(`no key named ${name}`, { device: name, operation: 'keystore-read' });
    return key;
  }

  /** Every name with a key, staged key or previous key. */
  async list(): Promise<KeyStoreEntry[]> {
    let files: string[];
    try {
      files = await fsp.readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw toFieldlinkError(err, { operation: 'keystore-list' });
    }
    const map = new Map<string, KeyStoreEntry>();
    for (const f of files) {
      const m = /^(.+)\.(key|staged|prev)$/.exec(f);
      if (!m || !NAME.test(m[1])) continue;
      const e = map.get(m[1]) ?? { name: m[1], hasKey: false, hasStaged: false, hasPrevious: false };
      if (m[2] === 'key') e.hasKey = true;
      else if (m[2] === 'staged') e.hasStaged = true;
      else e.hasPrevious = true;
      map.set(m[1], e);
    }
    return [...map.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Removes every file of `name`. */
  async delete(name: string): Promise<void> {
    for (const kind of ['key', 'staged', 'prev'] as const) await fsp.rm(this.file(name, kind), { force: true });
  }
}
