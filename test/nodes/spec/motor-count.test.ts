/** spec-motor and spec-count against the simulator: moves with progress, synchronised moves, abort, limits, counting. */
import assert from 'node:assert/strict';
import type { SpecSimulator } from '../../../lib/spec/simulator';
import { call, fails, flow, helper, nodes, ok, startSim, statusMatching, until, type FlowNode, type Msg } from './harness';

const motor = (id: string, extra: Record<string, unknown> = {}): FlowNode => ({ id, type: 'spec-motor', motor: 'tth', mode: 'absolute', target: 'payload', targetType: 'msg', ...extra });
const count = (id: string, extra: Record<string, unknown> = {}): FlowNode => ({ id, type: 'spec-count', seconds: '0.2', secondsType: 'num', ...extra });

describe('spec-motor and spec-count nodes', function () {
  let sim: SpecSimulator;

  before(async () => {
    sim = await startSim({ motorSpeed: 40 });
  });
  after(async () => {
    await sim.close();
  });
  beforeEach(async () => {
    await helper.load(nodes, flow(sim.port, [
      motor('abs'),
      motor('rel', { mode: 'relative' }),
      motor('fixed', { motor: 'th', target: '3', targetType: 'num' }),
      motor('many', { motor: '' }),
      count('ct'),
      count('ctmsg', { seconds: 'time', secondsType: 'msg' }),
      { id: 'rd', type: 'spec-read', property: 'motor/tth/position', propertyType: 'str' },
    ]));
    await statusMatching('abs', /^fourc @/, 'green');
  });
  afterEach(async () => {
    await helper.unload();
  });

  it('moves one motor to a position: progress messages, then done with the final position', async () => {
    const progress: Msg[] = [];
    const start = Number((await ok('rd')).payload);
    const done = await ok('abs', { payload: start + 10, keep: 'me' }, (m) => progress.push(m));
    assert.equal(done.payload, start + 10);
    assert.deepEqual(done.positions, { tth: start + 10 });
    assert.deepEqual(done.targets, { tth: start + 10 });
    assert.equal(done.topic, 'spec/fourc/motor/done');
    assert.equal(done.keep, 'me');
    assert.equal(done.aborted, undefined);
    assert.ok(progress.length >= 2, `progress messages: ${progress.length}`);
    assert.equal(progress[0].topic, 'spec/fourc/motor/progress');
    assert.equal(progress[0].keep, 'me');
    const seen = progress.map((m) => (m.payload as Record<string, number>).tth);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i] >= seen[i - 1], `positions rise: ${seen.join(' ')}`);
    assert.equal((await ok('rd')).payload, start + 10);
    await statusMatching('abs', /^at tth/, 'green');
  });

  it('moves relative, takes the editor target, and msg.payload { motor, position, mode }', async () => {
    const start = Number((await ok('rd')).payload);
    assert.equal((await ok('rel', { payload: -2 })).payload, start - 2);
    assert.equal((await ok('fixed', { payload: 'anything' })).payload, 3);
    const m = await ok('abs', { payload: { motor: 'chi', position: 4, mode: 'relative' } });
    assert.deepEqual(Object.keys(m.positions as object), ['chi']);
    assert.equal(m.payload, 4);
  });

  it('moves several motors together, with progress of each', async () => {
    const progress: Msg[] = [];
    const m = await ok('many', { payload: { tth: 7, th: 3.5, phi: -4 } }, (p) => progress.push(p));
    assert.deepEqual(m.payload, { tth: 7, th: 3.5, phi: -4 });
    assert.deepEqual(m.positions, { tth: 7, th: 3.5, phi: -4 });
    const last = progress[progress.length - 1].payload as Record<string, number>;
    assert.deepEqual(Object.keys(last).sort(), ['phi', 'th', 'tth']);
    const m2 = await ok('abs', { payload: { motors: { tth: 8, th: 4 }, mode: 'relative' } });
    assert.deepEqual(m2.payload, { tth: 15, th: 7.5 });
  });

  it('msg.abort during a move: the motor stops and done says aborted, with where it stopped', async () => {
    const start = Number((await ok('rd')).payload);
    let firstProgress: () => void = () => undefined;
    const moving = new Promise<void>((r) => (firstProgress = r));
    const move = call('abs', { payload: 160 }, (m) => {
      if ((m.payload as Record<string, number>).tth > start) firstProgress();
    });
    await moving;
    helper.getNode('abs').receive({ abort: true });
    const r = await move;
    assert.ok(r.ok, `done output, not an error: ${JSON.stringify(r.caught?.error)}`);
    assert.equal(r.ok.aborted, true);
    const at = r.ok.payload as number;
    assert.ok(at > start && at < 160, `stopped on the way at ${at}`);
    assert.equal((await ok('rd')).payload, at);
    await statusMatching('abs', /aborted/);
    // The node keeps working.
    assert.equal((await ok('abs', { payload: 1 })).payload, 1);
  });

  it('a limit switch hit, a target beyond the limits and an unknown motor go to Catch', async () => {
    const lim = await fails('abs', { payload: { motor: 'ty', position: 30 } });
    assert.equal(lim.code, 'ELIMIT');
    const beyond = await fails('abs', { payload: 500 });
    assert.equal(beyond.code, 'ESPEC');
    const unknown = await fails('abs', { payload: { motor: 'nosuch', position: 1 } });
    assert.equal(unknown.code, 'ESPEC');
    assert.equal((await ok('abs', { payload: 2 })).payload, 2);
  });

  it('bad msg.payload goes to Catch as EINVAL and the node keeps working', async () => {
    for (const payload of ['fast', null, { tth: 'x' }, { motors: 5 }, { position: 1, mode: 'sideways' }, {}, true]) {
      const e = await fails('abs', { payload });
      assert.equal(e.code, 'EINVAL', `payload ${JSON.stringify(payload)}`);
    }
    assert.equal((await fails('many', { payload: 5 })).code, 'EINVAL', 'no motor for a bare number');
    assert.equal((await fails('abs', { payload: { motor: '1bad', position: 1 } })).code, 'EINVAL');
    assert.equal((await ok('abs', { payload: 3 })).payload, 3);
  });

  it('counts for the editor time and outputs every scaler', async () => {
    const m = await ok('ct', { keep: 1 });
    const values = m.payload as Record<string, number>;
    assert.deepEqual(Object.keys(values).sort(), ['det', 'mon', 'sec']);
    assert.ok(Math.abs(values.sec - 0.2) < 1e-9, `sec ${values.sec}`);
    assert.ok(values.mon > 0 && values.det > 0);
    assert.equal(m.seconds, 0.2);
    assert.equal(m.topic, 'spec/fourc/count');
    assert.equal(m.keep, 1);
  });

  it('takes the counting time from msg.payload.seconds and from a typedInput', async () => {
    assert.equal(((await ok('ct', { payload: { seconds: 0.1 } })).payload as Record<string, number>).sec, 0.1);
    assert.equal(((await ok('ctmsg', { time: 0.3 })).payload as Record<string, number>).sec, 0.3);
  });

  it('msg.abort during a count ends it early with aborted and the values so far', async () => {
    const counting = call('ct', { payload: { seconds: 60 } });
    await until(() => sim.model.countPreset > 0, 'the simulator counting');
    helper.getNode('ct').receive({ abort: true });
    const r = await counting;
    assert.ok(r.ok, `a result, not an error: ${JSON.stringify(r.caught?.error)}`);
    assert.equal(r.ok.aborted, true);
    assert.ok((r.ok.payload as Record<string, number>).sec < 60);
  });

  it('a bad counting time goes to Catch as EINVAL; the node keeps working', async () => {
    for (const seconds of [0, -1, 'long', null]) {
      assert.equal((await fails('ct', { payload: { seconds } })).code, 'EINVAL', `seconds ${JSON.stringify(seconds)}`);
    }
    assert.equal((await fails('ctmsg', {})).code, 'EINVAL');
    assert.ok(await ok('ct'));
  });
});
