// `npm start` as a person runs it: the editor answers, the admin API lists fieldlink, the demo
// flow is deployed, and Ctrl-C stops Node-RED and the simulators.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const rt = require('../../scripts/lib/runtime');
const pkg = JSON.parse(fs.readFileSync(path.join(rt.root, 'package.json'), 'utf8'));

describe('npm start', function () {
  this.timeout(120_000);

  it('serves the editor with fieldlink loaded and the demo deployed, and stops on SIGINT', async () => {
    const port = await rt.freePort();
    const child = spawn(process.execPath, [path.join(rt.root, 'scripts', 'start.js'), '--quiet'], {
      cwd: rt.root,
      env: { ...process.env, FIELDLINK_PORT: String(port), FIELDLINK_HOST: '127.0.0.1', FIELDLINK_SKIP_BUILD: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    readline.createInterface({ input: child.stderr! }).on('line', (l) => output.push(l));
    const url = await new Promise<string>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`npm start exited (${code}):\n${output.join('\n')}`)));
      readline.createInterface({ input: child.stdout! }).on('line', (line) => {
        output.push(line);
        const m = /open (http:\/\/\S+) in a browser/.exec(line);
        if (m) resolve(m[1]);
      });
    });
    try {
      assert.equal(url, `http://127.0.0.1:${port}/`);
      const sets = (await rt.getJson(`${url}nodes`)) as { module: string; err?: string }[];
      const mine = sets.filter((s) => s.module === pkg.name);
      assert.equal(mine.length, Object.keys(pkg['node-red'].nodes).length, 'every fieldlink node set is loaded');
      for (const s of mine) assert.equal(s.err, undefined);
      const flows = (await rt.getJson(`${url}flows`)) as { flows: { id: string }[] };
      const demo = JSON.parse(fs.readFileSync(path.join(rt.root, 'examples', 'flows', 'demo.json'), 'utf8'));
      assert.deepEqual(flows.flows.map((n) => n.id).sort(), demo.map((n: { id: string }) => n.id).sort(), 'the demo flow is deployed');
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGINT');
      assert.equal(await exited, 0);
    }
    assert.ok(!output.some((l) => /\[error\]/.test(l)), `no errors logged:\n${output.filter((l) => /\[error\]/.test(l)).join('\n')}`);
  });
});
