/**
 * osdp-pd (Node-RED as a reader) against an engine ControlPanel: the panel listens on an ephemeral
 * TCP port, the node connects to it; commands come out of the node, events go in and reach the panel.
 */
import assert from 'node:assert/strict';
import { ControlPanel, TcpServerChannel, decodeWiegand, keysToString, type CpEventRecord, type OsdpEvent } from '../../../lib/osdp';
import { fails, flow, handles, helper, nextOutput, nodes, statusLog, until, type FlowNode, type Msg } from './harness';

function pdNode(port: number, extra: Record<string, unknown> = {}): FlowNode {
  return {
    id: 'n-pd', type: 'osdp-pd', name: 'gateway', transport: 'tcp-client', host: '127.0.0.1', port, baudRate: 115200, address: 101,
    vendor: 'a1b2c3', model: 3, version: '4.5.6', serialNumber: 98765, readers: 1, leds: 1, outputs: 2, inputs: 2,
    buzzer: true, keypad: true, display: false, installMode: false, enforceSecure: false, ...extra,
  };
}

describe('osdp-pd node', function () {
  let cp: ControlPanel;
  let port: number;
  const events: CpEventRecord[] = [];

  function nextEvent(match: (e: OsdpEvent) => boolean, what: string): Promise<OsdpEvent> {
    const seen = events.find((r) => match(r.event));
    if (seen) return Promise.resolve(seen.event);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the panel got no ${what}`)), 10_000);
      const on = (r: CpEventRecord): void => {
        if (!match(r.event)) return;
        clearTimeout(timer);
        cp.off('event', on);
        resolve(r.event);
      };
      cp.on('event', on);
    });
  }

  function panel(listenPort: number): ControlPanel {
    const channel = new TcpServerChannel({ host: '127.0.0.1', port: listenPort, baudRate: 115200 });
    const p = new ControlPanel({ channel, pollInterval: 20, offlineBackoff: 100, pds: [{ address: 101, name: 'gw' }] });
    p.on('event', (r: CpEventRecord) => events.push(r));
    return p;
  }

  beforeEach(async () => {
    events.length = 0;
    cp = panel(0);
    await cp.start();
    port = (cp.channels[0] as TcpServerChannel).port;
    await helper.load(nodes, flow([pdNode(port)], []));
    assert.ok(await cp.waitOnline('gw', 10_000), 'the panel sees the node online');
  });
  afterEach(async () => {
    await helper.unload();
    await cp.stop();
  });

  it('answers identification and capabilities from its settings', () => {
    assert.deepEqual(cp.getPdId('gw'), { vendorCode: 0xa1b2c3, model: 3, version: 1, serialNumber: 98765, firmware: { major: 4, minor: 5, build: 6 } });
    const caps = cp.getCapabilities('gw');
    assert.equal(caps.find((c) => c.function === 2)?.numItems, 2, 'two outputs');
    assert.equal(caps.find((c) => c.function === 6), undefined, 'no text display');
  });

  it('emits the panel\'s LED, buzzer and output commands; NAKs what it lacks', async () => {
    let got = nextOutput((m) => m.topic === 'osdp/gateway/led');
    assert.equal((await cp.sendCommand('gw', { command: 'led', reader: 0, led: 0, temporary: { controlCode: 2, onCount: 5, offCount: 5, onColor: 1, offColor: 0, timer: 20 }, permanent: { controlCode: 0, onCount: 0, offCount: 0, onColor: 0, offColor: 0 } })).status, 'ok');
    const led = (await got).payload as Record<string, unknown>;
    assert.equal(led.command, 'led');
    assert.equal(led.address, 101);
    assert.deepEqual(led.temporary, { controlCode: 2, color: 'red', offColor: 'off', onTime: 500, offTime: 500, duration: 2000 });
    got = nextOutput((m) => m.topic === 'osdp/gateway/output');
    await cp.command('gw', { command: 'output', output: 1, controlCode: 5, timer: 30 });
    assert.deepEqual((await got).payload, { command: 'output', output: 1, action: 'pulse', controlCode: 5, pulseTime: 3000, address: 101 });
    got = nextOutput((m) => m.topic === 'osdp/gateway/buzzer');
    await cp.command('gw', { command: 'buzzer', reader: 0, controlCode: 2, onCount: 2, offCount: 1, repeat: 3 });
    assert.deepEqual((await got).payload, { command: 'buzzer', reader: 0, tone: 'default', beepTime: 200, pauseTime: 100, count: 3, address: 101 });
    const text = await cp.sendCommand('gw', { command: 'text', reader: 0, controlCode: 1, tempTime: 0, row: 1, column: 1, text: 'hi' });
    assert.equal(text.status, 'failed');
    assert.equal(text.error?.code, 'ENAK');
    const out3 = await cp.sendCommand('gw', { command: 'output', output: 2, controlCode: 2, timer: 0 });
    assert.equal(out3.status, 'failed', 'output 2 does not exist');
  });

  it('reports card reads (Wiegand 26 with parity, or raw bits) and key presses to the panel', async () => {
    helper.getNode('n-pd').receive({ payload: { event: 'card', card: 4660, facility: 18, format: 'wiegand26' } });
    const card = await nextEvent((e) => e.event === 'card', 'card read');
    assert.equal(card.event, 'card');
    if (card.event !== 'card') return;
    assert.deepEqual(decodeWiegand(card.data, card.bitCount), { format: 'wiegand26', bitCount: 26, bits: '10001001000010010001101001', facility: 18, card: 4660, parityOk: true });
    events.length = 0;
    helper.getNode('n-pd').receive({ payload: { event: 'card', raw: 'abc0', bits: 12 } });
    const raw = await nextEvent((e) => e.event === 'card', 'raw card');
    assert.deepEqual(raw.event === 'card' && [raw.bitCount, raw.data.toString('hex')], [12, 'abc0']);
    helper.getNode('n-pd').receive({ payload: { event: 'keypad', keys: '1234#' } });
    const keys = await nextEvent((e) => e.event === 'keypress', 'key presses');
    assert.equal(keys.event === 'keypress' && keysToString(keys.keys), '1234#');
  });

  it('status changes reach the panel as events and in its status requests', async () => {
    helper.getNode('n-pd').receive({ payload: { event: 'local', tamper: true, power: true } });
    const local = await nextEvent((e) => e.event === 'status' && e.type === 'local', 'local status');
    assert.deepEqual(local.event === 'status' && local.report, [1, 1]);
    helper.getNode('n-pd').receive({ payload: { event: 'input', inputs: [false, true] } });
    await nextEvent((e) => e.event === 'status' && e.type === 'input', 'input status');
    const istat = await cp.command('gw', { command: 'status', type: 'input' });
    assert.deepEqual(istat, { reply: 'istatr', inputs: [0, 1] });
  });

  it('bad msg.payload goes to Catch with EINVAL; the node keeps serving', async () => {
    for (const payload of [
      'card please', { event: 'swipe' }, { event: 'card', card: 70000, facility: 1, format: 'wiegand26' }, { event: 'card', card: 1, format: 'wiegand99' },
      { event: 'keypad', keys: '12a' }, { event: 'input', inputs: 'yes' }, { event: 'card', raw: 'zz' },
    ]) {
      const e = await fails('n-pd', { payload });
      assert.equal(e.code, 'EINVAL', JSON.stringify(payload));
    }
    helper.getNode('n-pd').receive({ payload: { event: 'card', card: 7, facility: 1 } });
    const card = await nextEvent((e) => e.event === 'card', 'card after the bad ones');
    assert.equal(card.event === 'card' && decodeWiegand(card.data, card.bitCount).card, 7);
  });

  it('shows "polled" while the panel talks to it, and the link state when the panel goes away', async () => {
    const log = statusLog('n-pd');
    helper.getNode('n-pd').receive({ payload: { event: 'keypad', keys: '1' } });
    await until(() => log.texts.includes('polled') || log.texts.includes('keys 1 queued'), 'a status');
    await cp.stop();
    await until(() => /^link down/.test(String(log.last()?.text ?? '')), 'the link down on the status');
    assert.equal(log.last()?.fill, 'red');
    cp = panel(port);
    await cp.start();
    await until(() => log.last()?.text === 'polled', 'polled again', 15_000);
  });

  it('closes its connection on close', async () => {
    const seen: Msg[] = [];
    helper.getNode('out').on('input', (m: Msg) => seen.push(m));
    const before = handles().TCPSocketWrap ?? 0;
    assert.ok(before >= 2, 'the node\'s socket and the panel\'s end of it are open');
    await helper.unload();
    assert.ok(await cp.waitOffline('gw', 10_000), 'the panel sees the reader go');
    await until(() => (handles().TCPSocketWrap ?? 0) < before, 'the node\'s socket closed');
    await helper.load(nodes, flow([pdNode(port)], []));
    assert.ok(await cp.waitOnline('gw', 10_000));
  });
});
