// `npm pack`, then the tarball installed into a fresh Node-RED user directory: the module
// registers with no load error, exactly as a user's ~/.node-red would see it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const rt = require('../../scripts/lib/runtime');
const pkg = JSON.parse(fs.readFileSync(path.join(rt.root, 'package.json'), 'utf8'));

describe('npm pack and install into a fresh Node-RED userDir', function () {
  this.timeout(300_000);
  let work: string;
  let red: { url: string; stop(): Promise<void> } | undefined;

  before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'fieldlink-pack-'));
  });
  after(async () => {
    await red?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('registers every node set with no load error', async () => {
    // dist/ is fresh (npm test builds first), so the pack's `prepare` skips the build.
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const packed = JSON.parse(execFileSync(npm, ['pack', '--json', '--pack-destination', work], {
      cwd: rt.root,
      encoding: 'utf8',
      env: { ...process.env, FIELDLINK_SKIP_BUILD: '1' },
      stdio: ['ignore', 'pipe', 'ignore'],
    }));
    const tarball = path.join(work, packed[0].filename);
    const files: string[] = packed[0].files.map((f: { path: string }) => f.path);
    assert.ok(files.some((f) => f.startsWith('dist/nodes/')) || Object.keys(pkg['node-red'].nodes).length === 0, 'the tarball holds the compiled nodes');
    assert.ok(files.some((f) => f.startsWith('examples/flows/')), 'the tarball holds the examples');
    // Editor scripts the node .html files load: without them no fieldlink node shows in the editor.
    const editorScripts = fs.existsSync(path.join(rt.root, 'resources')) ? fs.readdirSync(path.join(rt.root, 'resources')) : [];
    for (const f of editorScripts) assert.ok(files.includes(`resources/${f}`), `the tarball holds resources/${f}`);
    assert.ok(!files.some((f) => f.startsWith('test/') || f.startsWith('lib/') || f.endsWith('.ts') && !f.endsWith('.d.ts')), 'no sources or tests in the tarball');

    const userDir = path.join(work, 'userdir');
    fs.mkdirSync(userDir);
    fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true }));
    execFileSync(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: userDir, stdio: 'ignore' });
    const port = await rt.freePort();
    rt.prepareUserDir({ userDir, host: '127.0.0.1', port, link: false });
    const running = await rt.startNodeRed({ userDir, host: '127.0.0.1', port });
    red = running;
    const sets = (await rt.getJson(`${running.url}nodes`)) as { module: string; err?: string; types: string[] }[];
    const mine = sets.filter((s) => s.module === pkg.name);
    assert.equal(mine.length, Object.keys(pkg['node-red'].nodes).length);
    for (const s of mine) assert.equal(s.err, undefined, `${s.types.join(',')}: ${s.err}`);
  });
});
