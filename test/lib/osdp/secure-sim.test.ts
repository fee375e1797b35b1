// The simulator with the Secure Channel options of `fieldlink-sim osdp` (--scbk, --install-mode,
// --file-dir), reached over TCP on 127.0.0.1: a secured reader with a card swipe, a firmware file
// written to the file directory, and a reader provisioned in install mode.
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ControlPanel, type CpEventRecord } from '../../../lib/osdp';
import { startSimulator, type OsdpSimulator } from '../../../lib/osdp/simulator';
import { CpSecureChannel, ScFlagBit } from '../../../lib/osdp/secure';
import { startFileTransfer } from '../../../lib/osdp/file-transfer';
import { until, waitEvent } from './helpers';

const KEY_HEX = '303132333435363738393a3b3c3d3e30';

describe('osdp simulator with --scbk / --install-mode / --file-dir (TCP)', function () {
  this.timeout(60000);
  let sim: OsdpSimulator | undefined;
  let cp: ControlPanel | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await cp?.stop();
    await sim?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    cp = sim = dir = undefined;
  });

  it('a secured reader: swipe under SC, and a firmware file lands in --file-dir', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'fieldlink-sim-files-'));
    const lines: string[] = [];
    sim = await startSimulator({ tcp: { host: '127.0.0.1', port: 0 }, pds: [101], secure: { scbk: KEY_HEX, 'file-dir': dir }, log: (l) => lines.push(l) });
    const sc = new CpSecureChannel({});
    cp = new ControlPanel({ pds: [{ address: 101, scbk: Buffer.from(KEY_HEX, 'hex'), flags: ScFlagBit.EnforceSecure }], channel: { type: 'tcp', host: '127.0.0.1', port: sim.port! }, pollInterval: 10, session: sc.factory });
    sc.attach(cp);
    await cp.start();
    assert.equal(await sc.wait(0, 20000), true);
    const ev = waitEvent<[CpEventRecord]>(cp, 'event', 10000, (e) => e.event.event === 'card');
    sim.swipe(101, { facility: 1, card: 1001 });
    await ev;
    const fw = randomBytes(64 * 1024);
    const h = await startFileTransfer(cp, 0, { fileId: 1, source: fw });
    assert.equal((await h.done).outcome, 'ok');
    assert.deepEqual(readFileSync(path.join(dir, 'file-1.bin')), fw);
    assert.ok(lines.some((l) => /file 1: ok/.test(l)), lines.join('\n'));
    assert.equal(cp.isSecure(0), true);
  });

  it('--install-mode: a CP with a key provisions the reader (the key the sim logs is the CP key)', async () => {
    const lines: string[] = [];
    sim = await startSimulator({ tcp: { host: '127.0.0.1', port: 0 }, pds: [101], secure: { 'install-mode': true }, log: (l) => lines.push(l) });
    const key = randomBytes(16);
    const sc = new CpSecureChannel({});
    cp = new ControlPanel({ pds: [{ address: 101, scbk: key }], channel: { type: 'tcp', host: '127.0.0.1', port: sim.port! }, pollInterval: 10, session: sc.factory });
    sc.attach(cp);
    await cp.start();
    await until(() => sc.isActive(0) && cp!.isOnline(0) && sc.status(0)!.counters.keysets === 1, 'provisioned', 20000);
    assert.ok(lines.some((l) => l.includes(`KEYSET: new SCBK ${key.toString('hex')}`)), lines.join('\n'));
    assert.equal(sc.status(0)!.defaultKey, false);
  });

  it('SC per PD on one bus: PD 101 secured with its key, PD 102 left in plain text by the CP', async () => {
    sim = await startSimulator({ tcp: { host: '127.0.0.1', port: 0 }, pds: [101, 102], secure: { scbk: KEY_HEX } });
    const sc = new CpSecureChannel({});
    cp = new ControlPanel({
      pds: [{ address: 101, scbk: Buffer.from(KEY_HEX, 'hex') }, { address: 102 }],
      channel: { type: 'tcp', host: '127.0.0.1', port: sim.port! },
      pollInterval: 10,
      session: sc.factory,
    });
    sc.attach(cp);
    await cp.start();
    assert.equal(await sc.wait(0, 20000), true);
    assert.equal(await cp.waitOnline(1, 20000), true);
    assert.equal(cp.isSecure(0), true);
    assert.equal(cp.isSecure(1), false);
    assert.equal(sc.session(1), undefined);
    for (const pd of [0, 1]) assert.equal((await cp.sendCommand(pd, { command: 'output', output: 0, controlCode: 2, timer: 0 })).status, 'ok');
    assert.deepEqual([sim.state(101).outputs[0], sim.state(102).outputs[0]], [1, 1]);
  });
});
