#!/usr/bin/env node
// `npm test`: build (node tests load the compiled nodes, as Node-RED does), type-check everything
// including the tests, then mocha over test/. Extra arguments go to mocha
// (`npm test -- test/lib/uhppote` runs one folder).
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { browserStatus } = require('./lib/browser');

const root = path.resolve(__dirname, '..');

function step(title, cmd, args, env) {
  process.stdout.write(`\n== ${title}\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) {
    process.stdout.write(`\n${title} failed (exit ${r.status ?? r.signal})\n`);
    process.exit(r.status || 1);
  }
}

const node = process.execPath;
step('build', node, [path.join(root, 'scripts/build.js')]);
step('type-check', node, [require.resolve('typescript/bin/tsc', { paths: [root] }), '-p', 'test/tsconfig.json', '--noEmit']);

const browser = browserStatus();
if (!browser.ok) {
  process.stdout.write(`\nNOTE: the editor check in a real browser will NOT run: ${browser.reason}\n` +
    `      To enable it: ${browser.howToEnable}\n`);
}

// Without file arguments, every test; with them (`npm test -- test/lib/uhppote`), only those.
const extra = process.argv.slice(2);
const files = extra.filter((a) => !a.startsWith('-')).map((a) => (fs.existsSync(path.join(root, a)) && fs.statSync(path.join(root, a)).isDirectory() ? `${a.replace(/\/$/, '')}/**/*.test.ts` : a));
const flags = extra.filter((a) => a.startsWith('-'));
step('mocha', node, [require.resolve('mocha/bin/mocha.js', { paths: [root] }), ...flags, ...(files.length ? files : ['test/**/*.test.ts'])]);
