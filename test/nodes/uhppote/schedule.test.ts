/** uhppote-schedule against the simulator: time profiles and tasks. */
import assert from 'node:assert/strict';
import type { UhppoteSimulator } from '../../../lib/uhppote';
import { FRONT, actionNode, fails, flow, helper, nodes, ok, startSim } from './harness';

const node = actionNode('uhppote-schedule', { profile: '29', profileType: 'num' });

describe('uhppote-schedule node', function () {
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
    c.timeProfiles.clear();
    c.tasks = [];
    c.pendingTasks = [];
    await helper.load(nodes, flow(port, [
      node('getProfile', 'get-time-profile'),
      node('setProfile', 'set-time-profile', {
        startDate: '2025-01-01', endDate: '2025-12-31', weekdays: 'monday,wednesday,thursday,sunday',
        segment1Start: '08:30', segment1End: '11:45', segment2Start: '13:00', segment2End: '17:15', segment3Start: '', segment3End: '',
        linkedProfile: '31',
      }),
      node('clearProfiles', 'clear-time-profiles'),
      node('addTask', 'add-task', { task: '1', startDate: '2025-01-01', endDate: '2025-12-31', weekdays: 'weekdays', startTime: '08:30', door: 3, moreCards: '' }),
      node('refresh', 'refresh-task-list'),
      node('clearTasks', 'clear-task-list'),
    ]));
  });
  afterEach(async () => {
    await helper.unload();
  });

  it('set-time-profile then get-time-profile gives the same fields back', async () => {
    const set = await ok('setProfile');
    const expected = {
      controller: FRONT, profile: 29, startDate: '2025-01-01', endDate: '2025-12-31',
      weekdays: ['monday', 'wednesday', 'thursday', 'sunday'],
      segment1Start: '08:30', segment1End: '11:45', segment2Start: '13:00', segment2End: '17:15', segment3Start: '00:00', segment3End: '00:00',
      linkedProfile: 31,
    };
    assert.deepEqual(set, { ...expected, ok: true });
    const got = await ok('getProfile');
    assert.equal(got.profile, 29);
    assert.deepEqual(got.weekdays, expected.weekdays);
    assert.equal(got.segment1Start, '08:30');
    assert.equal(got.segment2End, '17:15');
    assert.equal(got.linkedProfile, 31);
    assert.equal(got.startDate, '2025-01-01');
    // the output, sent to another profile id, stores the same profile there (round trip)
    await ok('setProfile', { payload: { ...got, profile: 30 } });
    const copy = await ok('getProfile', { payload: { profile: 30 } });
    assert.deepEqual({ ...copy, profile: 29 }, got);
  });

  it('get-time-profile of a missing profile is a typed error; clear-time-profiles empties them', async () => {
    assert.equal((await fails('getProfile', { payload: { profile: 100 } })).code, 'ETIMEPROFILENOTFOUND');
    await ok('setProfile');
    assert.deepEqual(await ok('clearProfiles'), { controller: FRONT, ok: true });
    assert.equal(sim.controller(FRONT).timeProfiles.size, 0);
    assert.equal((await fails('getProfile')).code, 'ETIMEPROFILENOTFOUND');
  });

  it('add-task, refresh-task-list, clear-task-list', async () => {
    const added = await ok('addTask', { payload: { task: 'door normally open' } });
    assert.deepEqual(added, {
      controller: FRONT, ok: true, task: 'door normally open', taskCode: 1, startDate: '2025-01-01', endDate: '2025-12-31',
      weekdays: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'], startTime: '08:30', door: 3, moreCards: 0,
    });
    await ok('addTask', { payload: { task: 8, moreCards: 2, door: 1, weekdays: ['saturday'] } });
    const c = sim.controller(FRONT);
    assert.equal(c.pendingTasks.length, 2);
    assert.equal(c.tasks.length, 0);
    assert.deepEqual(await ok('refresh'), { controller: FRONT, ok: true });
    assert.equal(c.tasks.length, 2);
    assert.equal(c.tasks[1].task, 8);
    assert.equal(c.tasks[1].moreCards, 2);
    assert.equal(c.tasks[1].saturday, true);
    assert.deepEqual(await ok('clearTasks'), { controller: FRONT, ok: true });
    assert.equal(c.tasks.length, 0);
  });

  it('rejects bad input and keeps working', async () => {
    const bad: Array<[string, Record<string, unknown>]> = [
      ['getProfile', { profile: 1 }],
      ['getProfile', { profile: 255 }],
      ['setProfile', { segment1Start: '8h30' }],
      ['setProfile', { segment1Start: '12:00', segment1End: '11:00' }],
      ['setProfile', { linkedProfile: 29 }],
      ['setProfile', { weekdays: ['funday'] }],
      ['setProfile', { endDate: '2024-12-31' }],
      ['addTask', { task: 13 }],
      ['addTask', { task: 'make coffee' }],
      ['addTask', { door: 5 }],
      ['addTask', { startTime: '' }],
    ];
    for (const [id, payload] of bad) assert.equal((await fails(id, { payload })).code, 'EINVAL', `${id} ${JSON.stringify(payload)}`);
    assert.equal((await ok('setProfile')).ok, true);
  });
});
