// KeyStore: a directory of named keys in temporary directories; generate, stage, commit, load,
// previous key, file modes 0600 and atomic writes (no temporary file left behind), bad names.
import { strict as assert } from 'node:assert';
import { mkdtempSync, promises as fsp, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { KeyStore, generateScbk, parseScbk } from '../../../lib/osdp/keystore';

describe('osdp KeyStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'fieldlink-keys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('generates random 16-byte keys', () => {
    const a = generateScbk();
    const b = generateScbk();
    assert.equal(a.length, 16);
    assert.notDeepEqual(a, b);
  });

  it('parses hex keys and refuses anything else with a typed error', () => {
    assert.deepEqual(parseScbk('00112233 44556677:8899aabbccddeeff'), Buffer.from('00112233445566778899aabbccddeeff', 'hex'));
    assert.throws(() => parseScbk('0011'), { code: 'EINVAL' });
    assert.throws(() => parseScbk('zz112233445566778899aabbccddeeff'), { code: 'EINVAL' });
  });

  it('generates and loads a key, in a 0600 file inside a 0700 directory', async () => {
    const store = new KeyStore(path.join(dir, 'keys'));
    const key = await store.generate('reader-1');
    assert.deepEqual(await store.load('reader-1'), key);
    assert.deepEqual(store.loadSync('reader-1'), key);
    assert.equal(statSync(path.join(dir, 'keys', 'reader-1.key')).mode & 0o777, 0o600);
    assert.equal(statSync(path.join(dir, 'keys')).mode & 0o777, 0o700);
    await assert.rejects(store.generate('reader-1'), { code: 'EINVAL' });
    const again = await store.generate('reader-1', { overwrite: true });
    assert.notDeepEqual(again, key);
  });

  it('stages, commits (old key becomes previous) and discards', async () => {
    const store = new KeyStore(dir);
    const first = Buffer.alloc(16, 1);
    await store.set('pd-101', first);
    const next = await store.stage('pd-101');
    assert.deepEqual(await store.load('pd-101'), first, 'staging does not change the key in use');
    assert.deepEqual(await store.loadStaged('pd-101'), next);
    assert.deepEqual(await store.commit('pd-101'), next);
    assert.deepEqual(await store.load('pd-101'), next);
    assert.deepEqual(await store.loadPrevious('pd-101'), first);
    assert.equal(await store.loadStaged('pd-101'), undefined);
    await assert.rejects(store.commit('pd-101'), { code: 'ENOTFOUND' });
    await store.stage('pd-101', Buffer.alloc(16, 9));
    await store.discard('pd-101');
    assert.equal(await store.loadStaged('pd-101'), undefined);
    assert.deepEqual(await store.load('pd-101'), next);
  });

  it('lists entries, leaves no temporary files, and deletes', async () => {
    const store = new KeyStore(dir);
    await store.generate('a');
    await store.generate('b');
    await store.stage('b');
    await store.stage('c');
    assert.deepEqual(await store.list(), [
      { name: 'a', hasKey: true, hasStaged: false, hasPrevious: false },
      { name: 'b', hasKey: true, hasStaged: true, hasPrevious: false },
      { name: 'c', hasKey: false, hasStaged: true, hasPrevious: false },
    ]);
    assert.deepEqual((await fsp.readdir(dir)).filter((f) => f.endsWith('.tmp')), []);
    await store.delete('b');
    assert.deepEqual((await store.list()).map((e) => e.name), ['a', 'c']);
    assert.deepEqual(await new KeyStore(path.join(dir, 'missing')).list(), []);
  });

  it('refuses names that could escape the directory, and reports corrupt files', async () => {
    const store = new KeyStore(dir);
    for (const bad of ['../x', 'a/b', '', '.hidden', 'x'.repeat(65), 'a..b']) {
      await assert.rejects(store.load(bad), { code: 'EINVAL' }, bad);
    }
    writeFileSync(path.join(dir, 'broken.key'), 'not a key');
    await assert.rejects(store.load('broken'), { code: 'EINVAL' });
    assert.equal(await store.load('absent'), undefined);
    await assert.rejects(store.require('absent'), { code: 'ENOTFOUND' });
    await assert.rejects(store.set('x', Buffer.alloc(3)), { code: 'EINVAL' });
  });
});
