/**
 * spec-server against the simulator: the shared link status, port ranges and SPEC names, a server
 * that stops and comes back (status, reconnect, watches registered again), reconnect off, the
 * editor's Find endpoint, and closing (nothing left open after many redeploys).
 */
import assert from 'node:assert/strict';
import type { SpecSimulator } from '../../../lib/spec/simulator';
import { collect, fails, flow, handles, helper, lastStatus, nodes, ok, startSim, statusMatching, until, type FlowNode } from './harness';

const read = (id: string, property = 'var/x'): FlowNode => ({ id, type: 'spec-read', property, propertyType: 'str' });
const watch = (id: string, property: string): FlowNode => ({ id, type: 'spec-watch', property, initial: true, wires: [['watched']] });
const watched: FlowNode = { id: 'watched', type: 'helper', z: 'tab' };

describe('spec-server config node', function () {
  let sim: SpecSimulator;

  before(async () => {
    await helper.startServer();
    sim = await startSim();
  });
  after(async () => {
    await sim.close();
    await helper.stopServer();
  });
  afterEach(async () => {
    await helper.unload();
    if (!sim.listening) await sim.listen();
  });

  it('every node shows the link state: the SPEC name, host and port', async () => {
    await helper.load(nodes, flow(sim.port, [read('a'), read('b'), watch('w', 'var/x'), watched]));
    for (const id of ['a', 'b', 'w']) {
      const s = await statusMatching(id, new RegExp(`^fourc @ 127\\.0\\.0\\.1:${sim.port}$`));
      assert.equal(s.fill, 'green');
      assert.equal(s.shape, 'dot');
    }
  });

  it('finds the server in a port range, by SPEC name', async () => {
    const range = `${Math.max(1, sim.port - 3)}-${sim.port}`;
    await helper.load(nodes, flow(range, [read('a')]));
    await statusMatching('a', new RegExp(`^fourc @ 127\\.0\\.0\\.1:${sim.port}$`), 'green');
    sim.setVariable('x', 5);
    assert.equal((await ok('a')).payload, 5);
  });

  it('a SPEC name that is not there: status says so and requests fail to Catch', async () => {
    await helper.load(nodes, flow(sim.port, [read('a')], { specName: 'sixc' }));
    await statusMatching('a', /^reconnecting in \d+ s: no SPEC named sixc$/, 'yellow');
    const e = await fails('a');
    assert.equal(e.code, 'ENOTCONN');
  });

  it('server stopped: status shows it, requests fail to Catch; server back: reconnects and watches carry on', async () => {
    sim.setVariable('x', 1);
    await helper.load(nodes, flow(sim.port, [read('a'), watch('w', 'var/x'), watched], { timeout: 0.5 }));
    const got = collect('watched');
    await until(() => got.messages.length >= 1, 'the watched value at start');
    await sim.stop();
    await statusMatching('a', /^reconnecting in \d+ s: (refused|no server)$/, 'yellow');
    await statusMatching('w', /^reconnecting/, 'yellow');
    assert.equal((await fails('a')).code, 'ENOTCONN');
    await sim.listen();
    await statusMatching('a', /^fourc @/, 'green');
    await statusMatching('w', /^fourc @/, 'green');
    assert.equal((await ok('a')).payload, 1);
    // Registered again: a change after the reconnect arrives; the unchanged value was not sent twice.
    sim.setVariable('x', 2);
    await until(() => got.messages.some((m) => m.payload === 2), 'the change after the reconnect');
    assert.deepEqual(got.messages.map((m) => m.payload), [1, 2]);
  });

  it('server dropping the link mid-frame: reconnects and the node works again', async () => {
    await helper.load(nodes, flow(sim.port, [read('a')]));
    await statusMatching('a', /^fourc @/, 'green');
    sim.setVariable('x', 9);
    sim.dropClientsMidFrame();
    await until(() => sim.clientCount === 1 && /^fourc @/.test(String(lastStatus('a')?.text)), 'the reconnect');
    assert.equal((await ok('a')).payload, 9);
  });

  it('reconnect off: the status turns red when the server goes; the next message connects again', async () => {
    sim.setVariable('x', 3);
    await helper.load(nodes, flow(sim.port, [read('a')], { reconnect: false, timeout: 0.5 }));
    await statusMatching('a', /^fourc @/, 'green');
    await sim.stop();
    await statusMatching('a', /disconnected/, 'red');
    const e = await fails('a');
    assert.ok(['ENOTCONN', 'ENOTFOUND', 'ETIMEOUT'].includes(String(e.code)), `code ${e.code}`);
    await sim.listen();
    assert.equal((await ok('a')).payload, 3);
    await statusMatching('a', /^fourc @/, 'green');
  });

  it('a node without a server, and a server with a bad port, say so', async () => {
    await helper.load(nodes, [
      { id: 'tab', type: 'tab', label: 't' },
      { id: 'srv', type: 'spec-server', host: '127.0.0.1', port: '99999', specName: '', timeout: 1, reconnect: true },
      { id: 'a', type: 'spec-read', z: 'tab', server: 'srv', property: 'var/x', propertyType: 'str', wires: [[]] },
      { id: 'lonely', type: 'spec-read', z: 'tab', server: '', property: 'var/x', propertyType: 'str', wires: [[]] },
      { id: 'catcher', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['err']] },
      { id: 'out', type: 'helper', z: 'tab' },
      { id: 'progress', type: 'helper', z: 'tab' },
      { id: 'err', type: 'helper', z: 'tab' },
    ]);
    await statusMatching('a', /port/, 'red');
    await statusMatching('lonely', /no SPEC server configured/, 'red');
    assert.equal((await fails('a')).code, 'EINVAL');
    assert.equal((await fails('lonely')).code, 'EINVAL');
  });

  it('answers the editor’s Find: the SPEC servers on a host and port range', async () => {
    await helper.load(nodes, flow(sim.port, [read('a')]));
    const res = await helper.request().get('/fieldlink/spec/servers').query({ host: '127.0.0.1', port: `${sim.port}` });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, [{ port: sim.port, specName: 'fourc' }]);
    const bad = await helper.request().get('/fieldlink/spec/servers').query({ host: '127.0.0.1', port: 'many' });
    assert.equal(bad.status, 500);
  });

  it('answers the motor editor’s list: the motors of a deployed server', async () => {
    await helper.load(nodes, flow(sim.port, [read('a')]));
    const res = await helper.request().get('/fieldlink/spec/motors').query({ server: 'srv' });
    assert.equal(res.status, 200);
    const motors = res.body as Array<{ mne: string; name: string }>;
    assert.deepEqual(motors.map((m) => m.mne), ['tth', 'th', 'chi', 'phi', 'tx', 'ty']);
    assert.equal(motors[0].name, 'Two Theta');
    const none = await helper.request().get('/fieldlink/spec/motors').query({ server: 'nosuch' });
    assert.equal(none.status, 500);
  });

  it('closes everything on redeploy: no SPEC connection, socket or timer left after 20 deploys', async () => {
    const before = handles();
    for (let i = 0; i < 20; i++) {
      await helper.load(nodes, flow(sim.port, [read('a'), watch('w', 'output/tty'), watched, { id: 'm', type: 'spec-motor', motor: 'tth', mode: 'absolute', target: 'payload', targetType: 'msg' }]));
      await statusMatching('a', /^fourc @/, 'green');
      await helper.unload();
    }
    await until(() => sim.clientCount === 0, 'the simulator to see every client gone');
    const after = handles();
    assert.ok((after.TCPSocketWrap ?? 0) <= (before.TCPSocketWrap ?? 0), `TCP sockets: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`);
    assert.ok((after.Timeout ?? 0) <= (before.Timeout ?? 0) + 2, `timers: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`);
  });

  it('closes while reconnecting: no retry timer or socket left', async () => {
    await sim.stop();
    const before = handles();
    await helper.load(nodes, flow(sim.port, [read('a')]));
    await statusMatching('a', /reconnecting/, 'yellow');
    // A message waiting for the link (up to the 2 s time-out) must not keep a timer past close.
    const idle = handles().Timeout ?? 0;
    for (let i = 0; i < 5; i++) helper.getNode('a').receive({ payload: i });
    await until(() => (handles().Timeout ?? 0) >= idle + 5, 'the messages waiting for the link');
    await helper.unload();
    const after = handles();
    assert.ok((after.TCPSocketWrap ?? 0) <= (before.TCPSocketWrap ?? 0), `TCP sockets: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`);
    assert.ok((after.Timeout ?? 0) <= (before.Timeout ?? 0) + 2, `timers: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`);
  });
});
