/**
 * The nodes against the OSDP simulator (in-process, TCP on an ephemeral port) under Secure Channel:
 * a key from the credentials, install-mode provisioning (the new key kept in the credentials and the
 * key store, never in a message), key rotation from a flow, SC notifications, and file transfer with
 * progress messages.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startSimulator, type OsdpSimulator } from '../../../lib/osdp/simulator';
import { bus, fails, flow, helper, nextOutput, nodes, ok, statusLog, until, userDirPerTest, type FlowNode, type Msg } from './harness';

const KEY = '303132333435363738393a3b3c3d3e3e';

interface BusRuntime {
  pds: { name: string; scbk?: Buffer }[];
  cp: { isSecure(pd: string): boolean; isOnline(pd: string): boolean };
}
const runtime = (): BusRuntime => helper.getNode('bus').osdp as unknown as BusRuntime;
const credentials = (): Record<string, string> => (helper as unknown as { _redNodes: { getCredentials(id: string): Record<string, string> } })._redNodes.getCredentials('bus') ?? {};

const command = (id: string, operation: string, extra: Record<string, unknown> = {}): FlowNode => ({ id, type: 'osdp-command', bus: 'bus', pd: '101', operation, ...extra });

describe('osdp nodes under Secure Channel, against the simulator', function () {
  let sim: OsdpSimulator | undefined;
  const userDir = userDirPerTest('fieldlink-osdp-nodes-');

  afterEach(async () => {
    await helper.unload();
    await sim?.close();
    sim = undefined;
    userDir.remove();
  });

  it('opens Secure Channel with the key from the credentials: status "online, secure", commands sealed', async () => {
    sim = await startSimulator({ tcp: { host: '127.0.0.1', port: 0 }, pds: [101], secure: { scbk: KEY } });
    await helper.load(nodes, flow([
      command('n-led', 'led', { color: 'blue', mode: 'permanent' }),
      { id: 'n-sc', type: 'osdp-event', bus: 'bus', pd: '101', secure: true, online: false, card: true },
    ], [bus(sim.port!, [{ address: 101, name: 'door', enforceSecure: true }])]), { bus: { scbk101: KEY } });
    const log = statusLog('n-led');
    await until(() => log.last()?.text === 'online, secure', 'online, secure');
    assert.equal(log.last()?.fill, 'green');
    assert.equal(sim.pd(101).isSecure, true);
    await ok('n-led');
    assert.equal(sim.state(101).leds['0:0']?.color, 'blue');
    const card = nextOutput((m) => m.topic === 'osdp/door/card');
    sim.swipe(101, { facility: 1, card: 1001 });
    assert.deepEqual(((await card).payload as Record<string, unknown>).card, 1001);
  });

  it('with the wrong key and EnforceSecure the reader stays offline; without EnforceSecure it is "online, not secure"', async () => {
    sim = await startSimulator({ tcp: { host: '127.0.0.1', port: 0 }, pds: [101], secure: { scbk: KEY } });
    const wrong = 'ffffffffffffffffffffffffffffffff';
    await helper.load(nodes, flow([command('n-led', 'led')], [bus(sim.port!, [{ address: 101, name: 'door', enforceSecure: true }])]), { bus: { scbk101: wrong } });
    const log = statusLog('n-led');
    await until(() => log.last()?.text === 'offline', 'offline');
    assert.equal((await fails('n-led')).code, 'ENOTCONN');
    await helper.unload();
    await helper.load(nodes, flow([command('n-led', 'led')], [bus(sim.port!, [{ address: 101, name: 'door' }])]), { bus: { scbk101: wrong } });
    const log2 = statusLog('n-led');
    await until(() => log2.last()?.text === 'online, not secure', 'online, not secure');
    assert.equal(log2.last()?.fill, 'yellow');
  });

  it('install mode: provisions a random key, keeps it in the credentials and the key store, reports "secure"', async () => {
    sim = await startSimulator({ tcp: { host: '127.0.0.1', port: 0 }, pds: [101], secure: { 'install-mode': true } });
    await helper.load(nodes, flow([
      command('n-led', 'led'),
      { id: 'n-sc', type: 'osdp-event', bus: 'bus', pd: '', secure: true, online: false, card: false, keypad: false, status: false },
    ], [bus(sim.port!, [{ address: 101, name: 'door', installMode: true }])]));
    const secure = nextOutput((m) => m.topic === 'osdp/door/secure', 'the secure event', 15_000);
    await until(() => runtime().cp.isSecure('door') && !!credentials().scbk101, 'secured with a provisioned key', 15_000);
    const key = credentials().scbk101;
    assert.match(key, /^[0-9a-f]{32}$/);
    assert.notEqual(key, '303132333435363738393a3b3c3d3e3f', 'not the default key');
    assert.equal(runtime().pds[0].scbk?.toString('hex'), key);
    const stored = path.join(userDir.path, 'fieldlink', 'osdp-keys', 'bus-101.key');
    await until(() => fs.existsSync(stored), 'the key store file');
    assert.equal(fs.readFileSync(stored, 'utf8').trim().toLowerCase(), key);
    const m = await secure;
    assert.equal((m.payload as Record<string, unknown>).secure, true);
    assert.ok(!JSON.stringify(m).includes(key), 'the key is not in the message');
    // A restart of the flow without a deploy: the bus takes the key from the key store.
    await helper.unload();
    await helper.load(nodes, flow([command('n-led', 'led')], [bus(sim.port!, [{ address: 101, name: 'door', enforceSecure: true }])]));
    await until(() => runtime().cp.isSecure('door'), 'secure again with the stored key', 15_000);
    assert.equal(runtime().pds[0].scbk?.toString('hex'), key);
  });

  it('key set from a flow: KEYSET under SC, the bus re-secures with the new key; refused on a plain link', async () => {
    sim = await startSimulator({ tcp: { host: '127.0.0.1', port: 0 }, pds: [101], secure: { scbk: KEY } });
    const newKey = '0f0e0d0c0b0a09080706050403020100';
    await helper.load(nodes, flow([command('n-keyset', 'keyset'), command('n-led', 'led')], [bus(sim.port!, [{ address: 101, name: 'door' }])]), { bus: { scbk101: KEY } });
    await until(() => runtime().cp.isSecure('door'), 'secure');
    const r = await ok('n-keyset', { payload: { key: newKey } });
    assert.deepEqual(r, { pd: 'door', address: 101, operation: 'keyset', ok: true, keyChanged: true });
    assert.ok(!JSON.stringify(r).includes(newKey));
    await until(() => credentials().scbk101 === newKey, 'the new key in the credentials');
    await until(() => runtime().cp.isSecure('door') && runtime().cp.isOnline('door'), 're-secured with the new key', 15_000);
    await ok('n-led');
    assert.equal((await fails('n-keyset', { payload: { key: 'abcd' } })).code, 'EINVAL');
    await helper.unload();
    await sim.close();
    sim = await startSimulator({ tcp: { host: '127.0.0.1', port: 0 }, pds: [101] });
    await helper.load(nodes, flow([command('n-keyset', 'keyset')], [bus(sim.port!, [{ address: 101, name: 'door' }])]));
    await until(() => runtime().cp.isOnline('door'), 'online in plain text');
    assert.equal((await fails('n-keyset')).code, 'ESECURE', 'a key is never sent in plain text');
  });

  it('file transfer from a Buffer and from a path: progress messages, the file arrives whole, events on osdp-event', async () => {
    const fileDir = path.join(userDir.path, 'received');
    fs.mkdirSync(fileDir);
    sim = await startSimulator({ tcp: { host: '127.0.0.1', port: 0 }, pds: [101], secure: { scbk: KEY, 'file-dir': fileDir } });
    await helper.load(nodes, flow([
      command('n-file', 'file', { fileId: 1, file: '', fileType: 'str' }),
      { id: 'n-fev', type: 'osdp-event', bus: 'bus', pd: '101', file: true, card: false, keypad: false, status: false, online: false },
    ], [bus(sim.port!, [{ address: 101, name: 'door' }])]), { bus: { scbk101: KEY } });
    await until(() => runtime().cp.isSecure('door'), 'secure');
    const data = Buffer.alloc(20_000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + 3) & 0xff;
    const progress: Msg[] = [];
    const events: Msg[] = [];
    const out = helper.getNode('out');
    const collect = (m: Msg): void => {
      const p = m.payload as Record<string, unknown>;
      if (p?.progress) progress.push(m);
      if (m.topic === 'osdp/door/file' && p?.event === 'file') events.push(m);
    };
    out.on('input', collect);
    const r = await ok('n-file', { payload: data });
    assert.deepEqual(r, { pd: 'door', address: 101, operation: 'file', ok: true, fileId: 1, size: 20_000, outcome: 'ok' });
    assert.ok(progress.length >= 2, `progress messages: ${progress.length}`);
    const last = progress[progress.length - 1].payload as { progress: { sent: number; size: number; percent: number } };
    assert.equal(last.progress.size, 20_000);
    assert.ok(progress.every((m, i) => i === 0 || (m.payload as { progress: { percent: number } }).progress.percent > (progress[i - 1].payload as { progress: { percent: number } }).progress.percent));
    const received = await until(() => fs.readdirSync(fileDir).map((f) => path.join(fileDir, f)).find((f) => fs.statSync(f).size === data.length), 'the received file');
    assert.ok(fs.readFileSync(received).equals(data));
    await until(() => events.some((m) => (m.payload as Record<string, unknown>).outcome === 'ok'), 'the outcome event');
    out.removeListener('input', collect);
    // From a path.
    const file = path.join(userDir.path, 'fw.bin');
    fs.writeFileSync(file, data.subarray(0, 3000));
    const r2 = await ok('n-file', { payload: { file, fileId: 2 } });
    assert.deepEqual([r2.size, r2.outcome], [3000, 'ok']);
    assert.equal((await fails('n-file', { payload: { file: path.join(userDir.path, 'missing.bin') } })).code, 'ENOTFOUND');
    assert.equal((await fails('n-file', { payload: { file: '' } })).code, 'EINVAL');
  });
});
