/** uhppote-controller against the simulator: every operation, editor values and msg overrides. */
import assert from 'node:assert/strict';
import type { UhppoteSimulator } from '../../../lib/uhppote';
import { FRONT, WAREHOUSE, actionNode, call, caughtError, fails, flow, helper, nodes, ok, startSim, until } from './harness';

const node = actionNode('uhppote-controller');

describe('uhppote-controller node', function () {
  let sim: UhppoteSimulator;
  let port: number;

  before(async () => {
    ({ sim, port } = await startSim());
  });
  after(async () => {
    await sim.close();
  });
  beforeEach(async () => {
    await helper.load(nodes, flow(port, [
      node('discover', 'get-controllers', { controller: '' }),
      node('info', 'get-controller'),
      node('address', 'set-address', { address: '192.168.1.125', netmask: '255.255.255.0', gateway: '192.168.1.1' }),
      node('status', 'get-status'),
      node('time', 'get-time'),
      node('setTime', 'set-time', { datetime: '', datetimeType: 'now' }),
      node('listener', 'get-listener'),
      node('setListener', 'set-listener', { listener: '192.168.1.10:60001', interval: 15 }),
      node('pc', 'set-pc-control', { enabled: true }),
      node('defaults', 'restore-defaults'),
    ]));
  });
  afterEach(async () => {
    await helper.unload();
  });

  it('get-controllers finds every controller by broadcast', async () => {
    const list = await ok<Array<Record<string, unknown>>>('discover');
    assert.deepEqual(list.map((c) => c.controller).sort(), [WAREHOUSE, FRONT].sort());
    const front = list.find((c) => c.controller === FRONT)!;
    assert.equal(front.version, 'v8.92');
    assert.equal(front.address, '192.168.1.100');
    assert.match(String(front.mac), /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    assert.equal(front.date, '2018-11-05');
  });

  it('get-controller by name (UDP broadcast), by serial, and by TCP', async () => {
    assert.equal((await ok('info')).controller, FRONT);
    assert.equal((await ok('info', { payload: { controller: WAREHOUSE } })).controller, WAREHOUSE);
    assert.equal((await ok('info', { payload: { controller: 'warehouse' } })).controller, WAREHOUSE);
    const direct = await ok('info', { payload: { controller: { id: FRONT, address: `127.0.0.1:${port}`, protocol: 'tcp' } } });
    assert.equal(direct.controller, FRONT);
    assert.equal(direct.netmask, '255.255.255.0');
  });

  it('set-address changes the controller address (no reply expected)', async () => {
    const r = await ok('address');
    assert.deepEqual(r, { controller: FRONT, ok: true, address: '192.168.1.125', netmask: '255.255.255.0', gateway: '192.168.1.1' });
    // the controller does not answer set-address: check its state once the request has arrived
    await waitFor(() => sim.controller(FRONT).ipAddress === '192.168.1.125');
    await ok('address', { payload: { address: '192.168.1.100' } });
    await waitFor(() => sim.controller(FRONT).ipAddress === '192.168.1.100');
  });

  it('get-status gives the four doors alike and the last event', async () => {
    sim.swipe(FRONT, 8165538, 3);
    sim.controller(FRONT).doors[3].open = true;
    const s = await ok<Record<string, unknown>>('status');
    assert.equal(s.controller, FRONT);
    assert.match(String(s.datetime), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const doors = s.doors as Array<Record<string, unknown>>;
    assert.deepEqual(doors.map((d) => d.door), [1, 2, 3, 4]);
    assert.equal(doors[3].open, true);
    assert.equal(doors[0].open, false);
    const event = s.event as Record<string, unknown>;
    assert.equal(event.type, 'swipe');
    assert.equal(event.card, 8165538);
    assert.equal(event.door, 3);
    assert.equal(typeof event.reason, 'string');
    sim.controller(FRONT).doors[3].open = false;
  });

  it('get-time and set-time (now, and an explicit controller-local time)', async () => {
    const t = await ok('time');
    assert.match(String(t.datetime), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const set = await ok('setTime', { payload: { datetime: '2025-01-02 08:30:00' } });
    assert.equal(set.datetime, '2025-01-02 08:30:00');
    const read = await ok('time');
    assert.match(String(read.datetime), /^2025-01-02 08:3/);
    const now = await ok('setTime');
    assert.notEqual(String(now.datetime).slice(0, 10), '2025-01-02');
  });

  it('set-listener then get-listener', async () => {
    const r = await ok('setListener');
    assert.deepEqual(r, { controller: FRONT, ok: true, listener: '192.168.1.10:60001', interval: 15 });
    const l = await ok('listener');
    assert.deepEqual(l, { controller: FRONT, listener: '192.168.1.10:60001', address: '192.168.1.10', port: 60001, interval: 15 });
    assert.equal(sim.controller(FRONT).listenerPort, 60001);
  });

  it('set-listener without a listener needs a real listen address', async () => {
    const e = await fails('setListener', { payload: { listener: '' } });
    assert.equal(e.code, 'EINVAL');
    assert.match(String(e.message), /listener/);
  });

  it('set-pc-control on and off', async () => {
    assert.equal((await ok('pc')).enabled, true);
    assert.equal(sim.controller(FRONT).pcControl, true);
    assert.equal((await ok('pc', { payload: { enabled: false } })).enabled, false);
    assert.equal(sim.controller(FRONT).pcControl, false);
  });

  it('restore-defaults', async () => {
    sim.controller(FRONT).interlock = 3;
    const r = await ok('defaults');
    assert.deepEqual(r, { controller: FRONT, ok: true });
    assert.equal(sim.controller(FRONT).interlock, 0);
  });

  it('msg.operation overrides the editor operation', async () => {
    const r = await ok('time', { operation: 'get-controller' });
    assert.equal(r.version, 'v8.92');
    const e = await fails('time', { operation: 'fly' });
    assert.equal(e.code, 'EINVAL');
    assert.match(String(e.message), /unknown operation/);
  });

  it('bad input goes to Catch with msg.error, and the node keeps working', async () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['setTime', { datetime: '2025-13-40 25:00:00' }, /datetime/],
      ['setTime', { datetime: 'yesterday' }, /datetime/],
      ['address', { address: '300.1.1.1' }, /address/],
      ['setListener', { interval: 999 }, /interval/],
      ['pc', { enabled: 'maybe' }, /enabled/],
      ['info', { controller: 'nowhere' }, /not in the network/],
      ['info', { controller: -5 }, /controller/],
      ['info', { controller: { id: FRONT, protocol: 'tcp' } }, /TCP needs an address/],
    ];
    for (const [id, payload, pattern] of cases) {
      const r = await call(id, { payload });
      assert.ok(r.caught, `${id} ${JSON.stringify(payload)} should fail`);
      const e = caughtError(r.caught);
      assert.equal(e.code, 'EINVAL', JSON.stringify(e));
      assert.match(String(e.message), pattern);
      assert.ok(e.operation, 'msg.error names the operation');
    }
    assert.equal((await ok('info')).controller, FRONT);
  });
});

async function waitFor(check: () => boolean): Promise<void> {
  await until(() => check() || undefined, 'simulator state');
}
