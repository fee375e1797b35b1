/** osdp-event against a reader on TCP: card reads decoded, key presses, PIN entry, status changes, online/offline. */
import assert from 'node:assert/strict';
import { bus, flow, helper, nextOutput, nodes, until, type FlowNode, type Msg } from './harness';
import { Reader } from './reader';

const ev = (id: string, extra: Record<string, unknown> = {}): FlowNode => ({
  id, type: 'osdp-event', bus: 'bus', pd: '', keys: 'keys', pinLength: 4, pinTimeout: 10,
  card: true, keypad: true, status: true, online: true, mfg: true, secure: false, file: false, ...extra,
});

type Payload = Record<string, unknown>;

describe('osdp-event node', function () {
  let reader: Reader;

  async function load(events: FlowNode[]): Promise<void> {
    await helper.load(nodes, flow(events, [bus(reader.port, [{ address: 101, name: 'front-door' }])]));
    await until(() => reader.pd.isOnline, 'the reader online');
  }

  beforeEach(async () => {
    reader = await new Reader(101).start();
  });
  afterEach(async () => {
    await helper.unload();
    await reader.stop();
  });

  it('a Wiegand 26 card read: facility, card number, parity, raw bits; topic osdp/<name>/card', async () => {
    await load([ev('e-all')]);
    const got = nextOutput((m) => m.topic === 'osdp/front-door/card', 'the card message');
    reader.swipe(18, 4660);
    const m = await got;
    const p = m.payload as Payload;
    assert.equal(typeof p.time, 'string');
    assert.ok(!Number.isNaN(Date.parse(p.time as string)));
    delete p.time;
    assert.deepEqual(p, { pd: 'front-door', address: 101, event: 'card', card: 4660, format: 'wiegand26', facility: 18, parityOk: true, bits: 26, raw: '89091a40', reader: 0 });
  });

  it('Wiegand 34 and 37 card reads, and an unknown length as raw bits', async () => {
    await load([ev('e-all')]);
    let got = nextOutput((m) => m.topic === 'osdp/front-door/card');
    reader.swipe(1234, 56789, 'wiegand34');
    let p = (await got).payload as Payload;
    assert.deepEqual([p.format, p.facility, p.card, p.bits, p.parityOk], ['wiegand34', 1234, 56789, 34, true]);
    got = nextOutput((m) => m.topic === 'osdp/front-door/card');
    reader.swipe(4321, 300000, 'wiegand37');
    p = (await got).payload as Payload;
    assert.deepEqual([p.format, p.facility, p.card, p.bits, p.parityOk], ['wiegand37', 4321, 300000, 37, true]);
    got = nextOutput((m) => m.topic === 'osdp/front-door/card');
    reader.pd.notifyEvent({ event: 'card', reader: 0, format: 'raw', direction: 0, bitCount: 12, data: Buffer.from([0xab, 0xc0]) });
    p = (await got).payload as Payload;
    assert.deepEqual([p.format, p.card, p.bits, p.raw], ['raw', 0xabc, 12, 'abc0']);
    assert.equal(p.facility, undefined);
  });

  it('key presses as they come, with * and #', async () => {
    await load([ev('e-all')]);
    const got = nextOutput((m) => m.topic === 'osdp/front-door/keypad');
    reader.keys('12*#');
    const p = (await got).payload as Payload;
    assert.equal(p.keys, '12*#');
    assert.equal(p.reader, 0);
  });

  it('PIN mode: one message per entry, ended by #, * clears, a pause ends an incomplete entry', async () => {
    await load([ev('e-pin', { keys: 'pin', pinLength: 6, pinTimeout: 1, card: false, status: false, online: false })]);
    let got = nextOutput((m) => m.topic === 'osdp/front-door/pin');
    reader.keys('99*');
    reader.keys('12');
    reader.keys('34#');
    let p = (await got).payload as Payload;
    assert.equal(p.pin, '1234');
    assert.equal(p.complete, true);
    got = nextOutput((m) => m.topic === 'osdp/front-door/pin');
    reader.keys('123456');
    p = (await got).payload as Payload;
    assert.deepEqual([p.pin, p.complete], ['123456', true], 'the maximum length ends an entry');
    got = nextOutput((m) => m.topic === 'osdp/front-door/pin', 'the timed-out entry');
    reader.keys('77');
    p = (await got).payload as Payload;
    assert.deepEqual([p.pin, p.complete], ['77', false]);
  });

  it('status changes reported by the reader', async () => {
    await load([ev('e-all')]);
    let got = nextOutput((m) => m.topic === 'osdp/front-door/status');
    reader.pd.setStatus({ tamper: true, power: true }, true);
    let p = (await got).payload as Payload;
    assert.deepEqual([p.kind, p.tamper, p.power], ['local', true, true]);
    got = nextOutput((m) => m.topic === 'osdp/front-door/status');
    reader.pd.setStatus({ inputs: [0, 1, 0, 0] }, true);
    p = (await got).payload as Payload;
    assert.deepEqual([p.kind, p.inputs], ['input', [false, true, false, false]]);
  });

  it('only the events chosen in the editor, only for the chosen reader', async () => {
    await load([ev('e-cards', { pd: '101', keypad: false, status: false, online: false }), ev('e-other', { pd: '55', card: true })]);
    const seen: Msg[] = [];
    helper.getNode('out').on('input', (m: Msg) => seen.push(m));
    reader.keys('1');
    reader.swipe(1, 2);
    await until(() => seen.some((m) => m.topic === 'osdp/front-door/card'), 'the card');
    reader.swipe(1, 3);
    await until(() => seen.filter((m) => m.topic === 'osdp/front-door/card').length === 2, 'the second card');
    assert.deepEqual(seen.map((m) => m.topic), ['osdp/front-door/card', 'osdp/front-door/card'], 'no keypad message, nothing from the node set to PD 55');
  });

  it('offline when the reader stops answering, online (with its identity) when it is back', async () => {
    await load([ev('e-online', { card: false, keypad: false, status: false, online: true })]);
    const port = reader.port;
    const offline = nextOutput((m) => m.topic === 'osdp/front-door/offline', 'the offline message');
    await reader.stop();
    const off = (await offline).payload as Payload;
    assert.deepEqual([off.event, off.online], ['offline', false]);
    const online = nextOutput((m) => m.topic === 'osdp/front-door/online', 'the online message', 15_000);
    reader = await new Reader(101).start(port);
    const on = (await online).payload as Payload;
    assert.equal(on.online, true);
    assert.deepEqual(on.id, { vendor: '0a0b0c', model: 7, version: 1, serialNumber: 123456, firmware: '2.1.5' });
  });
});
