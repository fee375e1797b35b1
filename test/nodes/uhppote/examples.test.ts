/**
 * The UHPPOTE example flows run against the simulator: each file is loaded as shipped, with only
 * its network pointed at the simulator's ephemeral port and its debug nodes swapped for test
 * helpers. The demo tab shows swipes arriving and a door opening.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { UhppoteSimulator } from '../../../lib/uhppote';
import { FRONT, WAREHOUSE, helper, nodes, startSim, until, type FlowNode, type Msg, type NetworkNode } from './harness';

const dir = path.resolve(__dirname, '..', '..', '..', 'examples', 'flows', 'UHPPOTE');
const core = (p: string): unknown => require(path.join(path.dirname(require.resolve('@node-red/nodes/package.json')), 'core', p));
const coreNodes = ['common/20-inject.js', 'common/90-comment.js', 'function/10-function.js', 'function/15-change.js', 'sequence/17-split.js'].map(core);

/** A stand-in node module that only keeps the runtime's httpNode app, to send HTTP requests to `http in` nodes. */
let httpNode: unknown;
function grabHttpNode(RED: { httpNode: unknown; nodes: { registerType(type: string, ctor: unknown): void } }): void {
  httpNode = RED.httpNode;
  RED.nodes.registerType('uhppote-test-grab', function () {});
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const supertest = require('supertest') as (app: unknown) => { get(url: string): PromiseLike<{ status: number; body: Record<string, unknown> }> };

/** The example as shipped, aimed at the simulator, with debug nodes replaced by helpers and timers off. */
function example(title: string, port: number): FlowNode[] {
  const flow = JSON.parse(fs.readFileSync(path.join(dir, `${title}.json`), 'utf8')) as FlowNode[];
  const tab = flow.find((n) => n.type === 'tab')?.id ?? 'example-tab';
  const out: FlowNode[] = flow.some((n) => n.type === 'tab') ? [] : [{ id: tab, type: 'tab', label: title }];
  for (const n of flow) {
    if (n.type === 'uhppote-network') {
      out.push({
        ...n,
        bind: '127.0.0.1',
        broadcast: `127.0.0.1:${port}`,
        listen: '127.0.0.1:0',
        controllers: (n.controllers as Array<Record<string, unknown>>).map((c) => (c.address ? { ...c, address: `127.0.0.1:${port}` } : c)),
      });
    } else if (n.type === 'debug') {
      out.push({ id: n.id, type: 'helper', z: tab, x: n.x, y: n.y, name: n.name });
    } else if (n.type === 'inject') {
      out.push({ ...n, z: tab, once: false, repeat: '', crontab: '' });
    } else if (n.type === 'tab' || n.type === 'comment') {
      out.push(n);
    } else {
      out.push({ ...n, z: tab });
    }
  }
  return out;
}

/** The next message a helper node gets. */
function next(id: string): Promise<Msg> {
  return new Promise((resolve) => {
    const node = helper.getNode(id);
    const on = (m: Msg): void => {
      node.removeListener('input', on as never);
      resolve(m);
    };
    node.on('input', on as never);
  });
}

/** The next `count` messages a helper node gets, in order. */
function collect(id: string, count: number): Promise<Msg[]> {
  return new Promise((resolve) => {
    const node = helper.getNode(id);
    const got: Msg[] = [];
    const on = (m: Msg): void => {
      got.push(m);
      if (got.length < count) return;
      node.removeListener('input', on as never);
      resolve(got);
    };
    node.on('input', on as never);
  });
}

/** Presses an inject node's button (an inject node sends its message when it receives one). */
function press(id: string): void {
  helper.getNode(id).receive({});
}

describe('UHPPOTE example flows against the simulator', function () {
  let sim: UhppoteSimulator;
  let port: number;

  before(async () => {
    ({ sim, port } = await startSim());
  });
  after(async () => {
    await sim.close();
  });
  beforeEach(() => {
    const c = sim.controller(FRONT);
    c.cards = [];
    c.timeProfiles.clear();
    c.events = [];
    c.lastEventIndex = 0;
    c.downloadedEventIndex = 0;
  });
  afterEach(async () => {
    await helper.unload();
  });

  async function listen(): Promise<void> {
    const net = helper.getNode(helper.getNode('uh-net') ? 'uh-net' : 'ux4-net') as NetworkNode;
    const { port: listenPort } = await until(() => net.listening(), 'the events listener');
    const c = sim.controller(FRONT);
    c.listenerAddress = '127.0.0.1';
    c.listenerPort = listenPort;
  }

  it('Demo with the simulator: swipes arrive, door 1 opens and reads unlocked, and every button works', async () => {
    await helper.load([...nodes, ...coreNodes], example('Demo with the simulator', port));
    await listen();
    sim.controller(FRONT).cards.push({ card: 8165538, startDate: '2000-01-01', endDate: '2099-12-31', doors: [1, 1, 1, 1], pin: 0 });
    const swipes = next('uh-swipes');
    sim.swipe(FRONT, 8165538, 1);
    assert.match(String((await swipes).payload), /^door 1: card 8165538 granted \(.+\)$/);
    const refused = next('uh-swipes');
    sim.swipe(FRONT, 999, 2);
    assert.match(String((await refused).payload), /^door 2: card 999 refused \(.+\)$/);

    sim.controller(FRONT).doors[0].unlockedUntil = 0;
    const opened = next('uh-opened');
    press('uh-open-go');
    assert.deepEqual((await opened).payload, { controller: FRONT, door: 1, opened: true });
    const state = next('uh-state-show');
    press('uh-state-go');
    assert.equal(((await state).payload as Record<string, unknown>).unlocked, true);

    const checks: Array<[string, string, (p: Record<string, unknown>) => void]> = [
      ['uh-status-go', 'uh-status-show', (p) => assert.equal((p.doors as unknown[]).length, 4)],
      ['uh-card-go', 'uh-card-show', (p) => assert.equal(p.card, 8165540)],
      ['uh-clock-go', 'uh-clock-show', (p) => assert.match(String(p.datetime), /^\d{4}-/)],
      ['uh-log-go', 'uh-log-show', (p) => assert.ok(Array.isArray(p) && p.length >= 2)],
      ['uh-profile-go', 'uh-profile-show', (p) => assert.equal(p.profile, 29)],
    ];
    for (const [button, output, check] of checks) {
      const got = next(output);
      press(button);
      check((await got).payload as Record<string, unknown>);
    }
  });

  it('Discover and read status', async () => {
    await helper.load([...nodes, ...coreNodes], example('Discover and read status', port));
    const found = next('ux1-list');
    const statuses = collect('ux1-show', 2);
    press('ux1-go');
    assert.equal(((await found).payload as unknown[]).length, 2);
    const serials = (await statuses).map((m) => (m.payload as Record<string, unknown>).controller);
    assert.deepEqual(serials.sort(), [FRONT, WAREHOUSE].sort());
    for (const m of await statuses) assert.equal(((m.payload as Record<string, unknown>).doors as unknown[]).length, 4);
  });

  it('Add a card with a time profile', async () => {
    await helper.load([...nodes, ...coreNodes], example('Add a card with a time profile', port));
    const shown = next('ux2-show');
    press('ux2-go');
    assert.deepEqual({ ...((await shown).payload as Record<string, unknown>), startDate: 'today' }, {
      controller: FRONT, card: 8165538, startDate: 'today', endDate: '2099-12-31', door1: 29, door2: 1, door3: 0, door4: 0, pin: 7531,
    });
    assert.equal(sim.controller(FRONT).timeProfiles.has(29), true);
  });

  it('Open a door from an HTTP request', async () => {
    await helper.load([...nodes, ...coreNodes, core('network/21-httpin.js'), grabHttpNode], example('Open a door from an HTTP request', port));
    const ok = await supertest(httpNode).get('/uhppote/open?door=2');
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body, { controller: FRONT, door: 2, opened: true });
    const bad = await supertest(httpNode).get('/uhppote/open?door=9');
    assert.equal(bad.status, 500);
    assert.equal(bad.body.code, 'EINVAL');
    assert.match(String(bad.body.message), /door/);
  });

  it('Set the clock', async () => {
    await helper.load([...nodes, ...coreNodes], example('Set the clock', port));
    sim.controller(FRONT).clockOffset = -3_600_000;
    const shown = next('ux5-show');
    press('ux5-nightly');
    const datetime = String(((await shown).payload as Record<string, unknown>).datetime);
    assert.ok(Math.abs(new Date(datetime.replace(' ', 'T')).getTime() - Date.now()) < 60_000, `clock set to ${datetime}`);
  });

  it('Log swipes and deny unknown cards', async () => {
    await helper.load([...nodes, ...coreNodes], example('Log swipes and deny unknown cards', port));
    await listen();
    press('ux4-init');
    const store = helper.getNode('ux4-store') as unknown as { context(): { flow: { get(key: string): unknown } } };
    await until(() => store.context().flow.get('knownCards'), 'the registered cards in flow context');
    const c = sim.controller(FRONT);
    c.cards.push({ card: 8165538, startDate: '2000-01-01', endDate: '2099-12-31', doors: [1, 1, 1, 1], pin: 0 });
    c.cards.push({ card: 4242, startDate: '2000-01-01', endDate: '2099-12-31', doors: [1, 1, 1, 1], pin: 0 });
    const logged = next('ux4-show');
    sim.swipe(FRONT, 8165538, 1);
    assert.match(String((await logged).payload), /card 8165538: granted/);
    const removed = next('ux4-deleted');
    sim.swipe(FRONT, 4242, 1);
    assert.deepEqual((await removed).payload, { controller: FRONT, ok: true, card: 4242 });
    const denied = next('ux4-show');
    sim.swipe(FRONT, 4242, 1);
    assert.match(String((await denied).payload), /card 4242: DENIED/);
    const history = collect('ux4-history', 3);
    press('ux4-poll');
    const cards = (await history).map((m) => (m.payload as Record<string, unknown>).card);
    assert.deepEqual(cards, [8165538, 4242, 4242]);
  });
});
