import { strict as assert } from 'node:assert';
import { ControlPanel, createMemoryPair, encodeWiegand, parseCommand, type CpEventRecord } from '../../../lib/osdp';
import { startSimulator, DEMO_CARDS, type OsdpSimulator } from '../../../lib/osdp/simulator';
import { simCli } from '../../../lib/osdp/sim-cli';
import { until, waitEvent } from './helpers';

describe('osdp simulator', () => {
  let sim: OsdpSimulator | undefined;
  let cp: ControlPanel | undefined;
  afterEach(async () => {
    await cp?.stop();
    await sim?.close();
    cp = undefined;
    sim = undefined;
  });

  async function setup(extra: Parameters<typeof startSimulator>[0] extends infer O ? Partial<O> : never = {}): Promise<void> {
    const [a, b] = createMemoryPair();
    sim = await startSimulator({ channel: b, pds: [101], ...extra });
    cp = new ControlPanel({ pds: [{ address: 101 }], channel: a, pollInterval: 5 });
    await cp.start();
    assert.equal(await cp.waitOnline(0, 5000), true);
  }

  it('shows LED colours (permanent, temporary until its timer ends), buzzer, text and outputs', async () => {
    await setup();
    await cp!.command(0, parseCommand({ command: 'led', color: 'red' }) as never);
    assert.equal(sim!.state(101).leds['0:0'].color, 'red');
    await cp!.command(0, parseCommand({ command: 'led', color: 'green', mode: 'temporary', duration: 100 }) as never);
    assert.deepEqual(sim!.state(101).leds['0:0'], { color: 'green', flashing: false, onColor: 'green', offColor: 'green', temporary: true });
    await until(() => sim!.state(101).leds['0:0'].color === 'red', 'temporary state ends and the permanent colour returns');
    await cp!.command(0, parseCommand({ command: 'led', color: 'amber', offColor: 'black', onTime: 200, offTime: 200 }) as never);
    assert.equal(sim!.state(101).leds['0:0'].flashing, true);
    await cp!.command(0, parseCommand({ command: 'buzzer', repeat: 3 }) as never);
    assert.equal(sim!.state(101).buzzer?.repeat, 3);
    await cp!.command(0, parseCommand({ command: 'text', text: 'Access granted', row: 2 }) as never);
    assert.deepEqual(sim!.state(101).text, { row: 2, column: 1, text: 'Access granted', temporary: false });
    await cp!.command(0, parseCommand({ command: 'output', output: 1, action: 'on' }) as never);
    assert.deepEqual(sim!.state(101).outputs, [0, 1]);
    assert.equal(sim!.state(101).lastCommand, 'output');
    assert.ok(sim!.state(101).commands >= 6);
  });

  it('swipes the demo cards periodically, alternating allowed and denied', async () => {
    await setup({ swipeEvery: 0.05 });
    const cards: number[] = [];
    cp!.on('event', (e: CpEventRecord) => {
      if (e.event.event === 'card') cards.push(e.event.data.equals(encodeWiegand('wiegand26', 1, DEMO_CARDS[0].card!).data) ? 1001 : 666);
    });
    await until(() => cards.length >= 2, 'two demo swipes');
    assert.deepEqual(cards.slice(0, 2), [1001, 666]);
  });

  it('key presses, ASCII and raw cards, inputs and tamper', async () => {
    await setup();
    const events: CpEventRecord[] = [];
    cp!.on('event', (e: CpEventRecord) => events.push(e));
    sim!.keys(101, '42*#');
    sim!.swipe(101, { text: 'ABC123' });
    sim!.swipe(101, { bits: '1011' });
    sim!.setInput(101, 0, 1);
    sim!.setTamper(101, true);
    await until(() => events.length >= 5, 'five events');
    assert.deepEqual(events.map((e) => e.event.event), ['keypress', 'card', 'card', 'status', 'status']);
    assert.deepEqual(events[0].event, { event: 'keypress', reader: 0, keys: Buffer.from([0x34, 0x32, 0x7f, 0x0d]) });
    assert.throws(() => sim!.keys(101, 'x'), { code: 'EINVAL' });
    assert.throws(() => sim!.state(5), { code: 'EINVAL' });
  });

  it('fieldlink-sim osdp: parses its options, listens on TCP, prints commands, and stops', async () => {
    const lines: string[] = [];
    const running = await simCli.start(['--tcp', '127.0.0.1:0', '--pd', '101', '--pd', '7'], (l) => lines.push(l));
    try {
      const port = Number(running.listening.tcp.split(':')[1]);
      assert.ok(port > 0);
      cp = new ControlPanel({ pds: [{ address: 7 }], channel: { type: 'tcp', host: '127.0.0.1', port }, pollInterval: 5 });
      await cp.start();
      await cp.waitOnline(0, 5000);
      await cp.command(0, { command: 'buzzer', reader: 0, controlCode: 2, onCount: 1, offCount: 1, repeat: 1 });
      assert.ok(lines.some((l) => /pd 7: BUZ reader 0/.test(l)), lines.join('\n'));
      assert.ok(lines.some((l) => /readers 101, 7/.test(l)));
    } finally {
      await cp?.stop();
      cp = undefined;
      await running.close();
    }
    await assert.rejects(simCli.start(['--pd', '300', '--tcp', '127.0.0.1:0'], () => undefined), /bad --pd/);
    await assert.rejects(simCli.start(['--tcp', 'nope'], () => undefined), /bad --tcp/);
    await assert.rejects(simCli.start(['--tcp', '127.0.0.1:0', '--serial', '/dev/null'], () => undefined), /either/);
    assert.deepEqual(simCli.demoArgs.slice(0, 4), ['--tcp', '127.0.0.1:4001', '--pd', '101']);
  });

  it('a flow-triggered key press via the MFG command', async () => {
    await setup();
    const ev = waitEvent<[CpEventRecord]>(cp!, 'event', 5000, (e) => e.event.event === 'keypress');
    await cp!.command(0, { command: 'mfg', vendorCode: 0xf1e1d0, data: Buffer.from([2, ...Buffer.from('99#')]) });
    assert.deepEqual((await ev)[0].event, { event: 'keypress', reader: 0, keys: Buffer.from([0x39, 0x39, 0x0d]) });
  });
});
