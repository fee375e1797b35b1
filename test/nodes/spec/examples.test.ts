/**
 * The SPEC example flows and the demo tab, loaded as shipped (server address pointed at a test
 * simulator; inject, debug, function, template and comment nodes stood in for by helper nodes)
 * and driven through their wiring: what a user sees after importing them.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { SpecSimulator } from '../../../lib/spec/simulator';
import { collect, helper, nodes, startSim, statusMatching, until, type FlowNode } from './harness';

const dir = path.resolve(__dirname, '..', '..', '..', 'examples', 'flows', 'SPEC');

function load(file: string, port: number): FlowNode[] {
  const flow = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as FlowNode[];
  const hasTab = flow.some((n) => n.type === 'tab');
  const out: FlowNode[] = hasTab ? [] : [{ id: 'ex-tab', type: 'tab', label: 'example' }];
  for (const n of flow) {
    if (n.type === 'spec-server') out.push({ ...n, host: '127.0.0.1', port: String(port) });
    else if (n.type === 'tab' || n.type === 'catch' || n.type.startsWith('spec-')) out.push(hasTab || n.type === 'tab' || n.type === 'catch' && n.z ? n : { ...n, z: 'ex-tab' });
    else out.push({ id: n.id, type: 'helper', z: (n.z as string) ?? 'ex-tab' });
  }
  return out;
}

/** Sends into `target` what the inject node `injectId` of the file would send. */
function inject(file: string, injectId: string): void {
  const flow = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Array<Record<string, unknown>>;
  const n = flow.find((x) => x.id === injectId)!;
  const msg: Record<string, unknown> = {};
  for (const p of n.props as Array<{ p: string; v?: string; vt?: string }>) {
    if (p.p === 'payload') {
      const type = n.payloadType as string;
      msg.payload = type === 'num' ? Number(n.payload) : type === 'json' ? JSON.parse(String(n.payload)) : type === 'str' ? n.payload : type === 'jsonata' ? 12.5 : Date.now();
    } else msg[p.p] = p.vt === 'bool' ? p.v === 'true' : p.v;
  }
  for (const target of (n.wires as string[][])[0]) helper.getNode(target).receive({ ...msg });
}

