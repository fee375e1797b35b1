#!/usr/bin/env node
// Compiles lib/ and nodes/ to dist/ with tsc, then copies what Node-RED loads beside each
// compiled node: its .html, and the icons/ and locales/ folders of its protocol.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');

function compile() {
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.json')], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function copyTree(from, to, keep) {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (entry.isDirectory()) copyTree(src, dst, keep);
    else if (keep(src)) {
      fs.mkdirSync(path.dirname(dst), { recursive: true });
      fs.copyFileSync(src, dst);
    }
  }
}

function copyNodeAssets() {
  const nodesDir = path.join(root, 'nodes');
  if (!fs.existsSync(nodesDir)) return;
  // .html files anywhere under nodes/, and everything inside icons/ and locales/ folders.
  copyTree(nodesDir, path.join(dist, 'nodes'), (file) => {
    const rel = path.relative(nodesDir, file).split(path.sep);
    return file.endsWith('.html') || rel.includes('icons') || rel.includes('locales');
  });
}

if (process.env.FIELDLINK_SKIP_BUILD === '1') process.exit(0);
fs.rmSync(dist, { recursive: true, force: true });
compile();
copyNodeAssets();
