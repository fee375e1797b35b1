// CP and PD over real TCP sockets on 127.0.0.1 (ephemeral ports): the simulator listens like a
// serial device server, the CP connects as a client; and the reverse (CP listens, PD connects).
import { strict as assert } from 'node:assert';
import { ControlPanel, PeripheralDevice, TcpServerChannel, encodeWiegand, type CpEventRecord } from '../../../lib/osdp';
import { startSimulator, type OsdpSimulator } from '../../../lib/osdp/simulator';
import { until, waitEvent } from './helpers';

describe('osdp over TCP on 127.0.0.1', () => {
  let sim: OsdpSimulator | undefined;
  let cp: ControlPanel | undefined;
  afterEach(async () => {
    await cp?.stop();
    await sim?.close();
    cp = undefined;
    sim = undefined;
  });

  it('CP (TCP client) drives two simulated readers: online, commands, card and key events', async () => {
    sim = await startSimulator({ tcp: { host: '127.0.0.1', port: 0 }, pds: [101, 102] });
    cp = new ControlPanel({ pds: [{ address: 101, name: 'door' }, { address: 102, name: 'gate' }], channel: { type: 'tcp', host: '127.0.0.1', port: sim.port!, baudRate: 115200 }, pollInterval: 10 });
    await cp.start();
    assert.equal(await cp.waitOnline(undefined, 5000), true);
    assert.deepEqual(cp.pdInfo('door').id?.firmware, { major: 1, minor: 2, build: 3 });
    await cp.command('door', { command: 'led', reader: 0, led: 0, temporary: { controlCode: 2, onCount: 5, offCount: 0, onColor: 2, offColor: 0, timer: 100 }, permanent: { controlCode: 1, onCount: 1, offCount: 0, onColor: 1, offColor: 0 } });
    await cp.command('door', { command: 'output', output: 0, controlCode: 5, timer: 50 });
    await cp.command('gate', { command: 'text', reader: 0, controlCode: 1, tempTime: 0, row: 1, column: 1, text: 'Hi' });
    await cp.command('gate', { command: 'buzzer', reader: 0, controlCode: 2, onCount: 1, offCount: 1, repeat: 2 });
    const door = sim.state(101);
    assert.deepEqual(door.leds['0:0'], { color: 'green', flashing: false, onColor: 'green', offColor: 'black', temporary: true });
    assert.deepEqual(door.outputs, [1, 0]);
    assert.deepEqual(sim.state(102).text, { row: 1, column: 1, text: 'Hi', temporary: false });
    assert.equal(sim.state(102).buzzer?.repeat, 2);
    const events: CpEventRecord[] = [];
    cp.on('event', (e: CpEventRecord) => events.push(e));
    sim.swipe(101, { facility: 1, card: 1001 });
    sim.keys(102, '12#');
    sim.setInput(101, 2, 1);
    await until(() => events.length >= 3, 'three events');
    const w = encodeWiegand('wiegand26', 1, 1001);
    assert.deepEqual(events.find((e) => e.event.event === 'card')?.event, { event: 'card', reader: 0, format: 'wiegand', direction: 0, bitCount: 26, data: w.data });
    assert.equal(events.find((e) => e.event.event === 'keypress')?.name, 'gate');
    assert.deepEqual(events.find((e) => e.event.event === 'status')?.event, { event: 'status', type: 'input', report: [0, 0, 1, 0] });
  });

  it('a flow can trigger a swipe through the simulator MFG command', async () => {
    sim = await startSimulator({ tcp: { host: '127.0.0.1', port: 0 } });
    cp = new ControlPanel({ pds: [{ address: 101 }], channel: { type: 'tcp', host: '127.0.0.1', port: sim.port! }, pollInterval: 10 });
    await cp.start();
    await cp.waitOnline(0, 5000);
    const ev = waitEvent<[CpEventRecord]>(cp, 'event', 5000, (e) => e.event.event === 'card');
    await cp.command(0, { command: 'mfg', vendorCode: 0xf1e1d0, data: Buffer.from([1, 1, 0x03, 0xe9]) });
    const [rec] = await ev;
    assert.deepEqual(rec.event, { event: 'card', reader: 0, format: 'wiegand', direction: 0, bitCount: 26, data: encodeWiegand('wiegand26', 1, 1001).data });
  });

  it('offline when the device server goes away, online again once it is back (channel reopens with back-off)', async () => {
    sim = await startSimulator({ tcp: { host: '127.0.0.1', port: 0 } });
    const port = sim.port!;
    cp = new ControlPanel({ pds: [{ address: 101 }], channel: { type: 'tcp', host: '127.0.0.1', port }, pollInterval: 10, reconnect: { initial: 20, max: 50 }, offlineBackoff: 20 });
    await cp.start();
    await cp.waitOnline(0, 5000);
    const off = waitEvent(cp, 'offline');
    await sim.close();
    await off;
    const waiting = await waitEvent<[{ state: string; retryIn?: number }]>(cp, 'channel', 5000, (s) => s.state === 'waiting');
    assert.ok((waiting[0].retryIn ?? -1) >= 0);
    sim = await startSimulator({ tcp: { host: '127.0.0.1', port } });
    await waitEvent(cp, 'online');
    assert.equal(cp.isOnline(0), true);
  });

  it('CP as TCP server, PD as TCP client (the reverse wiring)', async () => {
    const server = new TcpServerChannel({ host: '127.0.0.1', port: 0 });
    cp = new ControlPanel({ pds: [{ address: 3 }], channel: server, pollInterval: 10, responseTimeout: 50, offlineBackoff: 10 });
    await cp.start();
    const pd = new PeripheralDevice({ address: 3, channel: { type: 'tcp', host: '127.0.0.1', port: server.port } });
    await pd.start();
    try {
      assert.equal(await cp.waitOnline(0, 5000), true);
      assert.equal((await cp.sendCommand(0, { command: 'keepactive', time: 100 })).status, 'ok');
    } finally {
      await pd.stop();
    }
  });
});
