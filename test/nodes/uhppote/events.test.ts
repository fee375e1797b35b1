/** uhppote-events against the simulator: every event as a message, topics, reason text, filters, status packets, bad packets. */
import assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import type { UhppoteSimulator } from '../../../lib/uhppote';
import { FRONT, WAREHOUSE, caughtError, helper, network, nodes, placed, startSim, until, type FlowNode, type Msg, type NetworkNode, type TestNode } from './harness';

/** Collects the messages a helper node receives and hands them out in order. */
class Inbox {
  private readonly queue: Msg[] = [];
  private waiting?: (m: Msg) => void;

  constructor(node: TestNode) {
    node.on('input', (m: never) => {
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = undefined;
        w(m);
      } else this.queue.push(m);
    });
  }

  next(): Promise<Msg> {
    const m = this.queue.shift();
    if (m) return Promise.resolve(m);
    return new Promise((resolve) => (this.waiting = resolve));
  }

  get pending(): number {
    return this.queue.length;
  }
}

const events = (id: string, extra: Record<string, unknown> = {}): FlowNode => ({
  id,
  type: 'uhppote-events',
  z: 'tab',
  network: 'net',
  controllers: '',
  types: 'swipe,door,alarm,other',
  access: 'all',
  status: false,
  wires: [[`${id}Out`]],
  ...extra,
});

describe('uhppote-events node', function () {
  let sim: UhppoteSimulator;
  let port: number;
  let inbox: Record<string, Inbox>;
  let errors: Inbox;
  let listenPort: number;

  before(async () => {
    ({ sim, port } = await startSim());
  });
  after(async () => {
    await sim.close();
  });
  beforeEach(async () => {
    const ids = ['all', 'denied', 'warehouse', 'doors', 'withStatus'];
    const flowNodes: FlowNode[] = [
      { id: 'tab', type: 'tab', label: 'events' },
      network(port),
      events('all'),
      events('denied', { types: 'swipe', access: 'denied' }),
      events('warehouse', { controllers: 'warehouse' }),
      events('doors', { controllers: `${FRONT}`, types: 'door' }),
      events('withStatus', { controllers: 'front door', status: true }),
      ...ids.map((id) => ({ id: `${id}Out`, type: 'helper', z: 'tab' })),
      { id: 'catcher', type: 'catch', z: 'tab', scope: ['all'], uncaught: false, wires: [['err']] },
      { id: 'err', type: 'helper', z: 'tab' },
    ];
    await helper.load(nodes, placed(flowNodes));
    inbox = Object.fromEntries(ids.map((id) => [id, new Inbox(helper.getNode(`${id}Out`))]));
    errors = new Inbox(helper.getNode('err'));
    const net = helper.getNode('net') as NetworkNode;
    listenPort = (await until(() => net.listening(), 'the events listener')).port;
    for (const serial of [FRONT, WAREHOUSE]) {
      const c = sim.controller(serial);
      c.listenerAddress = '127.0.0.1';
      c.listenerPort = listenPort;
      c.cards = [];
      c.recordSpecialEvents = false;
    }
  });
  afterEach(async () => {
    await helper.unload();
  });

  it('sends a swipe as uhppote/<serial>/swipe with readable reason text', async () => {
    sim.swipe(FRONT, 8165538, 2);
    const m = await inbox.all.next();
    assert.equal(m.topic, `uhppote/${FRONT}/swipe`);
    const p = m.payload as Record<string, unknown>;
    assert.equal(p.controller, FRONT);
    assert.equal(p.card, 8165538);
    assert.equal(p.door, 2);
    assert.equal(p.type, 'swipe');
    assert.equal(p.accessGranted, false);
    assert.equal(typeof p.reason, 'string');
    assert.match(String(p.reason), /[a-z]/);
    assert.equal(typeof p.reasonCode, 'number');
    assert.equal(p.direction, 'in');
    assert.match(String(p.timestamp), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    assert.equal((p.doors as unknown[]).length, 4);
    const net = helper.getNode('net') as NetworkNode;
    assert.match(String(net.shared.status.text), new RegExp(`listening 127\\.0\\.0\\.1:${listenPort}`));
  });

  it('filters: denied swipes only, one controller, event types', async () => {
    sim.controller(FRONT).cards.push({ card: 1001, startDate: '2000-01-01', endDate: '2099-12-31', doors: [1, 1, 1, 1], pin: 0 });
    sim.swipe(FRONT, 1001, 1); // granted: not for 'denied'
    sim.swipe(WAREHOUSE, 2002, 3); // denied, other controller
    const granted = await inbox.all.next();
    assert.equal((granted.payload as Record<string, unknown>).accessGranted, true);
    const denied = await inbox.denied.next();
    assert.equal(denied.topic, `uhppote/${WAREHOUSE}/swipe`);
    assert.equal((denied.payload as Record<string, unknown>).card, 2002);
    const wh = await inbox.warehouse.next();
    assert.equal((wh.payload as Record<string, unknown>).controller, WAREHOUSE);

    sim.controller(FRONT).recordSpecialEvents = true;
    sim.doorSensor(FRONT, 4, true);
    const door = await inbox.doors.next();
    assert.equal(door.topic, `uhppote/${FRONT}/door`);
    assert.equal((door.payload as Record<string, unknown>).door, 4);
    assert.equal(((door.payload as Record<string, unknown>).doors as Array<Record<string, unknown>>)[3].open, true);
    // the 'doors' node saw neither swipe: its first message was the door event
    assert.equal(inbox.doors.pending, 0);
  });

  it('accepts event packets with start byte 0x19 (firmware v6.62)', async () => {
    sim.controller(WAREHOUSE).eventStartByte = 0x19;
    try {
      sim.swipe(WAREHOUSE, 6262, 2);
      const m = await inbox.warehouse.next();
      assert.equal(m.topic, `uhppote/${WAREHOUSE}/swipe`);
      assert.equal((m.payload as Record<string, unknown>).card, 6262);
    } finally {
      sim.controller(WAREHOUSE).eventStartByte = 0x17;
    }
  });

  it('status packets when asked for, each event once', async () => {
    sim.swipe(FRONT, 5, 1);
    const first = await inbox.withStatus.next();
    const second = await inbox.withStatus.next();
    const topics = [first.topic, second.topic].sort();
    assert.deepEqual(topics, [`uhppote/${FRONT}/status`, `uhppote/${FRONT}/swipe`]);
    const status = (first.topic === `uhppote/${FRONT}/status` ? first : second).payload as Record<string, unknown>;
    assert.equal((status.event as Record<string, unknown>).card, 5);
  });

  it('a bad packet goes to Catch and listening goes on', async () => {
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => sock.send(Buffer.from('not a uhppote packet'), listenPort, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
    sock.close();
    const caught = await errors.next();
    assert.match(String(caughtError(caught).code), /^E(PROTOCOL|FRAME)$/);
    assert.equal(caught.topic, 'uhppote/listener/error');
    sim.swipe(FRONT, 77, 1);
    assert.equal(((await inbox.all.next()).payload as Record<string, unknown>).card, 77);
  });
});
