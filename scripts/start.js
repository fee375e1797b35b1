#!/usr/bin/env node
// `npm start`: builds, starts every protocol simulator the demo talks to (through fieldlink-sim),
// then Node-RED 4 from the dev dependency with fieldlink linked in from this checkout and
// examples/flows/demo.json deployed. FIELDLINK_HOST / FIELDLINK_PORT override 127.0.0.1:1880.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const rt = require('./lib/runtime');

const host = process.env.FIELDLINK_HOST || '127.0.0.1';
const port = Number(process.env.FIELDLINK_PORT || 1880);
const userDir = path.join(rt.root, '.node-red');
const quiet = process.argv.includes('--quiet');

async function main() {
  const build = spawnSync(process.execPath, [path.join(__dirname, 'build.js')], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status || 1);

  const running = [];
  let stopping = false;
  const stopAll = async (code) => {
    if (stopping) return;
    stopping = true;
    await Promise.all(running.map((r) => r.stop().catch(() => undefined)));
    process.exit(code);
  };
  process.on('SIGINT', () => stopAll(0));
  process.on('SIGTERM', () => stopAll(0));

  const sims = rt.demoSimulators();
  const summaries = [];
  for (const sim of sims) {
    try {
      const s = await rt.startSim(sim.protocol, sim.args, { onLog: (l) => quiet || process.stderr.write(`${l}\n`) });
      running.push(s);
      summaries.push(`  ${sim.protocol.padEnd(8)} ${sim.summary}`);
    } catch (err) {
      process.stderr.write(`could not start the ${sim.protocol} simulator: ${err.message}\n`);
      return stopAll(1);
    }
  }

  rt.prepareUserDir({ userDir, host, port, flowFile: path.join(rt.root, 'examples', 'flows', 'demo.json') });
  let red;
  try {
    red = await rt.startNodeRed({ userDir, host, port, onLine: (l) => quiet || process.stdout.write(`[node-red] ${l}\n`) });
  } catch (err) {
    process.stderr.write(`Node-RED did not start: ${err.message}\n`);
    return stopAll(1);
  }
  running.push(red);
  red.child.once('exit', (code) => stopAll(code ?? 1));

  process.stdout.write([
    '',
    `fieldlink demo is running: open ${red.url} in a browser.`,
    sims.length ? 'The demo flow talks to these simulators (no hardware needed):' : 'No protocol simulator in this version yet: the demo flow holds an introduction tab.',
    ...summaries,
    'Import more flows from Menu > Import > Examples > @fieldlink/node-red-fieldlink. Ctrl-C stops everything.',
    '',
  ].join('\n') + '\n');
}

main().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`);
  process.exit(1);
});
