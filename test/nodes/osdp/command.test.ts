/** osdp-command against a reader on TCP: every operation reaches the reader as the right OSDP command; errors go to Catch. */
import assert from 'node:assert/strict';
import { bus, call, caughtError, fails, flow, helper, nodes, ok, statusLog, until, type FlowNode } from './harness';
import { Reader } from './reader';

// Node ids are prefixed: Node-RED takes a property value equal to a node id for a config-node reference.
const cmd = (id: string, operation: string, extra: Record<string, unknown> = {}): FlowNode => ({
  id: `n-${id}`, type: 'osdp-command', bus: 'bus', pd: '101', operation, ...extra,
});

describe('osdp-command node', function () {
  let reader: Reader;

  beforeEach(async () => {
    reader = await new Reader(101).start();
    await helper.load(nodes, flow([
      cmd('led', 'led', { color: 'green', offColor: 'off', pattern: 'steady', mode: 'temporary', duration: 3000, reader: 0, led: 0 }),
      cmd('ledPerm', 'led', { color: 'red', pattern: 'slow', mode: 'permanent' }),
      cmd('buzzer', 'buzzer', { tone: 'default', beepTime: 200, pauseTime: 300, count: 2 }),
      cmd('relay', 'output', { output: 1, action: 'pulse', pulseTime: 3000 }),
      cmd('text', 'text', { text: 'Welcome', textType: 'str', row: 1, column: 2, mode: 'temporary', duration: 5000, wrap: false }),
      cmd('textMsg', 'text', { text: 'payload.message', textType: 'msg', mode: 'permanent' }),
      cmd('lstat', 'lstat'),
      cmd('istat', 'istat'),
      cmd('ostat', 'ostat'),
      cmd('rstat', 'rstat'),
      cmd('id', 'id'),
      cmd('cap', 'cap'),
      cmd('mfg', 'mfg', { vendor: '0a0b0c', data: '01 02 03' }),
      cmd('comset', 'comset', { address: '', baud: '' }),
      cmd('fromMsg', 'led', { pd: '' }),
    ], [bus(reader.port, [{ address: 101, name: 'door' }, { address: 102, name: 'absent' }])]));
    await until(() => reader.pd.isOnline, 'the reader online');
    await until(() => (helper.getNode('bus').osdp as { info(p: unknown): { online: boolean } }).info({ name: 'door' })?.online, 'the bus sees it online');
  });
  afterEach(async () => {
    await helper.unload();
    await reader.stop();
  });

  it('LED temporary: colours, steady pattern, duration in 100 ms units', async () => {
    const from = reader.commands.length;
    const r = await ok('n-led');
    assert.deepEqual(r, { pd: 'door', address: 101, operation: 'led', ok: true });
    const c = await reader.command('led', from);
    assert.equal(c.reader, 0);
    assert.equal(c.led, 0);
    assert.deepEqual(c.temporary, { controlCode: 2, onCount: 1, offCount: 0, onColor: 2, offColor: 0, timer: 30 });
    assert.equal(c.permanent.controlCode, 0);
  });

  it('LED permanent with a flash pattern, msg.payload overriding colour and pattern', async () => {
    const from = reader.commands.length;
    await ok('n-ledPerm', { payload: { color: 'amber', pattern: 'fast' } });
    const c = await reader.command('led', from);
    assert.deepEqual(c.permanent, { controlCode: 1, onCount: 1, offCount: 1, onColor: 3, offColor: 0 });
    assert.equal(c.temporary.controlCode, 0);
    const from2 = reader.commands.length;
    await ok('n-ledPerm', { payload: { pattern: 'custom', onTime: 700, offTime: 300, offColor: 'blue' } });
    const c2 = await reader.command('led', from2);
    assert.deepEqual(c2.permanent, { controlCode: 1, onCount: 7, offCount: 3, onColor: 1, offColor: 4 });
  });

  it('buzzer: tone, on/off times and count', async () => {
    const from = reader.commands.length;
    await ok('n-buzzer');
    assert.deepEqual(await reader.command('buzzer', from), { command: 'buzzer', reader: 0, controlCode: 2, onCount: 2, offCount: 3, repeat: 2 });
  });

  it('output pulse (door relay), then on and off from msg.payload', async () => {
    let from = reader.commands.length;
    await ok('n-relay');
    assert.deepEqual(await reader.command('output', from), { command: 'output', output: 1, controlCode: 5, timer: 30 });
    from = reader.commands.length;
    await ok('n-relay', { payload: { action: 'on', output: 0 } });
    assert.deepEqual(await reader.command('output', from), { command: 'output', output: 0, controlCode: 2, timer: 0 });
    from = reader.commands.length;
    await ok('n-relay', { payload: { action: 'off', output: 0 } });
    assert.deepEqual(await reader.command('output', from), { command: 'output', output: 0, controlCode: 1, timer: 0 });
  });

  it('text from the editor and from a msg property (typedInput)', async () => {
    let from = reader.commands.length;
    await ok('n-text');
    assert.deepEqual(await reader.command('text', from), { command: 'text', reader: 0, controlCode: 3, tempTime: 5, row: 1, column: 2, text: 'Welcome' });
    from = reader.commands.length;
    await ok('n-textMsg', { payload: { message: 'Hello there' } });
    const c = await reader.command('text', from);
    assert.equal(c.text, 'Hello there');
    assert.equal(c.controlCode, 1);
  });

  it('status requests: local, input, output and reader status in msg.payload', async () => {
    reader.pd.setStatus({ tamper: true, power: false, inputs: [1, 0, 0, 1], outputs: [0, 1] });
    assert.deepEqual(await ok('n-lstat'), { pd: 'door', address: 101, operation: 'lstat', ok: true, tamper: true, power: false });
    assert.deepEqual((await ok('n-istat')).inputs, [true, false, false, true]);
    assert.deepEqual((await ok('n-ostat')).outputs, [false, true]);
    assert.deepEqual((await ok('n-rstat')).readers, ['normal']);
  });

  it('identification and capabilities', async () => {
    const id = await ok('n-id');
    assert.deepEqual(id.id, { vendor: '0a0b0c', model: 7, version: 1, serialNumber: 123456, firmware: '2.1.5' });
    const cap = await ok<{ capabilities: { function: string; numItems: number }[] }>('n-cap');
    assert.deepEqual(cap.capabilities.find((c) => c.function === 'output-control')?.numItems, 2);
  });

  it('manufacturer command: data reaches the reader, its reply comes back', async () => {
    reader.reply = (c) => (c.command === 'mfg' ? { reply: 'mfgrep', vendorCode: 0x0a0b0c, data: Buffer.from([0x99, 0x01]) } : undefined);
    const from = reader.commands.length;
    const r = await ok('n-mfg');
    const c = await reader.command('mfg', from);
    assert.equal(c.vendorCode, 0x0a0b0c);
    assert.deepEqual([...c.data], [1, 2, 3]);
    assert.equal(r.vendor, '0a0b0c');
    assert.equal(r.data, '9901');
  });

  it('COMSET changes the baud rate (address kept) and reports the reader\'s answer', async () => {
    const r = await ok('n-comset', { payload: { baud: 38400 } });
    assert.equal(r.address, 101);
    assert.equal(r.baudRate, 38400);
  });

  it('the target reader from msg.payload.pd, by name or address', async () => {
    let from = reader.commands.length;
    await ok('n-fromMsg', { payload: { pd: 'door', color: 'blue' } });
    assert.equal((await reader.command('led', from)).permanent.onColor, 4);
    from = reader.commands.length;
    await ok('n-fromMsg', { payload: { pd: 101, color: 'cyan' } });
    assert.equal((await reader.command('led', from)).permanent.onColor, 6);
  });

  it('bad msg.payload goes to Catch with EINVAL, and the node keeps working', async () => {
    for (const payload of [
      { color: 'purple' }, { pattern: 'zigzag' }, { operation: 'explode' }, { duration: -5, mode: 'temporary' }, { reader: 1.5 },
    ]) {
      const e = await fails('n-led', { payload });
      assert.equal(e.code, 'EINVAL', JSON.stringify(payload));
    }
    assert.equal((await fails('n-fromMsg', { payload: { pd: 'nowhere' } })).code, 'ENOTFOUND');
    assert.equal((await fails('n-fromMsg', { payload: { color: 'red' } })).code, 'EINVAL', 'two PDs on the bus: which one is needed');
    assert.equal((await fails('n-text', { payload: { text: 'x'.repeat(40) } })).code, 'EINVAL');
    assert.equal((await fails('n-mfg', { payload: { vendor: 'xyz' } })).code, 'EINVAL');
    assert.equal((await fails('n-comset', { payload: { baud: 1234 } })).code, 'EINVAL');
    const from = reader.commands.length;
    await ok('n-led');
    await reader.command('led', from);
  });

  it('a NAK from the reader is a RejectedError (ENAK with the reason) on the Catch path', async () => {
    reader.reply = (c) => (c.command === 'buzzer' ? false : undefined);
    const e = await fails('n-buzzer');
    assert.equal(e.code, 'ENAK');
    assert.equal(e.nak, 9);
    assert.equal(e.device, 'door');
    await ok('n-led');
  });

  it('a reader that is offline gives ENOTCONN at once', async () => {
    const e = await fails('n-fromMsg', { payload: { pd: 'absent' } });
    assert.equal(e.code, 'ENOTCONN');
  });

  it('shows the reader state and flashes the result', async () => {
    const log = statusLog('n-relay');
    await ok('n-relay');
    await until(() => log.texts.includes('pulse output 1'), 'the result on the status');
    log.stop();
    const r = await call('n-relay', { payload: { action: 'explode' } });
    assert.ok(r.caught);
    caughtError(r.caught);
  });
});
