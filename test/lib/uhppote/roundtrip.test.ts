// Every controller function, engine <-> simulator, over UDP broadcast, directed UDP and TCP:
// the reply is right and the simulated controller's state changed as the real one's would.
import * as assert from 'node:assert/strict';
import {
  CardDeleted,
  CardNotFound,
  EventNotFound,
  EventOverwritten,
  TimeProfileNotFound,
  codec,
  type ControllerAddress,
} from '../../../lib/uhppote';
import * as dgram from 'node:dgram';
import { TimeoutError } from '../../../lib/common';
import { rig, SERIAL, SERIAL2, type Rig } from './helpers';

describe('uhppote engine <-> simulator round trips', () => {
  for (const transport of ['broadcast', 'udp', 'tcp'] as const) {
    describe(`over ${transport === 'broadcast' ? 'UDP broadcast' : transport === 'udp' ? 'directed UDP' : 'TCP'}`, () => {
      let r: Rig;
      let c: ControllerAddress;
      beforeEach(async () => {
        r = await rig();
        c = r.address[transport]();
      });
      afterEach(async () => r.close());

      it('get-controller', async () => {
        const reply = await r.uhppote.getController(c);
        assert.equal(reply.controller, SERIAL);
        assert.equal(reply.version, 'v8.92');
        assert.equal(reply.ipAddress, '192.168.1.100');
        assert.match(reply.macAddress, /^00:12:23:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$/);
      });

      it('set-address (no reply) changes the controller address', async () => {
        const reply = await r.uhppote.setIPv4(c, { address: '10.1.2.3', netmask: '255.255.0.0', gateway: '10.1.0.1' });
        assert.deepEqual(reply, { controller: SERIAL, ok: true });
        const after = await r.uhppote.getController(c);
        assert.deepEqual([after.ipAddress, after.subnetMask, after.gateway], ['10.1.2.3', '255.255.0.0', '10.1.0.1']);
      });

      it('get-time / set-time', async () => {
        const set = await r.uhppote.setTime(c, '2031-02-03 04:05:06');
        assert.match(set.datetime ?? '', /^2031-02-03 04:\d{2}:\d{2}$/);
        const got = await r.uhppote.getTime(c);
        assert.match(got.datetime ?? '', /^2031-02-03 04:\d{2}:\d{2}$/);
        await r.uhppote.setTime(c, new Date(2030, 0, 2, 3, 4, 5));
        assert.match((await r.uhppote.getTime(c)).datetime ?? '', /^2030-01-02 03:\d{2}:\d{2}$/);
      });

      it('get-status and get-status record', async () => {
        const status = await r.uhppote.getStatus(c);
        assert.equal(status.controller, SERIAL);
        assert.equal(status.eventIndex, 0);
        assert.match(status.systemDate ?? '', /^\d{4}-\d{2}-\d{2}$/);
        assert.match(status.systemTime ?? '', /^\d{2}:\d{2}:\d{2}$/);
        await r.uhppote.openDoor(c, 2);
        const record = await r.uhppote.getStatusRecord(c);
        assert.equal(record.doors[2].unlocked, true);
        assert.equal(record.doors[1].unlocked, false);
        assert.equal(record.event?.index, 1);
        assert.equal(record.event?.reasonText, 'remote open door');
        assert.equal(record.alarms.fire, false);
        assert.deepEqual(record.inputs, { 1: false, 2: false, 3: false, 4: false });
        const raw = await r.uhppote.getStatus(c);
        assert.deepEqual(raw.relayStates, { 1: false, 2: true, 3: false, 4: false });
      });

      it('get-listener / set-listener (with auto-send interval)', async () => {
        assert.deepEqual(await r.uhppote.setListener(c, { address: '192.168.1.10', port: 60001, interval: 15 }), { controller: SERIAL, ok: true });
        assert.deepEqual(await r.uhppote.getListener(c), { controller: SERIAL, address: '192.168.1.10', port: 60001, interval: 15 });
      });

      it('get-door / set-door', async () => {
        const set = await r.uhppote.setDoor(c, { door: 3, mode: 2, delay: 7 });
        assert.deepEqual(set, { controller: SERIAL, door: 3, mode: 2, modeText: 'normally closed', delay: 7 });
        assert.deepEqual(await r.uhppote.getDoor(c, 3), set);
        assert.equal((await r.uhppote.getDoor(c, 1)).modeText, 'controlled');
      });

      it('open-door logs a remote-open event and unlocks the relay', async () => {
        assert.deepEqual(await r.uhppote.openDoor(c, 4), { controller: SERIAL, opened: true });
        const status = await r.uhppote.getStatus(c);
        assert.equal(status.relays & 0x08, 0x08);
        assert.equal(status.eventReason, 44);
        assert.equal(status.eventDoor, 4);
      });

      it('put/get/delete cards, card records, deleted and missing cards', async () => {
        assert.deepEqual(await r.uhppote.putCard(c, { card: 8165538, startDate: '2024-01-01', endDate: '2024-12-31', door1: 1, door2: 29, pin: 7531 }), { controller: SERIAL, stored: true });
        assert.deepEqual(await r.uhppote.putCardRecord(c, { card: 10058400, startDate: '2024-01-01', endDate: '2025-12-31', permissions: { 4: 1 } }), { controller: SERIAL, stored: true });
        assert.deepEqual(await r.uhppote.getCards(c), { controller: SERIAL, cards: 2 });
        assert.deepEqual(await r.uhppote.getCard(c, 8165538), {
          controller: SERIAL, card: 8165538, startDate: '2024-01-01', endDate: '2024-12-31', door1: 1, door2: 29, door3: 0, door4: 0, pin: 7531,
        });
        assert.deepEqual(await r.uhppote.getCardRecordAtIndex(c, 2), {
          card: 10058400, startDate: '2024-01-01', endDate: '2025-12-31', permissions: { 1: 0, 2: 0, 3: 0, 4: 1 }, pin: 0,
        });
        assert.equal((await r.uhppote.getCardAtIndex(c, 1)).card, 8165538);
        assert.deepEqual(await r.uhppote.deleteCard(c, 8165538), { controller: SERIAL, deleted: true });
        assert.deepEqual(await r.uhppote.deleteCard(c, 8165538), { controller: SERIAL, deleted: false });
        assert.equal((await r.uhppote.getCardAtIndex(c, 1)).card, 0xffffffff);
        await assert.rejects(r.uhppote.getCardRecordAtIndex(c, 1), (e: unknown) => e instanceof CardDeleted && e.code === 'ECARDDELETED' && e.device === SERIAL);
        await assert.rejects(r.uhppote.getCardRecord(c, 8165538), (e: unknown) => e instanceof CardNotFound && e.code === 'ECARDNOTFOUND');
        await assert.rejects(r.uhppote.getCardRecordAtIndex(c, 99), CardNotFound);
        assert.equal((await r.uhppote.getCard(c, 123)).card, 0);
        assert.deepEqual(await r.uhppote.deleteAllCards(c), { controller: SERIAL, deleted: true });
        assert.equal((await r.uhppote.getCards(c)).cards, 0);
        assert.equal(r.sim.controller(SERIAL).cards.length, 0);
      });

      it('Wiegand-34 card numbers are not rejected', async () => {
        await r.uhppote.putCard(c, { card: 4_000_000_000, startDate: '2024-01-01', endDate: '2024-12-31', door1: 1 });
        assert.equal((await r.uhppote.getCardRecord(c, 4_000_000_000)).card, 4_000_000_000);
      });

      it('event index, events, event records, not-found and overwritten events', async () => {
        r.sim.controller(SERIAL).eventCapacity = 3;
        for (let i = 0; i < 5; i++) r.sim.swipe(SERIAL, 8165538 + i, 1);
        const e5 = await r.uhppote.getEvent(c, 5);
        assert.equal(e5.index, 5);
        assert.equal(e5.eventTypeText, 'swipe');
        assert.equal(e5.card, 8165542);
        assert.equal(e5.accessGranted, false);
        assert.equal(e5.reasonText, 'no access rights');
        const rec = await r.uhppote.getEventRecord(c, 3);
        assert.equal(rec.kind, 1);
        assert.equal(rec.card, 8165540);
        await assert.rejects(r.uhppote.getEventRecord(c, 1), (e: unknown) => e instanceof EventOverwritten && e.code === 'EEVENTOVERWRITTEN');
        await assert.rejects(r.uhppote.getEventRecord(c, 6), (e: unknown) => e instanceof EventNotFound && e.code === 'EEVENTNOTFOUND');
        assert.equal((await r.uhppote.getEvent(c, 1)).eventType, 0xff);
        assert.deepEqual(await r.uhppote.getEventIndex(c), { controller: SERIAL, eventIndex: 0 });
        assert.deepEqual(await r.uhppote.setEventIndex(c, 4), { controller: SERIAL, updated: true });
        assert.deepEqual(await r.uhppote.getEventIndex(c), { controller: SERIAL, eventIndex: 4 });
      });

      it('record-special-events turns door and button events on', async () => {
        assert.equal(r.sim.doorSensor(SERIAL, 1, true), undefined);
        assert.deepEqual(await r.uhppote.recordSpecialEvents(c, true), { controller: SERIAL, updated: true });
        const e = r.sim.doorSensor(SERIAL, 1, true);
        assert.equal(e?.reason, 23);
        assert.equal((await r.uhppote.getStatus(c)).door1Open, true);
        assert.equal(r.sim.button(SERIAL, 2)?.reason, 20);
        assert.equal((await r.uhppote.getEventRecord(c, 2)).reasonText, 'push button ok');
      });

      it('time profiles: set, get, record forms, clear, not found', async () => {
        const profile = {
          profileId: 29, startDate: '2024-01-01', endDate: '2024-12-31',
          monday: true, tuesday: false, wednesday: true, thursday: true, friday: false, saturday: false, sunday: true,
          segment1Start: '08:30', segment1End: '11:45', segment2Start: '13:15', segment2End: '16:30', segment3Start: '19:30', segment3End: '20:55',
          linkedProfileId: 30,
        };
        assert.deepEqual(await r.uhppote.setTimeProfile(c, profile), { controller: SERIAL, stored: true });
        assert.deepEqual(await r.uhppote.getTimeProfile(c, 29), { controller: SERIAL, ...profile });
        assert.deepEqual(
          await r.uhppote.setTimeProfileRecord(c, { id: 30, startDate: '2024-01-01', endDate: '2024-12-31', weekdays: { saturday: true }, segments: { 1: { start: '9:00', end: '12:00' } } }),
          { controller: SERIAL, stored: true },
        );
        const rec = await r.uhppote.getTimeProfileRecord(c, 30);
        assert.deepEqual(rec.weekdays, { monday: false, tuesday: false, wednesday: false, thursday: false, friday: false, saturday: true, sunday: false });
        assert.deepEqual(rec.segments[1], { start: '09:00', end: '12:00' });
        assert.deepEqual(rec.segments[2], { start: '00:00', end: '00:00' });
        assert.equal(rec.linkedProfile, 0);
        assert.deepEqual(await r.uhppote.clearTimeProfiles(c), { controller: SERIAL, deleted: true });
        await assert.rejects(r.uhppote.getTimeProfileRecord(c, 29), (e: unknown) => e instanceof TimeProfileNotFound && e.code === 'ETIMEPROFILENOTFOUND');
        assert.equal((await r.uhppote.getTimeProfile(c, 29)).profileId, 0);
      });

      it('tasks: add, add record, refresh, clear', async () => {
        const task = { task: 2, startDate: '2024-01-01', endDate: '2024-12-31', monday: true, startTime: '08:30', door: 3, moreCards: 17 };
        assert.deepEqual(await r.uhppote.addTask(c, task), { controller: SERIAL, added: true });
        assert.deepEqual(await r.uhppote.addTaskRecord(c, { task: 1, startDate: '2024-01-01', endDate: '2024-12-31', weekdays: { friday: true }, startTime: '17:00', door: 1 }), { controller: SERIAL, added: true });
        const sc = r.sim.controller(SERIAL);
        assert.equal(sc.pendingTasks.length, 2);
        assert.equal(sc.tasks.length, 0);
        assert.deepEqual(await r.uhppote.refreshTasklist(c), { controller: SERIAL, refreshed: true });
        assert.equal(sc.tasks.length, 2);
        assert.equal(sc.tasks[0].moreCards, 17);
        assert.equal(sc.tasks[1].friday, true);
        assert.deepEqual(await r.uhppote.clearTasklist(c), { controller: SERIAL, cleared: true });
        assert.equal(sc.tasks.length, 0);
      });

      it('set-pc-control, set-interlock, activate-keypads', async () => {
        const sc = r.sim.controller(SERIAL);
        assert.deepEqual(await r.uhppote.setPCControl(c, true), { controller: SERIAL, ok: true });
        assert.equal(sc.pcControl, true);
        assert.deepEqual(await r.uhppote.setInterlock(c, 4), { controller: SERIAL, ok: true });
        assert.equal(sc.interlock, 4);
        assert.deepEqual(await r.uhppote.activateKeypads(c, { reader1: true, reader2: true, reader3: false, reader4: true }), { controller: SERIAL, ok: true });
        assert.deepEqual(sc.keypads, [true, true, false, true]);
      });

      it('set-door-passcodes (and the record form)', async () => {
        assert.deepEqual(await r.uhppote.setDoorPasscodes(c, { door: 3, passcode1: 12345, passcode2: 0, passcode3: 999999, passcode4: 54321 }), { controller: SERIAL, ok: true });
        assert.deepEqual(r.sim.controller(SERIAL).doors[2].passcodes, [12345, 0, 999999, 54321]);
        assert.deepEqual(await r.uhppote.setDoorPasscodesRecord(c, { door: 1, passcodes: [7531] }), { controller: SERIAL, ok: true });
        assert.deepEqual(r.sim.controller(SERIAL).doors[0].passcodes, [7531, 0, 0, 0]);
      });

      it('get/set anti-passback', async () => {
        assert.deepEqual(await r.uhppote.getAntiPassback(c), { controller: SERIAL, antipassback: 0, antipassbackText: 'disabled' });
        assert.deepEqual(await r.uhppote.setAntiPassback(c, 2), { controller: SERIAL, ok: true });
        assert.deepEqual(await r.uhppote.getAntiPassback(c), { controller: SERIAL, antipassback: 2, antipassbackText: '(1,3):(2,4)' });
      });

      it('set-first-card', async () => {
        const fc = { door: 3, startTime: '08:30', endTime: '17:45', activeMode: 1, inactiveMode: 2, monday: true, tuesday: true, thursday: true, saturday: true, sunday: true };
        assert.deepEqual(await r.uhppote.setFirstCard(c, fc), { controller: SERIAL, ok: true });
        const stored = r.sim.controller(SERIAL).doors[2].firstCard;
        assert.equal(stored?.endTime, '17:45');
        assert.equal(stored?.activeMode, 1);
        assert.equal(stored?.wednesday, false);
      });

      it('restore-default-parameters resets door settings', async () => {
        await r.uhppote.setDoor(c, { door: 1, mode: 1, delay: 9 });
        await r.uhppote.setAntiPassback(c, 3);
        assert.deepEqual(await r.uhppote.restoreDefaultParameters(c), { controller: SERIAL, reset: true });
        assert.deepEqual(await r.uhppote.getDoor(c, 1), { controller: SERIAL, door: 1, mode: 3, modeText: 'controlled', delay: 5 });
        assert.equal((await r.uhppote.getAntiPassback(c)).antipassback, 0);
      });

      it('addresses each controller by its serial', async () => {
        assert.equal((await r.uhppote.getController(r.address[transport](SERIAL2))).controller, SERIAL2);
        await r.uhppote.putCard(r.address[transport](SERIAL2), { card: 1, startDate: '2024-01-01', endDate: '2024-12-31' });
        assert.equal(r.sim.controller(SERIAL2).cards.length, 1);
        assert.equal(r.sim.controller(SERIAL).cards.length, 0);
      });
    });
  }

  describe('get-controllers and the magic word', () => {
    let r: Rig;
    beforeEach(async () => {
      r = await rig({}, 300);
    });
    afterEach(async () => r.close());

    it('get-controllers collects every controller that answers before the timeout', async () => {
      const all = await r.uhppote.getControllers();
      assert.deepEqual(all.map((x) => x.controller).sort(), [SERIAL, SERIAL2].sort());
    });

    it('a request without the magic word gets no reply and changes nothing', async () => {
      await r.uhppote.putCard(SERIAL, { card: 1, startDate: '2024-01-01', endDate: '2024-12-31' });
      const frame = codec.encodeRequest('deleteAllCards', SERIAL);
      frame.writeUInt32LE(0, 8); // no magic word
      const sock = dgram.createSocket('udp4');
      const replies: Buffer[] = [];
      sock.on('message', (m) => replies.push(m));
      await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', () => resolve()));
      await new Promise<void>((resolve, reject) => sock.send(frame, r.port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
      // a request that does get answered, sent after: once its reply is in, the first was handled
      const probe = codec.encodeRequest('getCards', SERIAL);
      const reply = await new Promise<Buffer>((resolve) => {
        sock.once('message', (m) => resolve(m));
        sock.send(probe, r.port, '127.0.0.1');
      });
      sock.close();
      assert.equal(replies.length, 1, 'only the probe was answered');
      assert.equal(codec.decodeReply<{ cards: number }>('getCards', reply).cards, 1);
      assert.equal(r.sim.stats.requests >= 2, true);
    });

    it('a controller that does not exist times out with a typed error', async () => {
      await assert.rejects(r.uhppote.getStatus(12345), (e: unknown) => e instanceof TimeoutError && e.code === 'ETIMEOUT' && e.device === 12345 && e.operation === 'get-status');
    });
  });
});
