/** spec-read and spec-write against the simulator: every kind of value, overrides, errors. */
import assert from 'node:assert/strict';
import { SpecArray, SpecType } from '../../../lib/spec';
import type { SpecSimulator } from '../../../lib/spec/simulator';
import { fails, flow, helper, nodes, ok, startSim, statusMatching, type FlowNode } from './harness';

const read = (id: string, property: string, extra: Record<string, unknown> = {}): FlowNode => ({ id, type: 'spec-read', property, propertyType: 'str', ...extra });
const write = (id: string, property: string, extra: Record<string, unknown> = {}): FlowNode => ({
  id, type: 'spec-write', property, propertyType: 'str', value: 'payload', valueType: 'msg', ...extra,
});

describe('spec-read and spec-write nodes', function () {
  let sim: SpecSimulator;

  before(async () => {
    sim = await startSim();
  });
  after(async () => {
    await sim.close();
  });
  beforeEach(async () => {
    await helper.load(nodes, flow(sim.port, [
      read('rx', 'var/x'),
      read('rtth', 'motor/tth/position'),
      read('rmsg', 'prop', { propertyType: 'msg' }),
      write('wx', 'var/x'),
      write('wfixed', 'var/y', { value: '12.5', valueType: 'num' }),
      write('wjson', 'var/cfg', { value: '{"mode":"fast","n":3}', valueType: 'json' }),
    ]));
    await statusMatching('rx', /^fourc @/, 'green');
  });
  afterEach(async () => {
    await helper.unload();
  });

  it('writes a number and reads it back, with topic and property', async () => {
    const w = await ok('wx', { payload: 42, keep: 1 });
    assert.equal(w.payload, 42);
    assert.equal(w.topic, 'spec/fourc/var/x');
    assert.equal(w.keep, 1);
    const r = await ok('rx');
    assert.equal(r.payload, 42);
    assert.equal(r.topic, 'spec/fourc/var/x');
    assert.equal(r.property, 'var/x');
  });

  it('writes and reads strings, associative arrays, 1-D and 2-D data arrays', async () => {
    await ok('wx', { payload: 'hello' });
    assert.equal((await ok('rx')).payload, 'hello');
    await ok('wx', { payload: { a: 1, b: 'two' } });
    assert.deepEqual((await ok('rx')).payload, { a: 1, b: 'two' });
    await ok('wx', { payload: { row: { col: 5 } } });
    assert.deepEqual((await ok('rx')).payload, { row: { col: 5 } });
    await ok('wx', { payload: [1.5, 2.5, 3.5] });
    assert.deepEqual((await ok('rx')).payload, [1.5, 2.5, 3.5]);
    await ok('wx', { payload: [[1, 2, 3], [4, 5, 6]] });
    assert.deepEqual((await ok('rx')).payload, [[1, 2, 3], [4, 5, 6]]);
  });

  it('hands out arrays of every element type as plain lists (64-bit integers as numbers)', async () => {
    sim.setVariable('x', new SpecArray(SpecType.ARR_USHORT, 1, 3, new Uint16Array([1, 2, 65535])));
    assert.deepEqual((await ok('rx')).payload, [1, 2, 65535]);
    sim.setVariable('x', new SpecArray(SpecType.ARR_LONG64, 2, 2, new BigInt64Array([1n, -2n, 3n, 4n])));
    assert.deepEqual((await ok('rx')).payload, [[1, -2], [3, 4]]);
    const r = await ok('rx');
    assert.doesNotThrow(() => JSON.stringify(r.payload));
  });

  it('writes fixed editor values (number, JSON) and payload { property, value }', async () => {
    await ok('wfixed', { payload: 'ignored' });
    assert.equal((await ok('rmsg', { prop: 'var/y' })).payload, 12.5);
    await ok('wjson');
    assert.deepEqual((await ok('rmsg', { prop: 'var/cfg' })).payload, { mode: 'fast', n: 3 });
    const w = await ok('wx', { payload: { property: 'var/z', value: 'zed' } });
    assert.equal(w.property, 'var/z');
    assert.equal((await ok('rx', { payload: { property: 'var/z' } })).payload, 'zed');
  });

  it('reads a motor position and elements of associative arrays; writes one element', async () => {
    const tth = (await ok('rtth')).payload;
    assert.equal(typeof tth, 'number');
    const a = (await ok('rx', { payload: { property: 'var/A' } })).payload as Record<string, unknown>;
    assert.ok(Object.values(a).includes(tth), `A holds the motor positions: ${JSON.stringify(a)}`);
    await ok('wx', { payload: { property: 'var/mine', value: { k: 1, j: 2 } } });
    await ok('wx', { payload: { property: 'var/mine[k]', value: 7 } });
    assert.deepEqual((await ok('rx', { payload: { property: 'var/mine' } })).payload, { k: 7, j: 2 });
  });

  it('an unknown property and a refused write go to Catch; the nodes keep working', async () => {
    const e = await fails('rx', { payload: { property: 'nosuch/thing' } });
    assert.equal(e.code, 'ESPEC');
    await statusMatching('rx', /./, 'red');
    const w = await fails('wx', { payload: { property: 'motor/nosuch/position', value: 1 } });
    assert.equal(w.code, 'ESPEC');
    await ok('wx', { payload: 3 });
    assert.equal((await ok('rx')).payload, 3);
  });

  it('bad msg.payload goes to Catch as EINVAL: null, nested objects, ragged rows, bad property names', async () => {
    assert.equal((await fails('wx', { payload: null })).code, 'EINVAL');
    assert.equal((await fails('wx', { payload: { a: { b: { c: 1 } } } })).code, 'EINVAL');
    assert.equal((await fails('wx', { payload: [[1, 2], [3]] })).code, 'EINVAL');
    assert.equal((await fails('wx', { payload: [] })).code, 'EINVAL');
    assert.equal((await fails('rx', { payload: { property: 'has space' } })).code, 'EINVAL');
    assert.equal((await fails('rx', { payload: { property: 12 } })).code, 'EINVAL');
    assert.equal((await fails('rmsg', {})).code, 'EINVAL');
    await ok('wx', { payload: 8 });
    assert.equal((await ok('rx')).payload, 8);
  });
});
