/** uhppote-door against the simulator: every operation, for doors 1-4 alike. */
import assert from 'node:assert/strict';
import type { UhppoteSimulator } from '../../../lib/uhppote';
import { FRONT, WAREHOUSE, actionNode, fails, flow, helper, nodes, ok, startSim } from './harness';

const node = actionNode('uhppote-door', { door: '1', doorType: 'num' });

describe('uhppote-door node', function () {
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
      node('open', 'open-door'),
      node('openFromMsg', 'open-door', { controller: 'payload.serial', controllerType: 'msg', door: 'payload.where', doorType: 'msg' }),
      node('state', 'get-door-state'),
      node('control', 'get-door-control'),
      node('setControl', 'set-door-control', { mode: 'normally-open', delay: 7 }),
      node('interlock', 'set-interlock', { interlock: '3' }),
      node('keypads', 'activate-keypads', { reader1: true, reader2: false, reader3: true, reader4: false }),
      node('passcodes', 'set-door-passcodes'),
      node('apb', 'get-anti-passback'),
      node('setApb', 'set-anti-passback', { antipassback: '2' }),
      node('firstCard', 'set-first-card', { startTime: '08:30', endTime: '17:45', activeMode: '1', inactiveMode: '2', weekdays: 'monday,tuesday,thursday' }),
    ]), { passcodes: { passcodes: '12345, 999999' } });
  });
  afterEach(async () => {
    await helper.unload();
  });

  it('open-door unlocks each of doors 1-4, and get-door-state reports it for that door only', async () => {
    for (const door of [1, 2, 3, 4]) {
      const r = await ok('open', { payload: { door } });
      assert.deepEqual(r, { controller: FRONT, door, opened: true });
      const s = await ok('state', { payload: { door } });
      assert.equal(s.door, door);
      assert.equal(s.unlocked, true, `door ${door} unlocked`);
      assert.equal(s.open, false);
      assert.match(String(s.datetime), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    }
  });

  it('get-door-state reads open, button and input of doors 2-4 from their own flags and bits', async () => {
    const c = sim.controller(WAREHOUSE);
    for (const door of [1, 2, 3, 4]) {
      c.doors.forEach((d, i) => {
        d.open = i === door - 1;
        d.button = i === door - 1;
        d.unlockedUntil = 0;
      });
      c.inputs = 1 << (door - 1);
      for (const probe of [1, 2, 3, 4]) {
        const s = await ok('state', { payload: { controller: 'warehouse', door: probe } });
        assert.equal(s.open, probe === door, `door ${probe} open when door ${door} is`);
        assert.equal(s.button, probe === door);
        assert.equal(s.input, probe === door);
        assert.equal(s.unlocked, false);
      }
    }
    c.doors.forEach((d) => {
      d.open = false;
      d.button = false;
    });
    c.inputs = 0;
  });

  it('typedInputs take the controller and door from msg', async () => {
    const r = await ok('openFromMsg', { payload: { serial: WAREHOUSE, where: 4 } });
    assert.deepEqual(r, { controller: WAREHOUSE, door: 4, opened: true });
  });

  it('an event message wired into open-door opens the door where it happened', async () => {
    const r = await ok('open', { payload: { controller: FRONT, door: 3, card: 8165538, type: 'swipe' } });
    assert.deepEqual(r, { controller: FRONT, door: 3, opened: true });
  });

  it('get-door-control and set-door-control, with names or codes for the mode', async () => {
    const before = await ok('control', { payload: { door: 2 } });
    assert.deepEqual(before, { controller: FRONT, door: 2, mode: 'controlled', modeCode: 3, delay: 5 });
    const set = await ok('setControl', { payload: { door: 2 } });
    assert.deepEqual(set, { controller: FRONT, door: 2, mode: 'normally open', modeCode: 1, delay: 7 });
    assert.equal(sim.controller(FRONT).doors[1].mode, 1);
    const byCode = await ok('setControl', { payload: { door: 4, mode: 2, delay: 3 } });
    assert.equal(byCode.mode, 'normally closed');
    assert.deepEqual(await ok('control', { payload: { door: 4 } }), { controller: FRONT, door: 4, mode: 'normally closed', modeCode: 2, delay: 3 });
    await ok('setControl', { payload: { door: 2, mode: 'controlled', delay: 5 } });
  });

  it('set-interlock', async () => {
    const r = await ok('interlock');
    assert.deepEqual(r, { controller: FRONT, ok: true, interlock: 'doors 1&2, 3&4', interlockCode: 3 });
    assert.equal(sim.controller(FRONT).interlock, 3);
    assert.equal((await ok('interlock', { payload: { interlock: 'disabled' } })).interlockCode, 0);
    assert.equal((await fails('interlock', { payload: { interlock: 5 } })).code, 'EINVAL');
  });

  it('activate-keypads', async () => {
    const r = await ok('keypads');
    assert.deepEqual(r, { controller: FRONT, ok: true, reader1: true, reader2: false, reader3: true, reader4: false });
    assert.deepEqual(sim.controller(FRONT).keypads, [true, false, true, false]);
    await ok('keypads', { payload: { reader1: false, reader4: true } });
    assert.deepEqual(sim.controller(FRONT).keypads, [false, false, true, true]);
  });

  it('set-door-passcodes from the editor (a credential) or msg.payload, as a list or an array; missing ones cleared', async () => {
    const r = await ok('passcodes', { payload: { door: 3 } });
    assert.deepEqual(r, { controller: FRONT, ok: true, door: 3, passcodes: 2 });
    assert.deepEqual(sim.controller(FRONT).doors[2].passcodes, [12345, 999999, 0, 0]);
    await ok('passcodes', { payload: { door: 3, passcodes: [1, 2, 3, 4] } });
    assert.deepEqual(sim.controller(FRONT).doors[2].passcodes, [1, 2, 3, 4]);
    assert.equal((await fails('passcodes', { payload: { passcodes: [1, 2, 3, 4, 5] } })).code, 'EINVAL');
    assert.equal((await fails('passcodes', { payload: { passcodes: '1000000' } })).code, 'EINVAL');
  });

  it('get-anti-passback and set-anti-passback', async () => {
    assert.deepEqual(await ok('apb'), { controller: FRONT, antipassback: 'disabled', antipassbackCode: 0 });
    assert.deepEqual(await ok('setApb'), { controller: FRONT, ok: true, antipassback: '(1,3):(2,4)', antipassbackCode: 2 });
    assert.deepEqual(await ok('apb'), { controller: FRONT, antipassback: '(1,3):(2,4)', antipassbackCode: 2 });
    await ok('setApb', { payload: { antipassback: '1:(2,3,4)' } });
    assert.equal((await ok('apb')).antipassbackCode, 4);
    await ok('setApb', { payload: { antipassback: 0 } });
  });

  it('set-first-card', async () => {
    const r = await ok('firstCard', { payload: { door: 2 } });
    assert.deepEqual(r, {
      controller: FRONT, ok: true, door: 2, startTime: '08:30', endTime: '17:45',
      activeMode: 'normally open', inactiveMode: 'normally closed', weekdays: ['monday', 'tuesday', 'thursday'],
    });
    const stored = sim.controller(FRONT).doors[1].firstCard as Record<string, unknown>;
    assert.equal(stored.startTime, '08:30');
    assert.equal(stored.activeMode, 1);
    assert.equal(stored.inactiveMode, 2);
    assert.equal(stored.monday, true);
    assert.equal(stored.wednesday, false);
  });

  it('rejects doors outside 1-4 and bad values, then keeps working', async () => {
    for (const door of [0, 5, 'two', 1.5]) {
      const e = await fails('open', { payload: { door } });
      assert.equal(e.code, 'EINVAL', `door ${String(door)}`);
      assert.match(String(e.message), /door/);
      assert.equal(e.operation, 'open-door');
    }
    assert.equal((await fails('setControl', { payload: { mode: 'ajar' } })).code, 'EINVAL');
    assert.equal((await fails('setControl', { payload: { delay: 300 } })).code, 'EINVAL');
    assert.equal((await fails('firstCard', { payload: { startTime: '25:00' } })).code, 'EINVAL');
    assert.equal((await fails('firstCard', { payload: { weekdays: 'someday' } })).code, 'EINVAL');
    assert.deepEqual(await ok('open'), { controller: FRONT, door: 1, opened: true });
  });
});
