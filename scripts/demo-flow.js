#!/usr/bin/env node
// Assembles examples/flows/demo.json, the flow `npm start` deploys: an introduction tab, then every
// protocol's `examples/flows/<Protocol>/Demo with the simulator.json` in a fixed order.
// `node scripts/demo-flow.js` writes it; `--check` exits 1 when the committed file is stale.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const flowsDir = path.resolve(__dirname, '..', 'examples', 'flows');
const DEMO_FILE = 'Demo with the simulator.json';
const ORDER = ['UHPPOTE', 'OSDP', 'SPEC', 'BACnet', 'PnP'];

function intro(protocols) {
  const shown = protocols.length ? protocols.join(', ') : 'no protocol yet';
  return [
    { id: 'fl-demo-intro', type: 'tab', label: 'fieldlink', disabled: false, info: 'fieldlink demo: every protocol against its built-in simulator.' },
    {
      id: 'fl-demo-intro-comment', type: 'comment', z: 'fl-demo-intro', name: 'fieldlink demo',
      info: `This workspace is what \`npm start\` deploys: one tab per protocol, each talking to fieldlink's ` +
        `built-in simulator of the far side (started by \`fieldlink-sim\`), so no hardware is needed.\n\n` +
        `Protocols in this demo: ${shown}.\n\nEvery tab is also under Import > Examples > @fieldlink/node-red-fieldlink.`,
      x: 180, y: 60, wires: [],
    },
  ];
}

function assemble() {
  const protocols = ORDER.filter((p) => fs.existsSync(path.join(flowsDir, p, DEMO_FILE)));
  const nodes = intro(protocols);
  const ids = new Set(nodes.map((n) => n.id));
  for (const p of protocols) {
    const file = path.join(flowsDir, p, DEMO_FILE);
    const flow = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (!Array.isArray(flow)) throw new Error(`${file}: not a flow array`);
    for (const n of flow) {
      if (ids.has(n.id)) throw new Error(`${file}: node id ${n.id} is used twice in the demo`);
      ids.add(n.id);
      nodes.push(n);
    }
  }
  return { protocols, text: JSON.stringify(nodes, null, 2) + '\n' };
}

if (require.main === module) {
  const { protocols, text } = assemble();
  const target = path.join(flowsDir, 'demo.json');
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
    if (current !== text) {
      process.stderr.write('examples/flows/demo.json is stale: run `node scripts/demo-flow.js`\n');
      process.exit(1);
    }
  } else {
    fs.writeFileSync(target, text);
    process.stdout.write(`demo.json: ${protocols.join(', ') || 'introduction only'}\n`);
  }
}

module.exports = { assemble, ORDER, DEMO_FILE };
