/**
 * The OSDP example flows, loaded as shipped against the simulator (in-process, TCP on an ephemeral
 * port): only the bus is pointed at the simulator, debug nodes become test helpers, and inject nodes
 * fire when a test says so. The demo tab: a card swipe turns the LED green and pulses the relay.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ControlPanel, TcpServerChannel, decodeWiegand, type CpEventRecord } from '../../../lib/osdp';
import { DEMO_CARDS, startSimulator, type OsdpSimulator } from '../../../lib/osdp/simulator';
import { helper, nextMessage, nodes, until, userDirPerTest, type FlowNode, type Msg } from './harness';

const dir = path.resolve(__dirname, '..', '..', '..', 'examples', 'flows', 'OSDP');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const core = (p: string): unknown => require(path.join(path.dirname(require.resolve('@node-red/nodes/package.json')), 'core', p));
const coreNodes = ['common/20-inject.js', 'common/90-comment.js', 'common/25-catch.js', 'function/10-function.js', 'function/10-switch.js', 'function/80-template.js'].map(core);

/** The example as shipped, its bus aimed at 127.0.0.1:port, debug nodes replaced by helpers. */
function example(title: string, port: number, edit: (n: FlowNode) => FlowNode = (n) => n): FlowNode[] {
  const flow = JSON.parse(fs.readFileSync(path.join(dir, `${title}.json`), 'utf8')) as FlowNode[];
  const tab = flow.find((n) => n.type === 'tab')?.id ?? 'example-tab';
  const out: FlowNode[] = flow.some((n) => n.type === 'tab') ? [] : [{ id: tab, type: 'tab', label: title }];
  for (const n of flow) {
    if (n.type === 'osdp-bus') out.push(edit({ ...n, transport: 'tcp', host: '127.0.0.1', port, offlineBackoff: 0.2 }));
    else if (n.type === 'debug') out.push({ id: n.id, type: 'helper', z: tab, name: n.name });
    else if (n.type === 'inject') out.push({ ...n, z: tab, once: false, repeat: '', crontab: '' });
    else if (n.type === 'tab' || n.type === 'comment') out.push(n);
    else out.push(edit({ ...n, z: tab }));
  }
  return out;
}

/** The next message helper node `id` gets that satisfies `match`, within 15 s. */
function next(id: string, match: (m: Msg) => boolean = () => true): Promise<Msg> {
  return nextMessage(id, match, `a message at ${id}`, 15_000);
}

const all = [...coreNodes, ...nodes];
const online = (): boolean => (helper.getNode(busId).osdp as unknown as { cp: { pds: { online: boolean }[] } }).cp.pds.every((p) => p.online);
let busId = '';

