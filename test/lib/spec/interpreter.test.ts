import { strict as assert } from 'node:assert';
import { Interpreter, splitStatements, tokenize } from '../../../lib/spec/sim-interp';
import { SimError, SimModel } from '../../../lib/spec/sim-model';
import { readProperty, writeProperty } from '../../../lib/spec/sim-props';
import { SpecArray } from '../../../lib/spec';

/** A model and interpreter whose waits resolve as soon as the model is idle (driven by its own ticks). */
function setup(): { model: SimModel; interp: Interpreter; tty: string[]; events: Array<[string, unknown, number]> } {
  const model = new SimModel({ motorSpeed: 500, tickMs: 2 });
  const tty: string[] = [];
  const events: Array<[string, unknown, number]> = [];
  model.on('change', (p: string, v: unknown, f: number) => {
    events.push([p, v, f]);
    if (p === 'output/tty') tty.push(v as string);
  });
  const interp = new Interpreter(model, {
    waitIdle: (what) =>
      new Promise<void>((resolve) => {
        const idle = (): boolean => (what === 'move' ? !model.anyMoving : model.countPreset === 0);
        if (idle()) return resolve();
        const on = (): void => {
          if (idle()) {
            model.off('change', on);
            resolve();
          }
        };
        model.on('change', on);
      }),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  });
  return { model, interp, tty, events };
}

