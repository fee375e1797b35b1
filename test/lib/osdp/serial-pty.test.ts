// CP and simulated PD over a real serial device: a socat pty pair with the serialport channel on both ends.
import { strict as assert } from 'node:assert';
import { ControlPanel, type CpEventRecord } from '../../../lib/osdp';
import { startSimulator, type OsdpSimulator } from '../../../lib/osdp/simulator';
import { haveSocat, ptyPair, type PtyPair } from './pty';
import { waitEvent } from './helpers';

describe('osdp over a pty pair (serialport on both ends)', function () {
  let pty: PtyPair | undefined;
  let sim: OsdpSimulator | undefined;
  let cp: ControlPanel | undefined;

  before(function () {
    if (!haveSocat()) {
      console.log('    socat is not installed: the pty test did not run (apt-get install socat to enable it)');
      this.skip();
    }
  });
  afterEach(async () => {
    await cp?.stop();
    await sim?.close();
    await pty?.close();
    cp = undefined;
    sim = undefined;
    pty = undefined;
  });

  it('comes online at 115200, round-trips commands and a card swipe', async () => {
    pty = await ptyPair();
    sim = await startSimulator({ serial: { path: pty.b, baudRate: 115200 }, pds: [101] });
    cp = new ControlPanel({ pds: [{ address: 101 }], channel: { type: 'serial', path: pty.a, baudRate: 115200 }, pollInterval: 10 });
    await cp.start();
    assert.equal(await cp.waitOnline(0, 5000), true);
    assert.equal(cp.channels[0].name, `serial:${pty.a}@115200`);
    for (let i = 0; i < 5; i++) assert.equal((await cp.sendCommand(0, { command: 'output', output: 1, controlCode: 2, timer: 0 })).status, 'ok');
    assert.deepEqual(sim.state(101).outputs, [0, 1]);
    const ev = waitEvent<[CpEventRecord]>(cp, 'event', 5000, (e) => e.event.event === 'card');
    sim.swipe(101, { facility: 12, card: 3456 });
    const [rec] = await ev;
    assert.equal(rec.event.event === 'card' && rec.event.bitCount, 26);
    assert.equal(cp.metrics(0).timeouts, 0);
    // COMSET: both ends change the line speed of their serial port and carry on.
    const moved = waitEvent(sim.pd(101), 'comset');
    assert.deepEqual(await cp.command(0, { command: 'comset', address: 101, baudRate: 38400 }), { reply: 'com', address: 101, baudRate: 38400 });
    await moved;
    assert.equal(cp.channels[0].baudRate, 38400);
    assert.equal(sim.channel.baudRate, 38400);
    assert.equal((await cp.sendCommand(0, { command: 'output', output: 1, controlCode: 1, timer: 0 })).status, 'ok');
  });

  it('the serial channel reports a missing device and keeps retrying with back-off', async () => {
    cp = new ControlPanel({ pds: [{ address: 1 }], channel: { type: 'serial', path: '/dev/osdp-no-such-port' }, reconnect: { initial: 10, max: 20 } });
    const waiting = waitEvent<[{ state: string; error?: Error }]>(cp, 'channel', 5000, (s) => s.state === 'waiting');
    await cp.start();
    const [s] = await waiting;
    assert.match(String(s.error?.message), /no-such-port|ENOENT|No such file/i);
    await waitEvent<[{ state: string }]>(cp, 'channel', 5000, (x) => x.state === 'connecting');
  });
});