describe('OSDP example flows against the simulator', function () {
  let sim: OsdpSimulator | undefined;
  const userDir = userDirPerTest('fieldlink-osdp-examples-');

  afterEach(async () => {
    await helper.unload();
    await sim?.close();
    sim = undefined;
    userDir.remove();
  });

  it('demo tab: the reader is provisioned (install mode); an allowed card -> LED green and relay pulse; a denied one -> red and beep', async () => {
    sim = await startSimulator({ tcp: { host: '127.0.0.1', port: 0 }, pds: [101], secure: { 'install-mode': true } });
    busId = 'os-bus';
    await helper.load(all, example('Demo with the simulator', sim.port!));
    const bus = helper.getNode('os-bus').osdp as unknown as { cp: { isSecure(p: string): boolean } };
    await until(() => online() && bus.cp.isSecure('sim-reader'), 'the simulated reader online and secure', 15_000);
    let results = Promise.all([next('os-results', (m) => (m.payload as Record<string, unknown>).operation === 'led'), next('os-results', (m) => (m.payload as Record<string, unknown>).operation === 'output')]);
    sim.swipe(101, DEMO_CARDS[0]);
    await results;
    let state = sim.state(101);
    assert.equal(state.leds['0:0']?.color, 'green');
    assert.equal(state.leds['0:0']?.temporary, true);
    assert.equal(state.outputs[0], 1, 'the door relay pulsed');
    assert.equal(state.buzzer, null);
    results = Promise.all([next('os-results', (m) => (m.payload as Record<string, unknown>).operation === 'led'), next('os-results', (m) => (m.payload as Record<string, unknown>).operation === 'buzzer')]);
    sim.swipe(101, DEMO_CARDS[1]);
    await results;
    state = sim.state(101);
    assert.equal(state.leds['0:0']?.onColor, 'red');
    assert.equal(state.leds['0:0']?.flashing, true);
    assert.equal(state.buzzer?.repeat, 2);
    // The inject nodes swipe through the simulator's manufacturer command.
    const card = next('os-log', (m) => m.topic === 'osdp/sim-reader/card');
    helper.getNode('os-swipeOk').receive({});
    const p = (await card).payload as Record<string, unknown>;
    assert.deepEqual([p.facility, p.card, p.format], [1, 1001, 'wiegand26']);
    const keys = next('os-statuslog', (m) => m.topic === 'osdp/sim-reader/keypad');
    helper.getNode('os-pin').receive({});
    assert.equal(((await keys).payload as Record<string, unknown>).keys, '1234#');
  });

  it('card read: the allowed card opens the door, an unknown one gets red and a beep', async () => {
    sim = await startSimulator({ tcp: { host: '127.0.0.1', port: 0 }, pds: [0, 1] });
    busId = 'ex1-bus';
    await helper.load(all, example('Card read turns the LED green and opens the door', sim.port!));
    await until(online, 'both readers online');
    let done = Promise.all([next('ex1-log', (m) => (m.payload as Record<string, unknown>).operation === 'output'), next('ex1-log', (m) => (m.payload as Record<string, unknown>).operation === 'led')]);
    sim.swipe(1, { facility: 18, card: 4660 });
    await done;
    assert.equal(sim.state(1).outputs[0], 1);
    assert.equal(sim.state(1).leds['0:0']?.color, 'green');
    assert.deepEqual(sim.state(0).leds, {}, 'the other reader got nothing');
    assert.equal(sim.state(0).outputs[0], 0);
    done = Promise.all([next('ex1-log', (m) => (m.payload as Record<string, unknown>).operation === 'buzzer'), next('ex1-log', (m) => (m.payload as Record<string, unknown>).operation === 'led')]);
    sim.swipe(0, { facility: 18, card: 999 });
    await done;
    assert.equal(sim.state(0).leds['0:0']?.onColor, 'red');
    assert.equal(sim.state(0).outputs[0], 0);
  });

  it('keypad PIN entry: the right PIN shows green, a wrong one red', async () => {
    sim = await startSimulator({ tcp: { host: '127.0.0.1', port: 0 }, pds: [0] });
    busId = 'ex2-bus';
    await helper.load(all, example('Keypad PIN entry', sim.port!));
    await until(online, 'online');
    let r = next('ex2-log');
    sim.keys(0, '1234#');
    await r;
    assert.equal(sim.state(0).leds['0:0']?.color, 'green');
    r = next('ex2-log');
    sim.keys(0, '98*1111#');
    await r;
    assert.equal(sim.state(0).leds['0:0']?.onColor, 'red');
  });

  it('online/offline alert: an alert when the readers go, all clear when they are back', async () => {
    sim = await startSimulator({ tcp: { host: '127.0.0.1', port: 0 }, pds: [0, 1] });
    const port = sim.port!;
    busId = 'ex3-bus';
    await helper.load(all, example('Reader online-offline alert', port));
    await until(online, 'online');
    const alert = next('ex3-log', (m) => /^ALERT: reader front-door/.test(String(m.payload)));
    await sim.close();
    await alert;
    const clear = next('ex3-log', (m) => m.payload === 'Reader front-door is back online');
    sim = await startSimulator({ tcp: { host: '127.0.0.1', port }, pds: [0, 1] });
    await clear;
  });

  it('provisioning: install mode gives the reader its own key; the inject rotates it', async () => {
    sim = await startSimulator({ tcp: { host: '127.0.0.1', port: 0 }, pds: [0], secure: { 'install-mode': true } });
    busId = 'ex5-bus';
    await helper.load(all, example('Provision a new reader in install mode', sim.port!));
    const bus = helper.getNode('ex5-bus').osdp as unknown as { cp: { isSecure(p: string): boolean } };
    await until(() => bus.cp.isSecure('new-reader') && (helper as unknown as { _redNodes: { getCredentials(id: string): Record<string, string> } })._redNodes.getCredentials('ex5-bus')?.scbk0, 'provisioned and secure', 15_000);
    const key = (helper as unknown as { _redNodes: { getCredentials(id: string): Record<string, string> } })._redNodes.getCredentials('ex5-bus').scbk0;
    assert.match(key, /^[0-9a-f]{32}$/);
    const rotated = next('ex5-log', (m) => (m.payload as Record<string, unknown>).operation === 'keyset');
    helper.getNode('ex5-rotate').receive({});
    assert.equal(((await rotated).payload as Record<string, unknown>).keyChanged, true);
    await until(() => (helper as unknown as { _redNodes: { getCredentials(id: string): Record<string, string> } })._redNodes.getCredentials('ex5-bus').scbk0 !== key, 'the rotated key stored');
  });

  it('firmware push: progress then the result; a missing file goes to the Catch node', async () => {
    const fileDir = path.join(userDir.path, 'received');
    fs.mkdirSync(fileDir);
    sim = await startSimulator({ tcp: { host: '127.0.0.1', port: 0 }, pds: [0], secure: { 'file-dir': fileDir } });
    busId = 'ex6-bus';
    const firmware = path.join(userDir.path, 'fw.bin');
    fs.writeFileSync(firmware, Buffer.alloc(5000, 0x5a));
    await helper.load(all, example('Push a firmware file', sim.port!, (n) => (n.id === 'ex6-push' ? { ...n, file: firmware } : n)));
    await until(online, 'online');
    const progress = next('ex6-log');
    const result = next('ex6-done');
    const event = next('ex6-evlog', (m) => (m.payload as Record<string, unknown>).outcome === 'ok');
    helper.getNode('ex6-go').receive({ payload: Date.now() });
    assert.ok(((await progress).payload as Record<string, unknown>).progress);
    assert.equal(((await result).payload as Record<string, unknown>).outcome, 'ok');
    await event;
    const failed = next('ex6-failed');
    helper.getNode('ex6-push').receive({ payload: { file: path.join(userDir.path, 'nope.bin') } });
    assert.equal(((await failed)._error as Record<string, unknown>).code, 'ENOTFOUND');
  });

  it('gateway: Node-RED as a reader reports cards and keys to a panel and shows its commands', async () => {
    const channel = new TcpServerChannel({ host: '127.0.0.1', port: 0 });
    const cp = new ControlPanel({ channel, pollInterval: 20, pds: [{ address: 0, name: 'gw' }] });
    const events: CpEventRecord[] = [];
    cp.on('event', (e: CpEventRecord) => events.push(e));
    await cp.start();
    try {
      const flow = example('Gateway looking like a reader to a panel', 0).map((n) => (n.type === 'osdp-pd' ? { ...n, transport: 'tcp-client', host: '127.0.0.1', port: channel.port } : n));
      await helper.load(all, flow);
      assert.ok(await cp.waitOnline('gw', 10_000));
      helper.getNode('ex4-card').receive({});
      helper.getNode('ex4-keys').receive({});
      await until(() => events.some((e) => e.event.event === 'card') && events.some((e) => e.event.event === 'keypress'), 'card and keys at the panel');
      const card = events.find((e) => e.event.event === 'card')!.event;
      assert.equal(card.event === 'card' && decodeWiegand(card.data, card.bitCount).card, 4660);
      const led = next('ex4-log', (m) => m.topic === 'osdp/reader for the panel/led' || (m.payload as Record<string, unknown>).command === 'led');
      await cp.command('gw', { command: 'led', reader: 0, led: 0, temporary: { controlCode: 0, onCount: 0, offCount: 0, onColor: 0, offColor: 0, timer: 0 }, permanent: { controlCode: 1, onCount: 1, offCount: 0, onColor: 2, offColor: 0 } });
      assert.equal((((await led).payload as Record<string, unknown>).permanent as Record<string, unknown>).color, 'green');
    } finally {
      await helper.unload();
      await cp.stop();
    }
  });
});
