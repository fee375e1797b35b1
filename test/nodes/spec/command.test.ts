/** spec-command against the simulator: commands, macros, functions, overrides, errors, abort. */
import assert from 'node:assert/strict';
import type { SpecSimulator } from '../../../lib/spec/simulator';
import { fails, flow, helper, nodes, ok, startSim, statusMatching, type FlowNode } from './harness';

const cmd = (id: string, extra: Record<string, unknown> = {}): FlowNode => ({ id, type: 'spec-command', mode: 'command', command: '', commandType: 'str', timeout: '', ...extra });

describe('spec-command node', function () {
  let sim: SpecSimulator;

  before(async () => {
    sim = await startSim();
  });
  after(async () => {
    await sim.close();
  });
  beforeEach(async () => {
    await helper.load(nodes, flow(sim.port, [
      cmd('free'),
      cmd('wm', { command: 'wm tth th' }),
      cmd('fromMsg', { command: 'command', commandType: 'msg' }),
      cmd('fn', { mode: 'function', command: 'motor_mne' }),
      cmd('limited', { command: 'sleep(5)', timeout: '0.2' }),
    ]));
    await statusMatching('free', /^fourc @ 127\.0\.0\.1:\d+$/, 'green');
  });
  afterEach(async () => {
    await helper.unload();
  });

  it('runs the editor command and outputs the console text, with the topic', async () => {
    const m = await ok('wm', { payload: 'ignored when the editor has a command' });
    assert.match(String(m.output), /tth/);
    assert.match(String(m.output), /th/);
    assert.equal(m.topic, 'spec/fourc/command');
  });

  it('returns the value of an expression from msg.payload and keeps the input message', async () => {
    const m = await ok('free', { payload: '2+2', extra: 'kept' });
    assert.equal(m.payload, 4);
    assert.equal(m.extra, 'kept');
    assert.equal(typeof m.output, 'string');
  });

  it('takes msg.command, msg.payload.command and a typedInput from msg', async () => {
    assert.equal((await ok('free', { command: '3*3', payload: '1+1' })).payload, 9);
    assert.equal((await ok('free', { payload: { command: '5-1' } })).payload, 4);
    assert.equal((await ok('fromMsg', { command: '10/4' })).payload, 2.5);
  });

  it('assignments take effect and print goes to the output text', async () => {
    await ok('free', { payload: 'nodevar = 41' });
    const m = await ok('free', { payload: 'p nodevar + 1' });
    assert.match(String(m.output), /42/);
  });

  it('calls a function with arguments from msg.payload (array, single value, payload.args)', async () => {
    assert.equal((await ok('fn', { payload: [0] })).payload, 'tth');
    assert.equal((await ok('fn', { payload: 1 })).payload, 'th');
    assert.equal((await ok('fn', { payload: { args: [0] } })).payload, 'tth');
    assert.equal((await ok('fn', { payload: { command: 'cnt_mne', args: [2] } })).payload, 'det');
  });

  it('a SPEC error goes to Catch with msg.error, and the node keeps working', async () => {
    const e = await fails('free', { payload: 'nosuchmacro 1 2' });
    assert.equal(e.code, 'ESPEC');
    assert.ok(String(e.message).length > 0);
    await statusMatching('free', /./, 'red');
    assert.equal((await ok('free', { payload: '1+1' })).payload, 2);
  });

  it('bad input goes to Catch as EINVAL: no command, a function argument that is an object', async () => {
    assert.equal((await fails('free', { payload: 12 })).code, 'EINVAL');
    assert.equal((await fails('free', { payload: '   ' })).code, 'EINVAL');
    assert.equal((await fails('fn', { payload: [{ a: 1 }] })).code, 'EINVAL');
    assert.equal((await fails('free', { payload: { command: 'p 1', timeout: 'soon' } })).code, 'EINVAL');
    assert.equal((await ok('free', { payload: '7' })).payload, 7);
  });

  it('reports a time-out when the time limit passes, then works again', async () => {
    const e = await fails('limited');
    assert.equal(e.code, 'ETIMEOUT');
    // The abort stops the sleeping command so the next one runs at once.
    helper.getNode('free').receive({ abort: true });
    await statusMatching('free', /abort sent/);
    assert.equal((await ok('free', { payload: '6*7' })).payload, 42);
  });

  it('msg.abort stops a running command', async () => {
    const running = ok('free', { payload: 'sleep(30)' }).then(
      () => 'finished',
      (e: Error) => e.message,
    );
    await statusMatching('free', /running/);
    helper.getNode('free').receive({ abort: true });
    // The sleeping command ends at once (mocha's time limit is shorter than its 30 s).
    assert.ok(await running);
    assert.equal((await ok('free', { payload: '1+2' })).payload, 3);
  });
});
