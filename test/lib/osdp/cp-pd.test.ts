import { strict as assert } from 'node:assert';
import {
  CapabilityFunction,
  CommandCode,
  ControlPanel,
  NakError,
  NotConnectedError,
  PdFlag,
  ReplyCode,
  encodeFrame,
  encodeReply,
  encodeWiegand,
  type AppCommand,
  type CpEventRecord,
  type OsdpCommand,
  type PacketCapture,
  type PdEvent,
} from '../../../lib/osdp';
import { rig, until, waitEvent, type Rig } from './helpers';

const led: AppCommand = {
  command: 'led',
  reader: 0,
  led: 0,
  temporary: { controlCode: 2, onCount: 2, offCount: 2, onColor: 2, offColor: 0, timer: 30 },
  permanent: { controlCode: 1, onCount: 1, offCount: 0, onColor: 1, offColor: 0 },
};

describe('osdp CP <-> PD over the in-memory pair', function () {
  let r: Rig | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  it('comes online through ID then CAP, within three exchanges, SQN 0 then 1', async () => {
    r = await rig();
    assert.equal(await r.cp.waitOnline(0, 5000), true);
    const codes = r.sent.slice(0, 2).map((f) => f.code);
    assert.deepEqual(codes, [CommandCode.ID, CommandCode.CAP]);
    assert.deepEqual(r.sent.slice(0, 4).map((f) => f.sqn), [0, 1, 2, 3].slice(0, Math.min(4, r.sent.length)));
    const info = r.cp.pdInfo(0);
    assert.equal(info.state, 'online');
    assert.deepEqual(info.id?.firmware, { major: 1, minor: 0, build: 0 });
    assert.equal(r.cp.checkCapability(0, CapabilityFunction.READER_LED_CONTROL)?.compliance, 1);
    assert.ok(r.cp.getPdId('pd-101'));
    assert.equal(r.cp.isOnline(0), true);
  });

  it('cycles SQN 1, 2, 3, 1 after the initial 0', async () => {
    r = await rig();
    await r.cp.waitOnline(0, 5000);
    await until(() => r!.sent.length >= 8, 'eight frames');
    assert.deepEqual(r.sent.slice(0, 8).map((f) => f.sqn), [0, 1, 2, 3, 1, 2, 3, 1]);
    for (const f of r.sent) assert.equal(f.crc, true);
  });

  it('round-trips every application command to the PD handler', async () => {
    const got: OsdpCommand[] = [];
    r = await rig([{ handler: (c) => void (c.command !== 'poll' && got.push(c)) }]);
    await r.cp.waitOnline(0, 5000);
    const commands: AppCommand[] = [
      led,
      { command: 'buzzer', reader: 0, controlCode: 2, onCount: 3, offCount: 3, repeat: 2 },
      { command: 'output', output: 1, controlCode: 5, timer: 20 },
      { command: 'text', reader: 0, controlCode: 1, tempTime: 0, row: 1, column: 1, text: 'Welcome' },
      { command: 'keepactive', time: 2000 },
      { command: 'acurxsize', size: 512 },
      { command: 'abort' },
    ];
    for (const c of commands) {
      const res = await r.cp.sendCommand(0, c);
      assert.equal(res.status, 'ok', `${c.command}: ${res.error?.message}`);
      assert.deepEqual(res.reply, { reply: 'ack' });
    }
    assert.deepEqual(got, commands);
    assert.deepEqual(r.pds[0].status.outputs, [0, 1], 'output 1 is on (temporary pulse)');
  });

  it('answers status requests from the PD state and reports them as events too', async () => {
    r = await rig();
    await r.cp.waitOnline(0, 5000);
    r.pds[0].setStatus({ tamper: true, power: false, inputs: [1, 0, 0, 1], outputs: [0, 1], readers: [0] });
    const events: CpEventRecord[] = [];
    r.cp.on('event', (e: CpEventRecord) => events.push(e));
    assert.deepEqual((await r.cp.command(0, { command: 'status', type: 'local' })), { reply: 'lstatr', tamper: true, power: false });
    assert.deepEqual(await r.cp.command(0, { command: 'status', type: 'input' }), { reply: 'istatr', inputs: [1, 0, 0, 1] });
    assert.deepEqual(await r.cp.command(0, { command: 'status', type: 'output' }), { reply: 'ostatr', outputs: [0, 1] });
    assert.deepEqual(await r.cp.command(0, { command: 'status', type: 'reader' }), { reply: 'rstatr', readers: [0] });
    assert.deepEqual(events.map((e) => e.event), [
      { event: 'status', type: 'local', report: [1, 0] },
      { event: 'status', type: 'input', report: [1, 0, 0, 1] },
      { event: 'status', type: 'output', report: [0, 1] },
      { event: 'status', type: 'reader', report: [0] },
    ]);
  });

  it('MFG reaches the handler and its MFGREP comes back as the result and an event', async () => {
    r = await rig([{ handler: (c) => (c.command === 'mfg' ? { reply: 'mfgrep', vendorCode: c.vendorCode, data: Buffer.concat([c.data, Buffer.from([0xee])]) } : undefined) }]);
    await r.cp.waitOnline(0, 5000);
    const ev = waitEvent<[CpEventRecord]>(r.cp, 'event');
    const reply = await r.cp.command(0, { command: 'mfg', vendorCode: 0x123456, data: Buffer.from([1, 2]) });
    assert.deepEqual(reply, { reply: 'mfgrep', vendorCode: 0x123456, data: Buffer.from([1, 2, 0xee]) });
    assert.deepEqual((await ev)[0].event, { event: 'mfgrep', vendorCode: 0x123456, data: Buffer.from([1, 2, 0xee]) });
  });

  it('delivers every PD event through POLL: raw and Wiegand cards, ASCII card, keypad, status, MFGREP', async () => {
    r = await rig();
    await r.cp.waitOnline(0, 5000);
    const w = encodeWiegand('wiegand26', 1, 1001);
    const events: PdEvent[] = [
      { event: 'card', reader: 0, format: 'wiegand', direction: 0, bitCount: w.bitCount, data: w.data },
      { event: 'card', reader: 1, format: 'raw', direction: 0, bitCount: 12, data: Buffer.from([0xab, 0xc0]) },
      { event: 'card', reader: 0, format: 'ascii', direction: 1, bitCount: 4, data: Buffer.from('1234') },
      { event: 'keypress', reader: 0, keys: Buffer.from('12*#') },
      { event: 'status', type: 'input', report: [1, 1, 0, 0] },
      { event: 'status', type: 'local', report: [0, 1] },
      { event: 'mfgrep', vendorCode: 0xabcdef, data: Buffer.from([9]) },
    ];
    const got: CpEventRecord[] = [];
    r.cp.on('event', (e: CpEventRecord) => got.push(e));
    for (const e of events) r.pds[0].notifyEvent(e);
    await until(() => got.length === events.length, 'all events');
    assert.deepEqual(got.map((g) => g.event), events);
    assert.ok(got.every((g) => g.pd === 0 && g.name === 'pd-101' && g.address === 101));
  });

  it('getEvent polls the same events, per PD or for any', async () => {
    r = await rig();
    await r.cp.waitOnline(0, 5000);
    let emitted = 0;
    r.cp.on('event', () => emitted++); // the getEvent queue is filled as each event is emitted
    r.pds[0].notifyEvent({ event: 'keypress', reader: 0, keys: Buffer.from('1') });
    r.pds[0].notifyEvent({ event: 'keypress', reader: 0, keys: Buffer.from('2') });
    await until(() => emitted === 2, 'both events received');
    const first = r.cp.getEvent(0);
    const second = r.cp.getEvent();
    assert.deepEqual(first?.event, { event: 'keypress', reader: 0, keys: Buffer.from('1') });
    assert.deepEqual(second?.event, { event: 'keypress', reader: 0, keys: Buffer.from('2') });
    assert.equal(r.cp.getEvent(), undefined);
  });

  it('retries a lost reply with the same SQN and the PD resends its cached reply byte for byte', async () => {
    let calls = 0;
    r = await rig([{ handler: (c) => void (c.command === 'led' && calls++) }]);
    await r.cp.waitOnline(0, 5000);
    const tapped: Buffer[] = [];
    let dropped = false;
    r.pdSide.intercept = (b) => {
      if (b.includes(ReplyCode.ACK) && tapped.length < 2 && r!.sent.at(-1)?.code === CommandCode.LED) {
        tapped.push(Buffer.from(b));
        if (!dropped) {
          dropped = true;
          return null;
        }
      }
      return b;
    };
    const res = await r.cp.sendCommand(0, led);
    assert.equal(res.status, 'ok');
    const ledFrames = r.sent.filter((f) => f.code === CommandCode.LED);
    assert.equal(ledFrames.length, 2, 'sent twice');
    assert.equal(ledFrames[0].sqn, ledFrames[1].sqn, 'same SQN on the retry');
    assert.ok(ledFrames[0].raw.equals(ledFrames[1].raw), 'same bytes on the retry');
    assert.equal(tapped.length, 2);
    assert.ok(tapped[0].equals(tapped[1]), 'cached reply resent byte for byte');
    assert.equal(calls, 1, 'the handler ran once');
    assert.equal(r.pds[0].metrics.repeats, 1);
    assert.ok(r.cp.metrics(0).retries >= 1);
    assert.ok(r.cp.metrics(0).timeouts >= 1);
  });

  it('a PD NAKs an out-of-sequence SQN with 4; the CP restarts the sequence at 0 and the command succeeds', async () => {
    r = await rig();
    await r.cp.waitOnline(0, 5000);
    let faked = false;
    r.pdSide.intercept = (b) => {
      const last = r!.sent.at(-1);
      if (!faked && last?.code === CommandCode.LED) {
        faked = true;
        return encodeFrame({ address: 101, reply: true, sqn: last.sqn, crc: true, ...encodeReply({ reply: 'nak', code: 4 }) });
      }
      return b;
    };
    const res = await r.cp.sendCommand(0, led);
    assert.equal(res.status, 'ok', res.error?.message);
    const ledFrames = r.sent.filter((f) => f.code === CommandCode.LED);
    assert.equal(ledFrames.at(-1)?.sqn, 0, 'resent with SQN 0');
    assert.ok(r.cp.metrics(0).naks >= 1);
  });

  it('fails a command the PD does not support with NAK 3 (capabilities) and stays online', async () => {
    r = await rig([{ capabilities: [{ function: CapabilityFunction.READER_LED_CONTROL, compliance: 1, numItems: 1 }] }]);
    await r.cp.waitOnline(0, 5000);
    const res = await r.cp.sendCommand(0, { command: 'text', reader: 0, controlCode: 1, tempTime: 0, row: 0, column: 0, text: 'x' });
    assert.equal(res.status, 'failed');
    assert.ok(res.error instanceof NakError);
    assert.equal((res.error as NakError).nak, 3);
    await assert.rejects(r.cp.command(0, { command: 'output', output: 0, controlCode: 1, timer: 0 }), (e: unknown) => e instanceof NakError && e.nak === 3);
    await assert.rejects(r.cp.command(0, { command: 'mfg', vendorCode: 1, data: Buffer.alloc(0) }), (e: unknown) => e instanceof NakError && e.nak === 3);
    assert.equal(r.cp.isOnline(0), true);
  });

  it('a handler returning false or throwing gives NAK 9', async () => {
    r = await rig([{ handler: (c) => (c.command === 'buzzer' ? false : c.command === 'text' ? (() => { throw new Error('display broken'); })() : undefined) }]);
    await r.cp.waitOnline(0, 5000);
    await assert.rejects(r.cp.command(0, { command: 'buzzer', reader: 0, controlCode: 2, onCount: 1, offCount: 1, repeat: 1 }), (e: unknown) => e instanceof NakError && e.nak === 9);
    await assert.rejects(r.cp.command(0, { command: 'text', reader: 0, controlCode: 1, tempTime: 0, row: 0, column: 0, text: 'x' }), (e: unknown) => e instanceof NakError && e.nak === 9);
  });

  it('BUSY: an async handler makes the PD answer BUSY, the CP waits and resends until the reply', async () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((res) => (release = res));
    r = await rig([{ handlerTimeout: 1, flags: ['CapturePackets'], handler: (c) => (c.command === 'led' ? released : undefined) }], { busyDelay: 1 });
    await r.cp.waitOnline(0, 5000);
    r.pds[0].on('packet', (p: PacketCapture) => {
      if (p.direction === 'tx' && p.bytes[5] === ReplyCode.BUSY && r!.pds[0].metrics.busy >= 2) release();
    });
    const res = await r.cp.sendCommand(0, led);
    assert.equal(res.status, 'ok');
    assert.ok(r.cp.metrics(0).busy >= 2);
    const ledFrames = r.sent.filter((f) => f.code === CommandCode.LED);
    assert.ok(ledFrames.every((f) => f.sqn === ledFrames[0].sqn), 'BUSY resends keep the SQN');
  });

  it('goes offline after repeated misses (event), aborts queued commands, and comes back after the back-off', async () => {
    r = await rig([{}], { responseTimeout: 20, retries: 2, offlineBackoff: 30 });
    await r.cp.waitOnline(0, 5000);
    r.pdSide.intercept = () => null; // the PD goes silent
    const [info, err] = await waitEvent<[{ name: string; online: boolean }, Error]>(r.cp, 'offline');
    assert.equal(info.name, 'pd-101');
    assert.equal(info.online, false);
    assert.match(err.message, /did not answer/);
    assert.ok(r.cp.metrics(0).timeouts >= 3);
    assert.equal(r.cp.metrics(0).offlineCount, 1);
    const res = await r.cp.sendCommand(0, led);
    assert.equal(res.status, 'failed');
    assert.ok(res.error instanceof NotConnectedError);
    r.pdSide.intercept = undefined; // back
    await waitEvent(r.cp, 'online');
    assert.equal(r.cp.isOnline(0), true);
    const last = r.sent.filter((f) => f.code === CommandCode.ID).at(-1);
    assert.equal(last?.sqn, 0, 'restarts with SQN 0');
  });

  it('falls back from CRC to checksum when the PD NAKs with 1', async () => {
    r = await rig([{ crc: false }]);
    assert.equal(await r.cp.waitOnline(0, 5000), true);
    assert.equal(r.cp.pdInfo(0).crc, false);
    assert.equal(r.replies[0].code, ReplyCode.NAK);
    assert.equal(r.replies[0].data[0], 1);
    assert.equal(r.sent[0].crc, true);
    assert.equal(r.sent[1].crc, false);
    assert.equal(r.sent[1].sqn, r.sent[0].sqn, 'same SQN after the fallback');
    await until(() => r!.sent.length > 5, 'polls');
    assert.ok(r.sent.slice(1).every((f) => !f.crc));
    assert.equal((await r.cp.sendCommand(0, led)).status, 'ok');
  });

  it('several PDs on one bus each get their own commands and report their own events', async () => {
    const got: Array<[number, string]> = [];
    r = await rig([0, 1, 2].map(() => ({ handler: (c: OsdpCommand, pd: { address: number }) => void (c.command !== 'poll' && got.push([pd.address, c.command])) })));
    assert.equal(await r.cp.waitOnline(undefined, 5000), true);
    assert.deepEqual(r.cp.statusMask(), [true, true, true]);
    await r.cp.command(2, { command: 'buzzer', reader: 0, controlCode: 2, onCount: 1, offCount: 1, repeat: 1 });
    await r.cp.command('pd-101', led);
    assert.deepEqual(got, [[103, 'buzzer'], [101, 'led']]);
    const ev = waitEvent<[CpEventRecord]>(r.cp, 'event');
    r.pds[1].notifyEvent({ event: 'keypress', reader: 0, keys: Buffer.from('5') });
    const [rec] = await ev;
    assert.equal(rec.pd, 1);
    assert.equal(rec.address, 102);
  });

  it('several channels at once', async () => {
    r = await rig();
    const other = await rig([{ address: 101 }]);
    try {
      await r.cp.stop();
      await other.cp.stop();
      const cp = new ControlPanel({ pds: [{ address: 101, name: 'a', channel: r.cpSide }, { address: 101, name: 'b', channel: other.cpSide }], pollInterval: 5 });
      await cp.start();
      assert.equal(await cp.waitOnline(undefined, 5000), true);
      assert.notEqual(cp.pdInfo('a').channel, undefined);
      assert.equal(cp.channelMetrics().length, 2);
      await cp.stop();
    } finally {
      await other.close();
    }
  });

  it('flushCommands ends queued commands as flushed; stop() ends the rest as aborted', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((res) => (release = res));
    r = await rig([{ handlerTimeout: 1, handler: (c) => (c.command === 'led' ? gate : undefined) }], { busyDelay: 2 });
    await r.cp.waitOnline(0, 5000);
    const first = r.cp.sendCommand(0, led);
    await until(() => r!.cp.metrics(0).busy > 0, 'PD busy');
    const queued = [r.cp.sendCommand(0, led), r.cp.sendCommand(0, led)];
    assert.equal(r.cp.queuedCommands(0), 2);
    assert.equal(r.cp.flushCommands(0), 2);
    assert.deepEqual((await Promise.all(queued)).map((x) => x.status), ['flushed', 'flushed']);
    const later = r.cp.sendCommand(0, led);
    release();
    assert.equal((await first).status, 'ok');
    assert.equal((await later).status, 'ok');
  });

  it('disablePd aborts and reports offline; enablePd brings it back', async () => {
    r = await rig();
    await r.cp.waitOnline(0, 5000);
    const off = waitEvent(r.cp, 'offline');
    r.cp.disablePd(0);
    await off;
    assert.equal(r.cp.pdInfo(0).state, 'disabled');
    assert.equal(r.cp.isPdEnabled(0), false);
    r.cp.enablePd(0);
    await waitEvent(r.cp, 'online');
    assert.equal(r.cp.isOnline(0), true);
  });

  it('IgnoreUnsolicited drops a card read that answers a non-POLL command; without it the read is an event', async () => {
    const w = encodeWiegand('wiegand26', 7, 77);
    r = await rig([{ handler: (c) => (c.command === 'led' ? { reply: 'raw', reader: 0, format: 1, bitCount: 26, data: w.data } : undefined) }]);
    await r.cp.waitOnline(0, 5000);
    const events: CpEventRecord[] = [];
    r.cp.on('event', (e: CpEventRecord) => events.push(e));
    assert.equal((await r.cp.sendCommand(0, led)).status, 'ok');
    assert.equal(events.length, 1);
    r.cp.setFlag(0, 'IgnoreUnsolicited');
    assert.equal(r.cp.hasFlag(0, PdFlag.IgnoreUnsolicited), true);
    assert.equal((await r.cp.sendCommand(0, led)).status, 'ok');
    assert.equal(events.length, 1);
    r.cp.clearFlag(0, 'IgnoreUnsolicited');
    assert.equal(r.cp.hasFlag(0, 'IgnoreUnsolicited'), false);
  });

  it('EnableNotification adds command and PD status notifications to the events', async () => {
    r = await rig([{}], {}, [{ flags: ['EnableNotification'] }]);
    const events: CpEventRecord[] = [];
    r.cp.on('event', (e: CpEventRecord) => events.push(e));
    await r.cp.waitOnline(0, 5000);
    await r.cp.sendCommand(0, led);
    assert.deepEqual(
      events.map((e) => e.event),
      [
        { event: 'notification', type: 'pd-status', what: 'online' },
        { event: 'notification', type: 'command', what: 'led', status: 'ok' },
      ],
    );
  });

  it('CapturePackets emits every frame both ways', async () => {
    r = await rig([{}], {}, [{ flags: ['CapturePackets'] }]);
    const packets: PacketCapture[] = [];
    r.cp.on('packet', (p: PacketCapture) => packets.push(p));
    await r.cp.waitOnline(0, 5000);
    await until(() => packets.filter((p) => p.direction === 'tx').length >= 3, 'packets');
    const start = packets.findIndex((p) => p.direction === 'tx' && p.bytes[5] === CommandCode.POLL);
    const [tx, rx] = packets.slice(start, start + 2);
    assert.equal(tx.direction, 'tx');
    assert.equal(tx.bytes[0], 0x53, 'no mark in captures');
    assert.equal(tx.bytes[5], CommandCode.POLL);
    assert.equal(rx.direction, 'rx');
    assert.equal(rx.bytes[1], 0x80 | 101);
    assert.equal(rx.bytes[5], ReplyCode.ACK);
  });

  it('COMSET: the PD answers COM and moves to the new address; the CP follows', async () => {
    r = await rig();
    await r.cp.waitOnline(0, 5000);
    const moved = waitEvent(r.pds[0], 'comset');
    const reply = await r.cp.command(0, { command: 'comset', address: 42, baudRate: 9600 });
    assert.deepEqual(reply, { reply: 'com', address: 42, baudRate: 9600 });
    await moved;
    assert.equal(r.pds[0].address, 42);
    assert.equal(r.cp.pdInfo(0).address, 42);
    assert.equal((await r.cp.sendCommand(0, led)).status, 'ok');
    assert.equal(r.sent.at(-1)?.address === 42 || r.sent.some((f) => f.address === 42 && f.code === CommandCode.LED), true);
  });

  it('refuses bad input without touching the bus', async () => {
    r = await rig();
    await r.cp.waitOnline(0, 5000);
    await assert.rejects(r.cp.sendCommand(0, { command: 'output', output: 300, controlCode: 1, timer: 0 }), { code: 'EINVAL' });
    await assert.rejects(r.cp.sendCommand(0, { command: 'poll' } as unknown as AppCommand), { code: 'EINVAL' });
    await assert.rejects(r.cp.sendCommand(9, led), { code: 'ENOTFOUND' });
    assert.throws(() => r!.pds[0].notifyEvent({ event: 'card', reader: 0, format: 'raw', direction: 0, bitCount: 26, data: Buffer.alloc(1) }), { code: 'EINVAL' });
  });

  it('a dropped link takes PDs offline and the channel reopens with back-off', async () => {
    r = await rig([{}], { reconnect: { initial: 10, max: 20 } });
    await r.cp.waitOnline(0, 5000);
    const states: string[] = [];
    r.cp.on('channel', (s: { state: string }) => states.push(s.state));
    const off = waitEvent(r.cp, 'offline');
    r.cpSide.fail();
    await off;
    await waitEvent(r.cp, 'online');
    assert.deepEqual(states.slice(0, 3), ['waiting', 'connecting', 'open']);
    assert.equal(r.cp.channelMetrics()[0].reopens, 1);
  });
});
