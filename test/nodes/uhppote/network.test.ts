/**
 * uhppote-network and the failure paths every node shares: a stopped simulator (timeout), a
 * malformed reply, a refused TCP connection, a listen address in use (back-off), discovery from
 * the editor, and close/redeploy leaving nothing open.
 */
import assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import { UhppoteSimulator } from '../../../lib/uhppote';
import { FRONT, WAREHOUSE, actionNode, call, caughtError, fails, flow, handles, helper, nodes, ok, placed, startSim, until, type FlowNode, type NetworkNode } from './harness';

const controllerNode = actionNode('uhppote-controller');
const status = (extra: Record<string, unknown> = {}): FlowNode => controllerNode('status', 'get-status', extra);

async function freePort(): Promise<number> {
  const s = new UhppoteSimulator({ port: 0, controllers: [1] });
  const { port } = await s.start();
  await s.close();
  return port;
}

describe('uhppote-network node and failure paths', function () {
  let sim: UhppoteSimulator;
  let port: number;

  before(async () => {
    ({ sim, port } = await startSim());
  });
  after(async () => {
    await sim.close();
  });
  afterEach(async () => {
    await helper.unload();
  });

  it('a stopped simulator: ETIMEOUT to Catch after the network timeout, for UDP; a refused TCP connection is an error too', async () => {
    const dead = await freePort();
    await helper.load(nodes, flow(dead, [status(), status({ id: 'tcp', controller: 'warehouse' })], { timeout: 300 }));
    const e = await fails('status');
    assert.equal(e.code, 'ETIMEOUT');
    assert.equal(e.device, FRONT);
    assert.equal(e.operation, 'get-status');
    const t = await call('tcp', {});
    assert.ok(t.caught, 'TCP to a closed port fails');
    assert.match(String(caughtError(t.caught).code), /^E/);
    assert.equal(caughtError(t.caught).device, WAREHOUSE);
  });

  it('a malformed reply is EPROTOCOL (or EFRAME) to Catch, and the next call works', async () => {
    await helper.load(nodes, flow(port, [status()]));
    for (const kind of ['short', 'long', 'bad-start'] as const) {
      sim.malformNextReply(FRONT, kind);
      const e = await fails('status');
      assert.match(String(e.code), /^E(PROTOCOL|FRAME)$/, `${kind}: ${JSON.stringify(e)}`);
      assert.equal(e.operation, 'get-status');
      assert.equal((await ok('status')).controller, FRONT);
    }
  });

  it('a reply that matches no request is dropped: the call times out instead', async () => {
    await helper.load(nodes, flow(port, [status()], { timeout: 300 }));
    sim.malformNextReply(FRONT, 'wrong-function');
    assert.equal((await fails('status')).code, 'ETIMEOUT');
    assert.equal((await ok('status')).controller, FRONT);
  });

  it('debug: every request and reply is logged as a hex dump', async () => {
    await helper.load(nodes, flow(port, [status()], { debug: true }));
    const net = helper.getNode('net');
    const lines: string[] = [];
    net.on('call:log', ((call: { args: unknown[] }) => lines.push(String(call.args[0]))) as never);
    await ok('status');
    await until(() => lines.some((l) => /00000000\s+17 20/.test(l)) && lines.some((l) => /00000000\s+17 20/.test(l) && /receiv|repl/i.test(l)), 'request and reply dumps')
      .catch(() => assert.fail(`no hex dumps logged: ${JSON.stringify(lines)}`));
  });

  it('a bind address that is not on this host: ENOTCONN to Catch, and every node of the network shows it', async () => {
    await helper.load(nodes, flow(port, [status()], { bind: '192.0.2.1' }));
    const e = await fails('status');
    assert.equal(e.code, 'ENOTCONN');
    assert.match(String(e.message), /cannot bind/);
    const net = helper.getNode('net') as NetworkNode;
    assert.equal(net.shared.status.fill, 'red');
    assert.match(String(net.shared.status.text), /cannot bind/);
  });

  it('an action node without a network reports it on Catch', async () => {
    await helper.load(nodes, flow(port, [status({ network: '' })]));
    const e = await fails('status');
    assert.equal(e.code, 'ENOTCONN');
  });

  it('closes every socket and timer on close, also after twenty redeploys with the events listener open', async () => {
    await helper.unload();
    const before = handles();
    for (let i = 0; i < 20; i++) {
      await helper.load(nodes, placed([
        ...flow(port, [status()]),
        { id: 'ev', type: 'uhppote-events', z: 'tab', network: 'net', controllers: '', types: '', access: 'all', status: false, wires: [[]] },
      ]));
      const net = helper.getNode('net') as NetworkNode;
      await until(() => net.listening(), 'the events listener');
      assert.equal((await ok('status')).controller, FRONT);
      await helper.unload();
    }
    // libuv finishes closing a handle on a later turn of the loop than its close callback: wait
    // for the counts to come back to where they were (and fail if they never do)
    const settled = await until(() => {
      const now = handles();
      const back = ['UDPWrap', 'TCPWrap', 'TCPServerWrap'].every((k) => (now[k] ?? 0) <= (before[k] ?? 0)) && (now.Timeout ?? 0) <= (before.Timeout ?? 0);
      return back ? now : undefined;
    }, `sockets and timers back to ${JSON.stringify(before)} (now ${JSON.stringify(handles())})`).catch((err: Error) => err);
    assert.ok(!(settled instanceof Error), settled instanceof Error ? settled.message : '');
    await helper.load(nodes, flow(port, [status()]));
  });

  it('a listen address in use: the status says it retries, then it binds once the address is free', async () => {
    const blocker = dgram.createSocket({ type: 'udp4', reuseAddr: false });
    await new Promise<void>((resolve) => blocker.bind(0, '127.0.0.1', () => resolve()));
    const taken = blocker.address().port;
    await helper.load(nodes, placed([
      ...flow(port, [status()], { listen: `127.0.0.1:${taken}` }),
      { id: 'ev', type: 'uhppote-events', z: 'tab', network: 'net', controllers: '', types: '', access: 'all', status: false, wires: [[]] },
    ]));
    const net = helper.getNode('net') as NetworkNode;
    await until(() => /retrying in \d+ s/.test(String(net.shared.status.text)), 'the retry status');
    assert.equal(net.shared.status.fill, 'yellow');
    // requests still work meanwhile
    assert.equal((await ok('status')).controller, FRONT);
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
    await until(() => net.listening(), 'the listener after the back-off', 15000);
    assert.match(String(net.shared.status.text), new RegExp(`listening 127\\.0\\.0\\.1:${taken}`));
  });

  it('discovery endpoint for the editor: with the deployed network, and with unsaved editor settings', async () => {
    await helper.load(nodes, flow(port, [status()]));
    const deployed = await helper.request().get('/fieldlink/uhppote/discover').query({ node: 'net' });
    assert.equal(deployed.status, 200);
    const list = deployed.body as Array<Record<string, unknown>>;
    assert.deepEqual(list.map((c) => c.controller).sort(), [FRONT, WAREHOUSE].sort());
    assert.equal(list[0].version, 'v8.92');
    const unsaved = await helper.request().get('/fieldlink/uhppote/discover').query({ bind: '127.0.0.1', broadcast: `127.0.0.1:${port}`, timeout: '300' });
    assert.equal(unsaved.status, 200);
    assert.equal((unsaved.body as unknown[]).length, 2);
    const bad = await helper.request().get('/fieldlink/uhppote/discover').query({ bind: '127.0.0.1', broadcast: 'nowhere:x', timeout: '300' });
    assert.equal(bad.status, 500);
    assert.match(String((bad.body as { error: string }).error), /broadcast/);
  });
});
