// The simulated controller's access decisions and task list, driven through the engine where a
// controller function exists (the clock is passed in explicitly: no waiting on real time).
import * as assert from 'node:assert/strict';
import { rig, SERIAL, type Rig } from './helpers';

describe('uhppote simulator semantics', () => {
  let r: Rig;
  beforeEach(async () => {
    r = await rig();
    await r.uhppote.putCard(SERIAL, { card: 1001, startDate: '2020-01-01', endDate: '2099-12-31', door1: 1, door2: 1, door3: 1, door4: 1 });
  });
  afterEach(async () => r.close());

  it('grants a valid card and denies an expired one', async () => {
    assert.equal(r.sim.swipe(SERIAL, 1001, 1).accessGranted, true);
    await r.uhppote.putCard(SERIAL, { card: 1002, startDate: '2020-01-01', endDate: '2020-12-31', door1: 1 });
    const e = r.sim.swipe(SERIAL, 1002, 1);
    assert.equal(e.accessGranted, false);
    assert.equal(e.reason, 6);
  });

  it('a door set normally closed denies swipes (reason 11)', async () => {
    await r.uhppote.setDoor(SERIAL, { door: 2, mode: 2, delay: 5 });
    assert.equal(r.sim.swipe(SERIAL, 1001, 2).reason, 11);
  });

  it('time profiles decide by weekday and segment, following linked profiles', async () => {
    const all = { monday: true, tuesday: true, wednesday: true, thursday: true, friday: true, saturday: true, sunday: true };
    // profile 3: never (a zero-length segment); linked to profile 4: all day, every day
    await r.uhppote.setTimeProfile(SERIAL, { profileId: 3, startDate: '2020-01-01', endDate: '2099-12-31', ...all, segment1Start: '00:00', segment1End: '00:00', linkedProfileId: 4 });
    await r.uhppote.putCard(SERIAL, { card: 2001, startDate: '2020-01-01', endDate: '2099-12-31', door1: 3 });
    assert.equal(r.sim.swipe(SERIAL, 2001, 1).reason, 13, 'linked profile not there yet');
    await r.uhppote.setTimeProfile(SERIAL, { profileId: 4, startDate: '2020-01-01', endDate: '2099-12-31', ...all, segment1Start: '00:00', segment1End: '23:59' });
    assert.equal(r.sim.swipe(SERIAL, 2001, 1).accessGranted, true);
  });

  it('interlock denies a swipe or pushbutton while the paired door is open (reasons 12 and 33)', async () => {
    await r.uhppote.setInterlock(SERIAL, 1);
    await r.uhppote.recordSpecialEvents(SERIAL, true);
    r.sim.doorSensor(SERIAL, 1, true);
    assert.equal(r.sim.swipe(SERIAL, 1001, 2).reason, 12);
    assert.equal(r.sim.button(SERIAL, 2)?.reason, 33);
    assert.equal(r.sim.swipe(SERIAL, 1001, 3).accessGranted, true, 'doors 3 and 4 are not interlocked in mode 1');
    r.sim.doorSensor(SERIAL, 1, false);
    await r.uhppote.setInterlock(SERIAL, 0);
    assert.equal(r.sim.swipe(SERIAL, 1001, 2).accessGranted, true);
  });

  it('under PC control swipes are left to the host (denied, reason 5)', async () => {
    await r.uhppote.setPCControl(SERIAL, true);
    const e = r.sim.swipe(SERIAL, 1001, 1);
    assert.deepEqual([e.accessGranted, e.reason], [false, 5]);
    await r.uhppote.setPCControl(SERIAL, false);
    assert.equal(r.sim.swipe(SERIAL, 1001, 1).accessGranted, true);
  });

  it('refreshed tasks run at their start minute on their weekdays, once', async () => {
    const c = r.sim.controller(SERIAL);
    // 2024-06-03 is a Monday
    await r.uhppote.addTask(SERIAL, { task: 1, startDate: '2024-01-01', endDate: '2024-12-31', monday: true, startTime: '08:30', door: 2 });
    await r.uhppote.addTask(SERIAL, { task: 2, startDate: '2024-01-01', endDate: '2024-12-31', tuesday: true, startTime: '08:30', door: 3 });
    c.runTasks(new Date(2024, 5, 3, 8, 30, 10));
    assert.equal(c.doors[1].mode, 3, 'not refreshed yet: no effect');
    await r.uhppote.refreshTasklist(SERIAL);
    c.runTasks(new Date(2024, 5, 3, 8, 29, 59));
    assert.equal(c.doors[1].mode, 3, 'not yet 08:30');
    c.runTasks(new Date(2024, 5, 3, 8, 30, 0));
    assert.equal(c.doors[1].mode, 1, 'door 2 normally open from 08:30 on Mondays');
    assert.equal(c.doors[2].mode, 3, 'the Tuesday task did not run');
    assert.equal((await r.uhppote.getDoor(SERIAL, 2)).modeText, 'normally open');
    await r.uhppote.setDoor(SERIAL, { door: 2, mode: 3, delay: 5 });
    c.runTasks(new Date(2024, 5, 3, 8, 30, 30));
    assert.equal(c.doors[1].mode, 3, 'a task runs once per minute');
    c.runTasks(new Date(2025, 5, 2, 8, 30, 0));
    assert.equal(c.doors[1].mode, 3, 'outside the task dates');
    await r.uhppote.clearTasklist(SERIAL);
    c.runTasks(new Date(2024, 5, 10, 8, 30, 0));
    assert.equal(c.doors[1].mode, 3, 'cleared');
  });
});
