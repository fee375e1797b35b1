// Secure Channel and file transfer over a real serial device: a socat pty pair, the serialport
// channel on both ends (CP on one, a PeripheralDevice on the other). SC with a set key and every
// command and event, install mode with KEYSET and key rotation, 100 kB plain and under SC, a
// mid-transfer abort and a PD that answers rebooting.
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { ControlPanel, PeripheralDevice, DEFAULT_CAPABILITIES, type CpEventRecord } from '../../../lib/osdp';
import { CpSecureChannel, createPdSessionFactory, rotateKey, ScFlagBit } from '../../../lib/osdp/secure';
import { attachFileReceiver, startFileTransfer, type ReceiverFileOps } from '../../../lib/osdp/file-transfer';
import { haveSocat, ptyPair, type PtyPair } from './pty';
import { until, waitEvent } from './helpers';

const KEY = Buffer.from('a0a1a2a3a4a5a6a7a8a9aaabacadaeaf', 'hex');
// capability 10: 1024-byte receive buffer
const CAPS = [...DEFAULT_CAPABILITIES, { function: 10, compliance: 0x00, numItems: 0x04 }];

describe('osdp secure channel and file transfer over a pty pair', function () {
  this.timeout(60000);
  let pty: PtyPair | undefined;
  let cp: ControlPanel | undefined;
  let pd: PeripheralDevice | undefined;

  before(function () {
    if (!haveSocat()) {
      console.log('    socat is not installed: the pty test did not run (apt-get install socat to enable it)');
      this.skip();
    }
  });
  afterEach(async () => {
    await cp?.stop();
    await pd?.stop();
    await pty?.close();
    cp = pd = pty = undefined;
  });

  async function start(o: { cpKey?: Buffer; pdKey?: Buffer; pdFlags?: number; ops?: ReceiverFileOps; pdKeys?: Buffer[] }) {
    pty = await ptyPair();
    const sc = new CpSecureChannel({});
    pd = new PeripheralDevice({
      address: 101,
      channel: { type: 'serial', path: pty.b, baudRate: 115200 },
      capabilities: CAPS,
      flags: o.pdFlags ?? 0,
      ...(o.pdKey ? { scbk: o.pdKey } : {}),
      session: createPdSessionFactory({ onKeyChange: (k) => o.pdKeys?.push(k) }),
      handler: () => undefined,
    });
    if (o.ops) attachFileReceiver(pd, o.ops);
    cp = new ControlPanel({ pds: [{ address: 101, ...(o.cpKey ? { scbk: o.cpKey } : {}) }], channel: { type: 'serial', path: pty.a, baudRate: 115200 }, pollInterval: 10, responseTimeout: 1000, offlineBackoff: 50, session: sc.factory });
    sc.attach(cp);
    await pd.start();
    await cp.start();
    assert.equal(await cp.waitOnline(0, 30000), true);
    return { sc, cp, pd };
  }

  it('SC with a set key: every command and event under SC', async () => {
    const { sc, cp, pd } = await start({ cpKey: KEY, pdKey: KEY });
    assert.equal(await sc.wait(0, 30000), true);
    const cmds = [
      { command: 'led', reader: 0, led: 0, temporary: { controlCode: 0, onCount: 0, offCount: 0, onColor: 0, offColor: 0, timer: 0 }, permanent: { controlCode: 1, onCount: 1, offCount: 0, onColor: 2, offColor: 0 } },
      { command: 'buzzer', reader: 0, controlCode: 2, onCount: 1, offCount: 1, repeat: 1 },
      { command: 'text', reader: 0, controlCode: 1, tempTime: 0, row: 1, column: 1, text: 'secured' },
      { command: 'output', output: 1, controlCode: 2, timer: 0 },
      { command: 'status', type: 'input' },
      { command: 'mfg', vendorCode: 0x0a0b0c, data: Buffer.from([1]) },
    ];
    for (const c of cmds) assert.equal((await cp.sendCommand(0, c as never)).status, 'ok', c.command);
    const ev = waitEvent<[CpEventRecord]>(cp, 'event', 10000, (e) => e.event.event === 'card');
    pd.submitEvent({ event: 'card', reader: 0, format: 'raw', direction: 0, bitCount: 26, data: Buffer.from([1, 2, 3, 0]) });
    await ev;
    assert.equal(cp.isSecure(0), true);
    assert.equal(sc.status(0)!.counters.macErrors, 0);
  });

  it('install mode end to end, then key rotation', async () => {
    const pdKeys: Buffer[] = [];
    const { sc, cp } = await start({ cpKey: KEY, pdFlags: ScFlagBit.InstallMode, pdKeys });
    await until(() => sc.isActive(0) && cp.isOnline(0) && sc.status(0)!.counters.keysets === 1, 'provisioned and secured with the key', 30000);
    assert.deepEqual(pdKeys, [KEY]);
    const next = await rotateKey(cp, 0);
    await until(() => sc.isActive(0) && cp.isOnline(0) && sc.status(0)!.counters.keysets === 2, 'secured with the rotated key', 30000);
    assert.deepEqual(pdKeys, [KEY, next]);
    assert.equal((await cp.sendCommand(0, { command: 'output', output: 0, controlCode: 2, timer: 0 })).status, 'ok');
  });

  for (const secure of [false, true]) {
    it(`100 kB file ${secure ? 'under SC' : 'in plain text'}`, async () => {
      const file = randomBytes(100 * 1024);
      const got: Buffer[] = [];
      const { sc, cp } = await start({ ...(secure ? { cpKey: KEY, pdKey: KEY } : {}), ops: { open: () => undefined, write: (_o, d) => void got.push(Buffer.from(d)), close: () => undefined } });
      if (secure) assert.equal(await sc.wait(0, 30000), true);
      const h = await startFileTransfer(cp, 0, { fileId: 1, source: file });
      const r = await h.done;
      assert.equal(r.outcome, 'ok');
      assert.deepEqual(Buffer.concat(got), file);
      if (secure) assert.equal(cp.isSecure(0), true);
    });
  }

  it('a mid-transfer abort under SC, then a PD that answers rebooting', async () => {
    const file = randomBytes(100 * 1024);
    let reboot = false;
    const closed: string[] = [];
    const { sc, cp } = await start({ cpKey: KEY, pdKey: KEY, ops: { open: () => undefined, write: () => undefined, close: (o) => { closed.push(o); return reboot ? 'rebooting' : undefined; } } });
    assert.equal(await sc.wait(0, 30000), true);
    let h: Awaited<ReturnType<typeof startFileTransfer>> | undefined = undefined;
    h = await startFileTransfer(cp, 0, { fileId: 2, source: file, onProgress: (p) => { if (p.percent >= 30) h?.cancel(); } });
    const aborted = await h.done;
    assert.equal(aborted.outcome, 'aborted');
    assert.ok(aborted.offset < file.length);
    reboot = true;
    const h2 = await startFileTransfer(cp, 0, { fileId: 2, source: file });
    assert.equal((await h2.done).outcome, 'ok-rebooting');
    assert.deepEqual(closed, ['aborted', 'ok']);
  });
});
