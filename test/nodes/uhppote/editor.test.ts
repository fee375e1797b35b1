/**
 * The UHPPOTE editors in a real browser (Debian's Chromium through playwright-core; skipped
 * without it): the network's Discover button against the simulator, and each action node's
 * operation select showing the fields that operation uses. Needs `npm run build` first.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UhppoteSimulator } from '../../../lib/uhppote';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const rt = require('../../../scripts/lib/runtime');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { browserStatus } = require('../../../scripts/lib/browser');

/* eslint-disable @typescript-eslint/no-explicit-any */
declare const RED: any;

/** Operation -> the inputs its form rows show (beyond network, operation, controller and name). */
const FIELDS: Record<string, Record<string, string[]>> = {
  'uhppote-controller': {
    'set-address': ['address', 'netmask', 'gateway'],
    'set-time': ['datetime'],
    'set-listener': ['listener', 'interval'],
    'set-pc-control': ['enabled'],
    'get-status': [],
  },
  'uhppote-door': {
    'open-door': ['door'],
    'set-door-control': ['door', 'mode', 'delay'],
    'set-interlock': ['interlock'],
    'activate-keypads': ['reader1', 'reader2', 'reader3', 'reader4'],
    'set-door-passcodes': ['door', 'passcodes'],
    'set-anti-passback': ['antipassback'],
    'set-first-card': ['door', 'startTime', 'endTime', 'activeMode', 'inactiveMode', 'weekdays'],
  },
  'uhppote-card': {
    'get-card': ['card'],
    'get-card-by-index': ['index'],
    'put-card': ['card', 'startDate', 'endDate', 'door1', 'door2', 'door3', 'door4', 'pin'],
    'delete-all-cards': [],
  },
  'uhppote-event': {
    'get-event': ['index'],
    'get-new-events': ['max'],
    'record-special-events': ['enabled'],
  },
  'uhppote-schedule': {
    'set-time-profile': ['profile', 'startDate', 'endDate', 'weekdays', 'segment1Start', 'segment1End', 'segment2Start', 'segment2End',
      'segment3Start', 'segment3End', 'linkedProfile'],
    'add-task': ['task', 'door', 'startTime', 'moreCards', 'startDate', 'endDate', 'weekdays'],
    'clear-task-list': [],
  },
};

describe('UHPPOTE editors in a real browser', function () {
  this.timeout(120_000);
  const browser = browserStatus();
  let sim: UhppoteSimulator;
  let simPort: number;
  let red: { url: string; stop(): Promise<unknown> } | undefined;
  let chromium: any;
  let page: any;
  const pageErrors: string[] = [];

  before(async function () {
    if (!browser.ok) {
      console.log(`      (browser check skipped: ${browser.reason}; to enable: ${browser.howToEnable})`);
      this.skip();
    }
    sim = new UhppoteSimulator({ port: 0, controllers: [405419896, 303986753] });
    ({ port: simPort } = await sim.start());
    const port = await rt.freePort();
    const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fieldlink-uhppote-editor-'));
    const flowFile = path.join(userDir, 'uhppote-editor-flow.json');
    fs.writeFileSync(flowFile, JSON.stringify([
      { id: 't1', type: 'tab', label: 'uhppote' },
      { id: 'net1', type: 'uhppote-network', name: 'site', bind: '127.0.0.1', broadcast: '127.0.0.1:9', listen: '127.0.0.1:0', timeout: 500, debug: false,
        controllers: [{ serial: 405419896, name: 'front door', protocol: 'udp' }] },
    ]));
    rt.prepareUserDir({ userDir, host: '127.0.0.1', port, flowFile });
    red = await rt.startNodeRed({ userDir, host: '127.0.0.1', port });
    chromium = await require('playwright-core').chromium.launch({ executablePath: browser.executablePath, args: browser.args });
    page = await chromium.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (err: Error) => pageErrors.push(err.stack ?? err.message));
    page.on('console', (m: { type(): string; text(): string }) => {
      if (m.type() === 'error' || /^onedit\w+ /.test(m.text())) pageErrors.push(`console.${m.type()}: ${m.text()}`);
    });
    await page.goto(red!.url);
    await page.waitForFunction(() => !!RED?.nodes?.getType?.('uhppote-events') && !!RED.nodes.node('net1')
      && !!document.querySelector("script[data-template-name='uhppote-events']"), undefined, { timeout: 60_000 });
  });

  after(async () => {
    await chromium?.close();
    await red?.stop();
    await sim?.close();
  });

  it('Discover fills the controller table from the dialog\'s (unsaved) broadcast address', async () => {
    await page.evaluate(() => RED.editor.editConfig('', 'uhppote-network', 'net1'));
    await page.waitForSelector('#node-config-uhppote-discover', { state: 'visible' });
    await page.fill('#node-config-input-broadcast', `127.0.0.1:${simPort}`);
    await page.click('#node-config-uhppote-discover');
    await page.waitForFunction(() => /found|failed/.test(document.querySelector('#node-config-uhppote-discover-result')!.textContent ?? ''));
    assert.equal(await page.textContent('#node-config-uhppote-discover-result'), '2 found, 1 added');
    await page.click('#node-config-dialog-ok');
    await page.waitForSelector('#node-config-uhppote-discover', { state: 'detached' });
    const stored = await page.evaluate(() => RED.nodes.node('net1').controllers);
    assert.deepEqual(stored, [{ serial: 405419896, name: 'front door', protocol: 'udp' }, { serial: 303986753, name: '', protocol: 'udp' }]);
    assert.equal(await page.evaluate(() => RED.nodes.node('net1').broadcast), `127.0.0.1:${simPort}`);
    assert.deepEqual(pageErrors, []);
  });

  for (const [type, ops] of Object.entries(FIELDS)) {
    it(`${type}: each operation shows its own fields`, async () => {
      await page.evaluate((t: string) => {
        const id = `check-${t}`;
        if (!RED.nodes.node(id)) {
          const def = RED.nodes.getType(t);
          const node: Record<string, unknown> = { id, type: t, x: 300, y: 200, z: 't1', wires: [[]] };
          for (const [k, v] of Object.entries(def.defaults as Record<string, { value: unknown }>)) node[k] = v.value;
          node.network = 'net1';
          RED.view.importNodes([node], { generateIds: false });
        }
        RED.editor.edit(RED.nodes.node(id));
      }, type);
      await page.waitForSelector('#node-input-operation', { state: 'visible' });
      for (const [op, fields] of Object.entries(ops)) {
        await page.selectOption('#node-input-operation', op);
        const shown = await page.evaluate(() => Array.from(document.querySelectorAll('.uhppote-row'))
          .filter((r) => (r as HTMLElement).offsetParent !== null)
          .flatMap((r) => Array.from(r.querySelectorAll('[id^="node-input-"]')).map((i) => i.id.replace('node-input-', '')))
          .filter((id) => id !== 'controller' && id !== 'controllerType' && !id.endsWith('Type')));
        assert.deepEqual([...new Set(shown)].sort(), [...fields].sort(), `${type} ${op}`);
      }
      await page.locator('#node-dialog-cancel').last().click();
      await page.waitForSelector('.red-ui-tray', { state: 'detached' });
      assert.deepEqual(pageErrors, []);
    });
  }
});