describe('spec simulator interpreter', () => {
  let env: ReturnType<typeof setup>;
  beforeEach(() => {
    env = setup();
  });
  afterEach(() => env.model.close());

  it('tokenizes and splits statements (strings keep ; and newlines)', () => {
    assert.deepEqual(splitStatements('a = 1; p "x;y"\nb = 2'), ['a = 1', 'p "x;y"', 'b = 2']);
    assert.deepEqual(tokenize('x += 1.5e2').map((t) => t.v), ['x', '+=', 150]);
    assert.throws(() => tokenize('p "open'), SimError);
    assert.throws(() => tokenize('x = 1 @ 2'), SimError);
  });

  it('evaluates expressions, assignments and compound assignments', async () => {
    const { interp, model } = env;
    assert.equal(await interp.execute('2 + 3 * 4'), 14);
    assert.equal(await interp.execute('(2 + 3) * 4'), 20);
    assert.equal(await interp.execute('7 % 4 == 3 && 1 < 2'), 1);
    assert.equal(await interp.execute('-(1 - 3)'), 2);
    await interp.execute('x = 10; x += 5; x *= 2; x -= 1; x /= 29');
    assert.equal(model.getVar('x'), 1);
    await interp.execute('s = "ab" + "cd"');
    assert.equal(model.getVar('s'), 'abcd');
    assert.equal(await interp.execute('"a" == "a"'), 1);
    await assert.rejects(interp.execute('1 / 0'), /Divide by zero/);
    await assert.rejects(interp.execute('x = '), SimError);
    await assert.rejects(interp.execute('unknown_var + 1'), /Unbound/);
  });

  it('prints with p, joins values with spaces', async () => {
    await env.interp.execute('p 1, "two", 1.5 + 1.5');
    assert.deepEqual(env.tty, ['1 two 3\n']);
  });

  it('knows MOTORS, COUNTERS, A, S and the mnemonic functions', async () => {
    const { interp } = env;
    assert.equal(await interp.execute('MOTORS'), 6);
    assert.equal(await interp.execute('COUNTERS'), 3);
    assert.equal(await interp.execute('motor_mne(3)'), 'phi');
    assert.equal(await interp.execute('motor_name(0)'), 'Two Theta');
    assert.equal(await interp.execute('cnt_mne(0)'), 'sec');
    assert.equal(await interp.execute('cnt_name(1)'), 'Monitor');
    await assert.rejects(interp.execute('motor_mne(6)'), /out of range/);
    assert.equal(await interp.execute('A[tth]'), 0);
    assert.ok((await interp.execute('A')) instanceof SpecArray);
  });

  it('moves with mv/umv/mvr/umvr, refuses targets beyond limits, set changes the offset', async () => {
    const { interp, model, tty } = env;
    await interp.execute('umv tth 2 th 1');
    assert.equal(model.motor('tth')?.position, 2);
    assert.equal(model.motor('th')?.position, 1);
    assert.match(tty.join(''), /tth\s+th\n\s+2\.0000\s+1\.0000/);
    await interp.execute('umvr tth 0.5');
    assert.equal(model.motor('tth')?.position, 2.5);
    await interp.execute('mvr tth -0.5');
    assert.equal(model.motor('tth')?.moving, true);
    await assert.rejects(interp.execute('mv chi 101'), /high limit/);
    await assert.rejects(interp.execute('mv nosuch 1'), /Unbound|not configured/);
    await assert.rejects(interp.execute('mv tth'), /Usage/);
    await interp.execute('set phi 10');
    assert.equal(readProperty(model, 'motor/phi/position'), 10);
    assert.equal(readProperty(model, 'motor/phi/dial_position'), 0);
    assert.equal(readProperty(model, 'motor/phi/offset'), 10);
  });

  it('wm and wa print the position table', async () => {
    await env.interp.execute('wm tth');
    assert.match(env.tty[0], /User\n High\s+170\.0000\n Current\s+0\.0000\n Low\s+-10\.0000\nDial/);
    await env.interp.execute('wa');
    assert.match(env.tty[1], /tth\s+th\s+chi\s+phi\s+tx\s+ty/);
  });

  it('ct counts and prints every counter; count returns the detector counts', async () => {
    const { interp, model, tty } = env;
    await interp.execute('ct 0.01');
    assert.match(tty.join(''), /Seconds = 0\.01\n\s+Monitor = \d+\n\s+Detector = \d+/);
    const det = await interp.execute('count 0.01');
    assert.equal(det, model.counter('det')?.value);
    assert.equal(readProperty(model, 'scaler/sec/value'), 0.01);
  });

  it('associative arrays with 2-D keys, data arrays, delete with the deleted flag', async () => {
    const { interp, model, events } = env;
    await interp.execute('a["x"] = 1; a["y"]["z"] = "w"; a[2] = a["x"] + 1');
    assert.deepEqual(model.getVar('a'), { x: 1, y: { z: 'w' }, 2: 2 });
    assert.equal(readProperty(model, 'var/a[y][z]'), 'w');
    await interp.execute('ushort array u[2][2]; u[1][1] = 65535');
    assert.deepEqual((model.getVar('u') as SpecArray).toJSON(), [[0, 0], [0, 65535]]);
    await interp.execute('delete a');
    assert.equal(model.getVar('a'), undefined);
    const del = events.find(([p, , f]) => p === 'var/a' && f === 0x1000);
    assert.ok(del, 'a change with the deleted flag');
  });

  it('properties: synchronised start, abort_all, limits, emergency stop, read-only errors', () => {
    const { model } = env;
    writeProperty(model, 'motor/../prestart_all', 0);
    writeProperty(model, 'motor/tth/start_one', 5);
    writeProperty(model, 'motor/th/start_one', 2);
    assert.equal(readProperty(model, 'motor/tth/move_done'), 0, 'queued, not moving yet');
    writeProperty(model, 'motor/../start_all', 0);
    assert.equal(readProperty(model, 'motor/tth/move_done'), 1);
    assert.equal(readProperty(model, 'motor/th/move_done'), 1);
    writeProperty(model, 'motor/../abort_all', 0);
    assert.equal(readProperty(model, 'motor/tth/move_done'), 0);
    writeProperty(model, 'motor/chi/high_limit', 5);
    assert.throws(() => writeProperty(model, 'motor/chi/position', 6), /high limit at 5/);
    writeProperty(model, 'motor/chi/emergency_stop', 1);
    assert.throws(() => writeProperty(model, 'motor/chi/position', 1), /emergency stop/);
    assert.throws(() => writeProperty(model, 'status/ready', 0), /read-only/);
    assert.throws(() => writeProperty(model, 'var/A', 1), /built-in/);
    assert.throws(() => readProperty(model, 'scaler/nope/value'), /not configured/);
    assert.equal(readProperty(model, 'status/shell'), 0);
    assert.equal(readProperty(model, 'status/simulate'), 0);
    assert.equal(readProperty(model, 'status/quit'), 0);
  });
});
