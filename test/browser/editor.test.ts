// The editor check in a real browser: Node-RED with the demo flow deployed, the editor
// in Debian's Chromium (playwright-core), every fieldlink node type in the palette, each node's
// edit dialog and help opened with no page error. Screenshots go to .artifacts/editor/.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const rt = require('../../scripts/lib/runtime');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { browserStatus } = require('../../scripts/lib/browser');

type Running = { url: string; stop(): Promise<unknown>; lines: string[] };
interface NodeSet { module: string; types: string[]; err?: string; enabled: boolean }

const pkg = JSON.parse(fs.readFileSync(path.join(rt.root, 'package.json'), 'utf8'));
const declaredSets = Object.keys(pkg['node-red'].nodes as Record<string, string>);
const shotDir = path.join(rt.root, '.artifacts', 'editor');

describe('editor in a real browser (Chromium)', function () {
  this.timeout(180_000);
  const browser = browserStatus();
  const running: Running[] = [];
  let red: Running;
  let sets: NodeSet[] = [];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let chromium: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let page: any;
  const pageErrors: string[] = [];

  before(async function () {
    if (!browser.ok) {
      console.log(`      (browser check skipped: ${browser.reason}; to enable: ${browser.howToEnable})`);
      this.skip();
    }
    // No simulators: the editor does not need them, and their fixed demo ports would clash with a
    // running `npm start`. The demo's config nodes just show that their devices are not there.
    const port = await rt.freePort();
    const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fieldlink-editor-'));
    rt.prepareUserDir({ userDir, host: '127.0.0.1', port, flowFile: path.join(rt.root, 'examples', 'flows', 'demo.json') });
    red = await rt.startNodeRed({ userDir, host: '127.0.0.1', port });
    running.push(red);
    sets = (await rt.getJson(`${red.url}nodes`)) as NodeSet[];
    fs.mkdirSync(shotDir, { recursive: true });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    chromium = await require('playwright-core').chromium.launch({ executablePath: browser.executablePath, args: browser.args });
    page = await chromium.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (err: Error) => pageErrors.push(err.stack ?? err.message));
    page.on('console', (m: { type(): string; text(): string }) => {
      // The editor catches exceptions thrown by a node's oneditprepare/oneditsave/... and only logs them.
      if (m.type() === 'error' || /^onedit\w+ /.test(m.text())) pageErrors.push(`console.${m.type()}: ${m.text()}`);
    });
    await page.goto(red.url);
    await page.waitForFunction(() => {
      const RED = (window as unknown as { RED?: { nodes?: { getType(t: string): unknown } } }).RED;
      return !!RED?.nodes?.getType?.('inject') && document.querySelectorAll('.red-ui-palette-node').length > 0;
    }, undefined, { timeout: 60_000 });
    await page.screenshot({ path: path.join(shotDir, 'workspace.png') });
  });

  after(async () => {
    await chromium?.close();
    for (const r of running.reverse()) await r.stop();
  });

  const fieldlinkTypes = (): string[] => sets.filter((s) => s.module === pkg.name).flatMap((s) => s.types);

  it('loads every node set of package.json with no error', () => {
    const mine = sets.filter((s) => s.module === pkg.name);
    assert.equal(mine.length, declaredSets.length, `node sets loaded: ${mine.map((s) => s.types.join(',')).join(' ')}`);
    for (const s of mine) {
      assert.equal(s.err, undefined, `${s.types.join(',')}: ${s.err}`);
      assert.equal(s.enabled, true);
    }
  });

  it('shows every fieldlink node type in the palette (config nodes in the editor registry)', async () => {
    for (const type of fieldlinkTypes()) {
      const def = await page.evaluate((t: string) => {
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const d = (window as any).RED.nodes.getType(t);
        return d ? { category: d.category, color: d.color } : null;
      }, type);
      assert.ok(def, `${type} is not registered in the editor`);
      if (def.category === 'config') continue;
      assert.equal(def.category, 'fieldlink', `${type} category`);
      const inPalette = await page.locator(`.red-ui-palette-node[data-palette-type="${type}"]`).count();
      assert.equal(inPalette, 1, `${type} is not in the palette`);
    }
  });

  it('opens each node’s edit dialog and help with no page error', async () => {
    for (const type of fieldlinkTypes()) {
      const before = pageErrors.length;
      const opened = await page.evaluate((t: string) => {
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const RED = (window as any).RED;
        const def = RED.nodes.getType(t);
        if (def.category === 'config') {
          RED.editor.editConfig('', t, '_ADD_');
          return 'config';
        }
        const id = `fl-check-${t}`;
        if (!RED.nodes.node(id)) RED.view.importNodes([{ id, type: t, x: 200, y: 200, z: RED.workspaces.active() }], { generateIds: false });
        RED.editor.edit(RED.nodes.node(id));
        return 'node';
      }, type);
      await page.waitForSelector('.red-ui-tray .red-ui-tray-body', { state: 'visible', timeout: 15_000 });
      await page.waitForTimeout(300); // let oneditprepare's async work (typedInputs, lookups) run
      await page.screenshot({ path: path.join(shotDir, `${type}-edit.png`) });
      const cancel = page.locator(opened === 'config' ? '#node-config-dialog-cancel' : '#node-dialog-cancel');
      await cancel.last().click();
      await page.waitForSelector('.red-ui-tray', { state: 'detached', timeout: 15_000 });
      // The help text as Node-RED keeps it for the type, and shown in the help sidebar.
      const help = await page.evaluate((t: string) => {
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const RED = (window as any).RED;
        RED.sidebar.help.show(t);
        const div = document.createElement('div');
        div.innerHTML = RED.nodes.getNodeHelp(t) ?? '';
        return div.innerText;
      }, type);
      assert.ok(help.trim().length > 40, `${type}: help text is missing or too short`);
      const firstLine = help.trim().split('\n')[0].slice(0, 30);
      await page.waitForFunction((text: string) => Array.from(document.querySelectorAll('.red-ui-help')).some((e) => (e as HTMLElement).innerText.includes(text)),
        firstLine, { timeout: 15_000 });
      await page.screenshot({ path: path.join(shotDir, `${type}-help.png`) });
      assert.deepEqual(pageErrors.slice(before), [], `${type}: errors in the page`);
    }
    assert.deepEqual(pageErrors, []);
  });
});
