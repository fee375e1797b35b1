#!/usr/bin/env node
// `npm run validate`: the Node-RED Flow Library scorecard (node-red-dev validate) on this checkout,
// after the build (its node checks read each node's .html beside the compiled .js named in
// package.json). The catalogue request is answered with an empty catalogue (offline), so the
// "similar name" (P08) and "unique node names" (N01) checks pass vacuously here. Exits 1 when any
// check fails.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const out = path.join(root, '.artifacts', 'scorecard.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.rmSync(out, { force: true });

if (!process.argv.includes('--no-build')) {
  const b = spawnSync(process.execPath, [path.join(__dirname, 'build.js')], { stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status || 1);
}

const bin = require.resolve('node-red-dev/bin/run', { paths: [root] });
const r = spawnSync(process.execPath, ['--require', path.join(__dirname, 'lib', 'catalogue-stub.js'), bin, 'validate', '-p', root, '-o', out], {
  cwd: root,
  stdio: ['ignore', 'inherit', 'inherit'],
  timeout: 300000,
});
if (!fs.existsSync(out)) {
  console.error(`validate: no scorecard written (exit ${r.status ?? r.signal})`);
  process.exit(1);
}
const card = JSON.parse(fs.readFileSync(out, 'utf8'));
const failed = Object.entries(card).filter(([k, v]) => k !== 'package' && v && v.test === false);
const checks = Object.keys(card).filter((k) => k !== 'package').sort();
console.log(`\nscorecard: ${checks.length} checks (${checks.join(' ')}), ${failed.length} failed${failed.length ? ': ' + failed.map(([k]) => k).join(' ') : ''}`);
process.exit(failed.length ? 1 : 0);
