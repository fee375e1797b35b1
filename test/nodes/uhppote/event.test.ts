/** uhppote-event against the simulator: event index, events (found, not found, overwritten), new events, special events. */
import assert from 'node:assert/strict';
import type { UhppoteSimulator } from '../../../lib/uhppote';
import { FRONT, actionNode, fails, flow, helper, nodes, ok, startSim } from './harness';

const node = actionNode('uhppote-event', { index: '', indexType: 'num' });

describe('uhppote-event node', function () {
  let sim: UhppoteSimulator;
  let port: number;

  before(async () => {
    ({ sim, port } = await startSim());
  });
  after(async () => {
    await sim.close();
  });
  beforeEach(async () => {
    const c = sim.controller(FRONT);
    c.events = [];
    c.lastEventIndex = 0;
    c.downloadedEventIndex = 0;
    c.eventCapacity = 1000;
    await helper.load(nodes, flow(port, [
      node('index', 'get-event-index'),
      node('setIndex', 'set-event-index', { index: '0' }),
      node('get', 'get-event', { index: '1' }),
      node('fresh', 'get-new-events', { max: 100 }),
      node('special', 'record-special-events', { enabled: true }),
    ]));
  });
  afterEach(async () => {
    await helper.unload();
  });

  it('get-event reads a swipe with readable reason text and a controller-local timestamp', async () => {
    sim.swipe(FRONT, 8165538, 2);
    const e = await ok('get');
    assert.equal(e.controller, FRONT);
    assert.equal(e.index, 1);
    assert.equal(e.type, 'swipe');
    assert.equal(e.typeCode, 1);
    assert.equal(e.card, 8165538);
    assert.equal(e.door, 2);
    assert.equal(e.direction, 'in');
    assert.equal(e.accessGranted, false);
    assert.equal(typeof e.reason, 'string');
    assert.notEqual(e.reason, '');
    assert.equal(typeof e.reasonCode, 'number');
    assert.match(String(e.timestamp), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });

  it('get-event of the oldest and newest event', async () => {
    for (const card of [11, 22, 33]) sim.swipe(FRONT, card, 1);
    const newest = await ok('get', { payload: { index: 'newest' } });
    assert.deepEqual([newest.index, newest.card], [3, 33]);
    const oldest = await ok('get', { payload: { index: 'oldest' } });
    assert.deepEqual([oldest.index, oldest.card], [1, 11]);
  });

  it('get-event: not found and overwritten are typed errors', async () => {
    assert.equal((await fails('get', { payload: { index: 5 } })).code, 'EEVENTNOTFOUND');
    sim.controller(FRONT).eventCapacity = 2;
    for (let i = 0; i < 4; i++) sim.swipe(FRONT, 100 + i, 1);
    assert.equal((await fails('get', { payload: { index: 1 } })).code, 'EEVENTOVERWRITTEN');
    assert.equal((await ok('get', { payload: { index: 4 } })).card, 103);
  });

  it('get-event-index and set-event-index', async () => {
    assert.deepEqual(await ok('index'), { controller: FRONT, index: 0 });
    assert.deepEqual(await ok('setIndex', { payload: { index: 37 } }), { controller: FRONT, ok: true, index: 37 });
    assert.deepEqual(await ok('index'), { controller: FRONT, index: 37 });
  });

  it('get-new-events reads what is new since the stored index and moves it, oldest first, max per message', async () => {
    for (let i = 0; i < 5; i++) sim.swipe(FRONT, 200 + i, 1);
    const first = await ok<Array<Record<string, unknown>>>('fresh', { payload: { max: 3 } });
    assert.deepEqual(first.map((e) => e.card), [200, 201, 202]);
    assert.equal((await ok('index')).index, 3);
    const second = await ok<Array<Record<string, unknown>>>('fresh');
    assert.deepEqual(second.map((e) => e.index), [4, 5]);
    assert.deepEqual(await ok('fresh'), []);
    sim.swipe(FRONT, 300, 4);
    const third = await ok<Array<Record<string, unknown>>>('fresh');
    assert.deepEqual(third.map((e) => [e.card, e.door]), [[300, 4]]);
  });

  it('get-new-events skips overwritten events', async () => {
    sim.controller(FRONT).eventCapacity = 2;
    for (let i = 0; i < 5; i++) sim.swipe(FRONT, 400 + i, 1);
    const got = await ok<Array<Record<string, unknown>>>('fresh');
    assert.deepEqual(got.map((e) => e.index), [4, 5]);
    assert.equal((await ok('index')).index, 5);
  });

  it('record-special-events switches door and button events on and off', async () => {
    assert.deepEqual(await ok('special'), { controller: FRONT, ok: true, enabled: true });
    assert.equal(sim.controller(FRONT).recordSpecialEvents, true);
    sim.button(FRONT, 2);
    const e = await ok('get', { payload: { index: 1 } });
    assert.equal(e.door, 2);
    assert.notEqual(e.type, 'swipe');
    await ok('special', { payload: { enabled: false } });
    assert.equal(sim.controller(FRONT).recordSpecialEvents, false);
  });

  it('rejects bad input and keeps working', async () => {
    assert.equal((await fails('get', { payload: { index: -1 } })).code, 'EINVAL');
    assert.equal((await fails('get', { payload: { index: 'previous' } })).code, 'EINVAL');
    assert.equal((await fails('fresh', { payload: { max: 0 } })).code, 'EINVAL');
    assert.equal((await fails('special', { payload: { enabled: 'perhaps' } })).code, 'EINVAL');
    assert.equal((await ok('index')).controller, FRONT);
  });
});
