#!/usr/bin/env node
// `npm test`: build (node tests load the compiled nodes, as Node-RED does), type-check everything
// including the tests, then mocha over test/. Extra arguments go to mocha
// (`npm test -- test/lib/uhppote` runs one folder).
'use strict';
const { spawnSync } = require('node:child_process');
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

const extra = process.argv.slice(2);
step('mocha', node, [require.resolve('mocha/bin/mocha.js', { paths: [root] }), ...extra]);
