// The events listener against the simulator: swipes, door and button events, v6.62 start byte,
// auto-send status packets, the async stream, bad packets reported without stopping.
import * as assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import { once } from 'node:events';
import { ProtocolError } from '../../../lib/common';
import { codec, UhppoteListener, type ControllerEvent } from '../../../lib/uhppote';
import { rig, SERIAL, SERIAL2, type Rig } from './helpers';

/** The next 'event' (or 'status'); unlike events.once, an 'error' does not reject it. */
function nextEvent(l: UhppoteListener, name: 'event' | 'status' = 'event'): Promise<ControllerEvent> {
  return new Promise((resolve) => l.once(name, resolve));
}

describe('uhppote events listener', () => {
  let r: Rig;
  let listener: UhppoteListener;
  let listenPort: number;

  beforeEach(async () => {
    listener = new UhppoteListener({ listen: '127.0.0.1:0' });
    await listener.start();
    listenPort = listener.address()!.port;
    r = await rig({ controllers: [SERIAL, { serial: SERIAL2, eventStartByte: 0x19 }], listener: `127.0.0.1:${listenPort}` });
  });
  afterEach(async () => {
    await listener.close();
    await r.close();
  });

  it('receives a granted swipe with readable text', async () => {
    await r.uhppote.putCard(SERIAL, { card: 8165538, startDate: '2020-01-01', endDate: '2099-12-31', door2: 1 });
    const got = nextEvent(listener);
    r.sim.swipe(SERIAL, 8165538, 2, 1);
    const e = await got;
    assert.equal(e.controller, SERIAL);
    assert.equal(e.eventIndex, 1);
    assert.equal(e.eventTypeText, 'swipe');
    assert.equal(e.eventCard, 8165538);
    assert.equal(e.eventDoor, 2);
    assert.equal(e.eventAccessGranted, true);
    assert.equal(e.eventReasonText, 'swipe');
    assert.equal(e.eventDirectionText, 'in');
    assert.equal(e.relays & 0x02, 0x02, 'door 2 relay unlocked');
  });

  it('receives a denied swipe of an unknown card, and a time-profile denial', async () => {
    let got = nextEvent(listener);
    r.sim.swipe(SERIAL, 999, 1, 2);
    let e = await got;
    assert.equal(e.eventAccessGranted, false);
    assert.equal(e.eventReasonText, 'no access rights');
    assert.equal(e.eventDirectionText, 'out');
    // a profile that is never active today
    await r.uhppote.setTimeProfile(SERIAL, { profileId: 9, startDate: '2000-01-01', endDate: '2000-12-31', monday: true, segment1Start: '00:00', segment1End: '23:59' });
    await r.uhppote.putCard(SERIAL, { card: 77, startDate: '2020-01-01', endDate: '2099-12-31', door1: 9 });
    got = nextEvent(listener);
    r.sim.swipe(SERIAL, 77, 1);
    e = await got;
    assert.equal(e.eventReasonText, 'not in allowed time period');
  });

  it('accepts firmware v6.62 event packets (start byte 0x19)', async () => {
    const got = nextEvent(listener);
    r.sim.swipe(SERIAL2, 123, 4);
    const e = await got;
    assert.equal(e.controller, SERIAL2);
    assert.equal(e.eventDoor, 4);
  });

  it('remote open door and special events arrive as events', async () => {
    let got = nextEvent(listener);
    await r.uhppote.openDoor(SERIAL, 1);
    assert.equal((await got).eventReasonText, 'remote open door');
    await r.uhppote.recordSpecialEvents(SERIAL, true);
    got = nextEvent(listener);
    r.sim.button(SERIAL, 3);
    const e = await got;
    assert.equal(e.eventReasonText, 'push button ok');
    assert.equal(e.eventTypeText, 'door');
  });

  it('auto-send status packets arrive as status (not as new events)', async () => {
    await r.uhppote.setListener(SERIAL, { address: '127.0.0.1', port: listenPort, interval: 1 });
    let events = 0;
    listener.on('event', () => events++);
    const s = await nextEvent(listener, 'status');
    assert.equal(s.controller, SERIAL);
    assert.equal(s.eventIndex, 0);
    assert.equal(events, 0);
  });

  it('async stream yields events until the listener closes', async () => {
    const stream = listener.events();
    r.sim.swipe(SERIAL, 1, 1);
    r.sim.swipe(SERIAL, 2, 1);
    const a = await stream.next();
    const b = await stream.next();
    assert.deepEqual([a.value && a.value.eventCard, b.value && b.value.eventCard], [1, 2]);
    const end = stream.next();
    await listener.close();
    assert.equal((await end).done, true);
  });

  it('reports bad packets as ProtocolError and keeps listening', async () => {
    const errors: Error[] = [];
    listener.on('error', (e) => errors.push(e));
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', () => resolve()));
    const send = (b: Buffer): Promise<void> => new Promise((resolve, reject) => sock.send(b, listenPort, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
    const good = codec.encodeEvent(SERIAL, { eventIndex: 9, eventType: 1, eventCard: 42, eventTimestamp: '2024-05-06 07:08:09', systemDate: '2024-05-06', systemTime: '07:08:09' });
    const badStart = Buffer.from(good);
    badStart[0] = 0x19;
    badStart[1] = 0x94; // 0x19 only for function 0x20
    await send(Buffer.alloc(10, 0x17));
    await send(Buffer.concat([good, Buffer.alloc(1)]));
    await send(badStart);
    const got = nextEvent(listener);
    await send(good);
    const e = await got;
    sock.close();
    assert.equal(e.eventCard, 42);
    assert.equal(e.eventTimestamp, '2024-05-06 07:08:09');
    assert.equal(errors.length, 3);
    for (const err of errors) assert.ok(err instanceof ProtocolError, String(err));
  });

  it('a throwing event handler does not stop the listener', async () => {
    const errors: Error[] = [];
    listener.on('error', (e) => errors.push(e));
    listener.once('event', () => {
      throw new Error('handler bug');
    });
    r.sim.swipe(SERIAL, 1, 1);
    await once(listener, 'error');
    const got = nextEvent(listener);
    r.sim.swipe(SERIAL, 2, 1);
    assert.equal((await got).eventCard, 2);
    assert.match(errors[0].message, /handler bug/);
  });

  it('Uhppote.listen() rejects with NotConnectedError when the port is taken, and close() stops its listeners', async () => {
    await assert.rejects(r.uhppote.listen(`127.0.0.1:${listenPort}`), (e: unknown) => (e as { code?: string }).code === 'ENOTCONN');
    const l = await r.uhppote.listen('127.0.0.1:0');
    const closed = once(l, 'close');
    await r.uhppote.close();
    await closed;
    assert.equal(l.address(), undefined);
  });
});