describe('SPEC example flows', function () {
  let sim: SpecSimulator;

  before(async () => {
    sim = await startSim({ motorSpeed: 100 });
  });
  after(async () => {
    await sim.close();
  });
  afterEach(async () => {
    await helper.unload();
  });

  it('every example has a Comment and uses only known SPEC node types; together they use every SPEC node', () => {
    const used = new Set<string>();
    for (const file of fs.readdirSync(dir)) {
      const flow = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as FlowNode[];
      assert.ok(flow.some((n) => n.type === 'comment' && typeof n.info === 'string' && n.info.length > 80), `${file}: a Comment that says what it shows`);
      for (const n of flow) used.add(n.type);
    }
    for (const t of ['spec-server', 'spec-command', 'spec-read', 'spec-write', 'spec-watch', 'spec-motor', 'spec-count']) assert.ok(used.has(t), `no example uses ${t}`);
  });

  it('the demo tab: ids prefixed sp-, server at 127.0.0.1:6510 named fourc', () => {
    const flow = JSON.parse(fs.readFileSync(path.join(dir, 'Demo with the simulator.json'), 'utf8')) as FlowNode[];
    for (const n of flow) assert.ok(n.id.startsWith('sp-'), n.id);
    const srv = flow.find((n) => n.type === 'spec-server')!;
    assert.equal(srv.host, '127.0.0.1');
    assert.equal(srv.port, '6510');
    assert.equal(srv.specName, 'fourc');
  });

  it('demo: the motor move shows progress and completion; STOP aborts; count, command, console watch, write/watch/read', async () => {
    const file = 'Demo with the simulator.json';
    await helper.load(nodes, load(file, sim.port));
    await statusMatching('sp-motor', /^fourc @/, 'green');
    const progress = collect('sp-progress');
    const done = collect('sp-done');
    inject(file, 'sp-to40');
    await until(() => done.messages.length === 1, 'the move to end');
    assert.equal(done.messages[0].payload, 40);
    assert.ok(progress.messages.length >= 2, 'progress while moving');
    inject(file, 'sp-sync');
    await until(() => done.messages.length === 2, 'the synchronised move to end');
    assert.deepEqual(done.messages[1].payload, { tth: 30, th: 15 });
    progress.stop();
    const back = collect('sp-progress');
    // Slow tth down so the way back takes seconds: STOP surely lands while it moves.
    sim.model.motors.find((m) => m.mne === 'tth')!.speed = 5;
    inject(file, 'sp-to0');
    await until(() => back.messages.some((m) => (m.payload as { tth: number }).tth < 29), 'the way back');
    inject(file, 'sp-stop');
    await until(() => done.messages.length === 3, 'the aborted move to end');
    assert.equal(done.messages[2].aborted, true);
    assert.ok((done.messages[2].payload as number) > 0);
    sim.model.motors.find((m) => m.mne === 'tth')!.speed = 100;

    const counted = collect('sp-counted');
    inject(file, 'sp-ct');
    await until(() => counted.messages.length === 1, 'the count');
    assert.deepEqual(Object.keys(counted.messages[0].payload as object).sort(), ['det', 'mon', 'sec']);

    const tty = collect('sp-ttyout');
    const cmd = collect('sp-cmdout');
    inject(file, 'sp-wm');
    await until(() => cmd.messages.length === 1, 'the command');
    assert.match(String(cmd.messages[0].output), /tth/);
    await until(() => tty.messages.some((m) => /tth/.test(String(m.payload))), 'the console text');

    const read = collect('sp-readout');
    inject(file, 'sp-x');
    await until(() => read.messages.some((m) => m.payload !== undefined && m.topic === 'spec/fourc/motor/tth/position'), 'x watched, then tth read');
  });

  it('move a motor and read its position: done wires into the read', async () => {
    const file = 'Move a motor and read its position.json';
    await helper.load(nodes, load(file, sim.port));
    await statusMatching('spm-abs', /^fourc @/, 'green');
    const pos = collect('spm-pos');
    inject(file, 'spm-to20');
    await until(() => pos.messages.length === 1, 'the position after the move');
    assert.equal(pos.messages[0].payload, 20);
    inject(file, 'spm-plus');
    await until(() => pos.messages.length === 2, 'the position after +1');
    assert.equal(pos.messages[1].payload, 21);
  });

  it('count and chart the scalers: the count reaches the chart and summary branches', async () => {
    const file = 'Count and chart the scalers.json';
    await helper.load(nodes, load(file, sim.port));
    await statusMatching('spc-count', /^fourc @/, 'green');
    const split = collect('spc-split');
    inject(file, 'spc-now');
    await until(() => split.messages.length === 1, 'the count');
    assert.equal((split.messages[0].payload as { sec: number }).sec, 3);
  });

  it('watch the console and a variable: tty, ready, command, write and watch', async () => {
    const file = 'Watch the SPEC console and a variable.json';
    await helper.load(nodes, load(file, sim.port));
    await statusMatching('spw-cmd', /^fourc @/, 'green');
    const tty = collect('spw-ttyout');
    const x = collect('spw-xout');
    inject(file, 'spw-p');
    await until(() => tty.messages.length >= 1, 'console text');
    inject(file, 'spw-x');
    await until(() => x.messages.some((m) => m.payload === 12.5), 'x changed');
  });

  it('stop everything from a button: STOP ends the move and the count', async () => {
    const file = 'Stop everything from a button.json';
    await helper.load(nodes, load(file, sim.port));
    await statusMatching('sps-motor', /^fourc @/, 'green');
    const progress = collect('sps-progress');
    const done = collect('sps-done');
    const counted = collect('sps-counted');
    inject(file, 'sps-count');
    await until(() => sim.model.countPreset > 0, 'the simulator counting');
    const start = sim.model.motors.find((m) => m.mne === 'tth')!.position;
    inject(file, 'sps-far');
    await until(() => progress.messages.some((m) => (m.payload as { tth: number }).tth > start), 'the motor moving');
    inject(file, 'sps-stop');
    await until(() => done.messages.length === 1 && counted.messages.length === 1, 'the move and the count to end');
    assert.equal(done.messages[0].aborted, true);
    assert.ok((done.messages[0].payload as number) < 150);
    assert.equal(counted.messages[0].aborted, true);
  });
});
