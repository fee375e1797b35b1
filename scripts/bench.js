#!/usr/bin/env node
// `npm run bench [name...]`: runs each bench/<name>.bench.ts in turn (in this process, through tsx)
// and prints one markdown table: operation, fieldlink, peer, ratio, known limit.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
require('tsx/cjs');

const benchDir = path.resolve(__dirname, '..', 'bench');

function fmt(n) {
  if (n === undefined || n === null || Number.isNaN(n)) return '–';
  if (n >= 100) return Math.round(n).toLocaleString('en-US');
  if (n >= 1) return n.toFixed(1);
  return n.toPrecision(2);
}

async function main() {
  const wanted = process.argv.slice(2);
  const files = fs.readdirSync(benchDir).filter((f) => f.endsWith('.bench.ts')).sort()
    .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.bench\.ts$/, '')));
  const rows = [];
  let failed = 0;
  for (const file of files) {
    process.stderr.write(`bench: ${file}...\n`);
    try {
      const mod = require(path.join(benchDir, file));
      rows.push(...(await mod.run()));
    } catch (err) {
      failed++;
      process.stderr.write(`bench: ${file} failed: ${err && err.stack ? err.stack : err}\n`);
      rows.push({ operation: `${file} FAILED: ${err && err.message}`, fieldlink: NaN, unit: '' });
    }
  }
  const out = ['| operation | fieldlink | peer | ratio | known limit | note |', '| --- | ---: | ---: | ---: | ---: | --- |'];
  for (const r of rows) {
    const unit = r.unit ? ` ${r.unit}` : '';
    const peer = r.peer === undefined ? '–' : `${fmt(r.peer)}${unit}${r.peerName ? ` (${r.peerName})` : ''}`;
    const ratio = r.peer ? `${(r.fieldlink / r.peer).toFixed(2)}×` : '–';
    const limit = r.limit === undefined ? '–' : `${fmt(r.limit)}${unit}${r.limitName ? ` (${r.limitName})` : ''}`;
    out.push(`| ${r.operation} | ${fmt(r.fieldlink)}${unit} | ${peer} | ${ratio} | ${limit} | ${r.note ?? ''} |`);
  }
  process.stdout.write(out.join('\n') + '\n');
  process.exit(failed ? 1 : 0);
}

main();
