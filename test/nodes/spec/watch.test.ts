/** spec-watch against the simulator: variables, motors, status/ready, output/tty, deleted flag, start option. */
import assert from 'node:assert/strict';
import type { SpecSimulator } from '../../../lib/spec/simulator';
import { collect, flow, helper, nodes, startSim, statusMatching, until, type FlowNode } from './harness';

const watch = (id: string, property: string, extra: Record<string, unknown> = {}): FlowNode => ({ id, type: 'spec-watch', property, initial: true, wires: [['out']], ...extra });

describe('spec-watch node', function () {
  let sim: SpecSimulator;

  before(async () => {
    sim = await startSim();
  });
  after(async () => {
    await sim.close();
  });
  afterEach(async () => {
    await helper.unload();
  });

  it('sends the current value at start, then each change, with topic spec/<name>/<property>', async () => {
    sim.setVariable('wv', 1);
    await helper.load(nodes, flow(sim.port, [watch('w', 'var/wv')]));
    const got = collect('out');
    await until(() => got.messages.length >= 1, 'the value at start');
    assert.equal(got.messages[0].payload, 1);
    assert.equal(got.messages[0].topic, 'spec/fourc/var/wv');
    assert.equal(got.messages[0].property, 'var/wv');
    sim.setVariable('wv', 2);
    sim.setVariable('wv', 'three');
    await until(() => got.messages.length >= 3, 'two changes');
    assert.deepEqual(got.messages.map((m) => m.payload), [1, 2, 'three']);
    await statusMatching('w', /three/, 'green');
  });

  it('two watches of one property both get the value at start and every change', async () => {
    sim.setVariable('shared', 'a');
    await helper.load(nodes, flow(sim.port, [watch('w1', 'var/shared'), watch('w2', 'var/shared', { wires: [['out2']] }), { id: 'out2', type: 'helper', z: 'tab' }]));
    const one = collect('out');
    const two = collect('out2');
    await until(() => one.messages.length >= 1 && two.messages.length >= 1, 'both values at start');
    sim.setVariable('shared', 'b');
    await until(() => one.messages.length >= 2 && two.messages.length >= 2, 'the change at both');
    assert.deepEqual(one.messages.map((m) => m.payload), ['a', 'b']);
    assert.deepEqual(two.messages.map((m) => m.payload), ['a', 'b']);
  });

  it('without "send the current value" only changes are sent', async () => {
    sim.setVariable('wq', 10);
    await helper.load(nodes, flow(sim.port, [watch('w', 'var/wq', { initial: false }), { id: 'cmd', type: 'spec-command', mode: 'command', command: '', commandType: 'str', wires: [['cmdout']] }, { id: 'cmdout', type: 'helper', z: 'tab' }]));
    const got = collect('out');
    await statusMatching('w', /^fourc @/, 'green');
    // A command after the watch registered: its EVENTs come in order after the initial one.
    const done = collect('cmdout');
    helper.getNode('cmd').receive({ payload: 'wq = 11' });
    await until(() => done.messages.length >= 1, 'the assignment');
    await until(() => got.messages.length >= 1, 'the change');
    assert.deepEqual(got.messages.map((m) => m.payload), [11]);
  });

  it('watches output/tty: the text printed by commands', async () => {
    await helper.load(nodes, flow(sim.port, [watch('w', 'output/tty'), { id: 'cmd', type: 'spec-command', mode: 'command', command: '', commandType: 'str', wires: [[]] }]));
    const got = collect('out');
    await statusMatching('w', /^fourc @/, 'green');
    helper.getNode('cmd').receive({ payload: 'p "hello from spec"' });
    await until(() => got.messages.some((m) => /hello from spec/.test(String(m.payload))), 'the printed text');
    assert.equal(got.messages[0].topic, 'spec/fourc/output/tty');
  });

  it('watches a motor position and status/ready while a motor moves', async () => {
    await helper.load(nodes, flow(sim.port, [
      watch('wpos', 'motor/th/position'),
      watch('wready', 'status/ready', { wires: [['ready']] }),
      { id: 'ready', type: 'helper', z: 'tab' },
      { id: 'cmd', type: 'spec-command', mode: 'command', command: '', commandType: 'str', wires: [['cmdout']] },
      { id: 'cmdout', type: 'helper', z: 'tab' },
    ]));
    const pos = collect('out');
    const ready = collect('ready');
    await until(() => pos.messages.length >= 1 && ready.messages.length >= 1, 'the values at start');
    const start = Number(pos.messages[0].payload);
    const done = collect('cmdout');
    helper.getNode('cmd').receive({ payload: `umv th ${start + 5}` });
    await until(() => done.messages.length >= 1, 'the move to end');
    await until(() => pos.messages.some((m) => m.payload === start + 5), 'the final position event');
    assert.ok(pos.messages.length >= 3, `positions on the way: ${pos.messages.map((m) => m.payload).join(' ')}`);
    assert.ok(ready.messages.some((m) => m.payload === 0), 'SPEC busy while moving');
    await until(() => ready.messages[ready.messages.length - 1].payload === 1, 'SPEC ready again');
  });

  it('reports a deleted variable with msg.deleted', async () => {
    sim.setVariable('gone', 5);
    await helper.load(nodes, flow(sim.port, [watch('w', 'var/gone')]));
    const got = collect('out');
    await until(() => got.messages.length >= 1, 'the value at start');
    sim.deleteVariable('gone');
    await until(() => got.messages.some((m) => m.deleted === true), 'the deleted event');
  });

  it('a property SPEC refuses: the error goes to Catch and shows on the status', async () => {
    await helper.load(nodes, flow(sim.port, [watch('w', 'motor/nope/position')]));
    const caught = collect('err');
    const got = collect('out');
    await until(() => caught.messages.length >= 1, 'the error at Catch');
    assert.equal(caught.messages[0].property, 'motor/nope/position');
    assert.match(String((caught.messages[0].error as { message: string }).message), /motor\/nope\/position/);
    assert.equal(got.messages.length, 0);
    await statusMatching('w', /nope/, 'red');
  });

  it('a watch without a valid property shows it and sends nothing', async () => {
    await helper.load(nodes, flow(sim.port, [watch('w', 'bad property')]));
    await statusMatching('w', /no valid property/, 'red');
  });
});
