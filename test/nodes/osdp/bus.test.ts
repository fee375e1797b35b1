/**
 * osdp-bus: its state on every node using it (per PD and for the whole bus), the link dropped and
 * reopened, Secure Channel keys as credentials that never reach the flow, bad configuration, the
 * serial port endpoint, and nothing left open after close and redeploys.
 */
import assert from 'node:assert/strict';
import type { TcpServerChannel } from '../../../lib/osdp';
import { bus, fails, flow, handles, helper, nodes, ok, statusLog, until, type FlowNode } from './harness';
import { Reader } from './reader';

const KEY = '000102030405060708090a0b0c0d0e0f';

const command = (id: string, pd: string): FlowNode => ({ id, type: 'osdp-command', bus: 'bus', pd, operation: 'led', color: 'green', mode: 'permanent' });
const events = (id: string, pd = ''): FlowNode => ({ id, type: 'osdp-event', bus: 'bus', pd, card: true, online: true });

function lastText(log: ReturnType<typeof statusLog>): string {
  return String(log.last()?.text ?? '');
}

describe('osdp-bus config node', function () {
  let reader: Reader;

  beforeEach(async () => {
    reader = await new Reader(101).start();
  });
  afterEach(async () => {
    await helper.unload();
    await reader.stop();
  });

  it('brings each node the state of its reader, and "1/2 online" to nodes serving the whole bus', async () => {
    await helper.load(nodes, flow([command('n-door', '101'), command('n-gone', '102'), events('n-all')], [
      bus(reader.port, [{ address: 101, name: 'door' }, { address: 102, name: 'gone' }]),
    ]));
    const door = statusLog('n-door');
    const gone = statusLog('n-gone');
    const all = statusLog('n-all');
    await until(() => lastText(door) === 'online' && door.last()?.fill === 'green', 'door online');
    await until(() => lastText(gone) === 'offline' && gone.last()?.fill === 'red', 'the absent reader offline');
    await until(() => lastText(all) === '1/2 online' && all.last()?.fill === 'yellow', 'the bus summary');
    const seen = gone.texts.length;
    await until(() => (helper.getNode('bus').osdp as { cp: { metrics(p: string): { timeouts: number } } }).cp.metrics('gone').timeouts >= 8, 'more retries of the absent reader');
    assert.deepEqual([...new Set(gone.texts.slice(seen))].filter((t) => t !== 'offline'), [], 'retries of an offline reader do not flap its status');
  });

  it('shows the dropped link with its retry, reconnects with back-off, and serves again', async () => {
    await helper.load(nodes, flow([command('n-door', '101')], [bus(reader.port)]));
    const log = statusLog('n-door');
    await until(() => lastText(log) === 'online', 'online');
    const port = reader.port;
    await reader.stop();
    await until(() => /^link down \(.+\), retry in \d+ s$/.test(lastText(log)), 'the link-down status');
    assert.equal(log.last()?.fill, 'red');
    assert.equal((await fails('n-door')).code, 'ENOTCONN', 'commands fail fast while the link is down');
    reader = await new Reader(101).start(port);
    await until(() => lastText(log) === 'online', 'online again after the reconnect', 15_000);
    await ok('n-door');
  });

  it('keeps Secure Channel keys as credentials: validated, given to the bus, never in the flow', async () => {
    await helper.load(nodes, flow([command('n-door', '101')], [bus(reader.port)]), { bus: { scbk101: KEY.toUpperCase() } });
    const osdp = helper.getNode('bus').osdp as { pds: { scbk?: Buffer }[] };
    assert.equal(osdp.pds[0].scbk?.toString('hex'), KEY);
    const flows = JSON.stringify(helper._redNodes.getFlows().flows);
    assert.ok(!flows.toLowerCase().includes(KEY), 'the key is not a node property');
    const def = helper._redNodes.getCredentialDefinition('osdp-bus');
    assert.equal(Object.keys(def).length, 127);
    assert.ok(Object.values(def).every((d) => d.type === 'password'), 'password credentials: never sent back to the editor');
    assert.deepEqual(helper._redNodes.getCredentialDefinition('osdp-pd'), { scbk: { type: 'password' } });
  });

  it('a bad key or PD list: red status on every node, EINVAL on input, nothing opened', async () => {
    const before = reader.commands.length;
    await helper.load(nodes, flow([command('n-door', '101')], [bus(reader.port)]), { bus: { scbk101: '0011' } });
    const log = statusLog('n-door');
    helper.getNode('n-door').receive({});
    await until(() => /^config: /.test(lastText(log)) || /16 bytes/.test(lastText(log)), 'the configuration error on the status');
    assert.equal(log.last()?.fill, 'red');
    const e = await fails('n-door');
    assert.equal(e.code, 'EINVAL');
    assert.match(String(e.message), /16 bytes/);
    assert.equal((reader.pd.channel as TcpServerChannel).connected, false, 'the bus did not connect');
    assert.equal(reader.commands.length, before);
    await helper.unload();
    await helper.load(nodes, flow([command('n-door', '101')], [bus(reader.port, [{ address: 200 }])]));
    assert.equal((await fails('n-door')).code, 'EINVAL');
  });

  it('lists serial ports for the editor at /fieldlink/osdp/ports', async () => {
    await helper.load(nodes, flow([], [bus(reader.port)]));
    const res = await helper.request().get('/fieldlink/osdp/ports');
    assert.equal(res.status, 200);
    assert.ok(Array.isArray(res.body));
    for (const p of res.body as { path: unknown }[]) assert.equal(typeof p.path, 'string');
  });

  it('closes its connection, timers and the reader link on close, also across redeploys', async () => {
    const channel = (): TcpServerChannel => reader.pd.channel as TcpServerChannel;
    const baseline = handles();
    for (let i = 0; i < 5; i++) {
      await helper.load(nodes, flow([command('n-door', '101'), events('n-all')], [bus(reader.port)]));
      await until(() => channel().connected && (helper.getNode('bus').osdp as { cp: { isOnline(p: string): boolean } }).cp.isOnline('door'), 'connected');
      assert.ok((handles().TCPSocketWrap ?? 0) >= (baseline.TCPSocketWrap ?? 0) + 2, 'the bus socket and the reader\'s end are open');
      await ok('n-door');
      await helper.unload();
      await until(() => !channel().connected, 'the bus connection closed');
    }
    await until(() => (handles().TCPSocketWrap ?? 0) <= (baseline.TCPSocketWrap ?? 0), 'no TCP socket left open');
    const after = handles();
    assert.ok((after.Timeout ?? 0) <= (baseline.Timeout ?? 0) + 2, `timers left: ${JSON.stringify(after)} vs ${JSON.stringify(baseline)}`);
  });
});
