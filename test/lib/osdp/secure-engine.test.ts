// Secure Channel through the OSDP engine: ControlPanel and PeripheralDevice over the in-memory pair
// with the session factories of lib/osdp/secure. SC with a set key, install mode end to end, key
// rotation, bad MAC (NAK 6 and recovery), EnforceSecure refusing SCBK-D, plaintext during SC,
// every command and event under SC, session loss and re-establishment.
import { strict as assert } from 'node:assert';
import { ControlPanel, PeripheralDevice, PdFlag, createMemoryPair, DEFAULT_CAPABILITIES, DEFAULT_PD_ID, type CpEventRecord } from '../../../lib/osdp';
import { CpSecureChannel, buildFrame, clientUidFromId, createPdSessionFactory, rotateKey, ScFlagBit, scbkFromMasterKey, secureSimPdOptions, splitFrame } from '../../../lib/osdp/secure';
import { crc16 } from '../../../lib/osdp/secure/frame';
import { KeyStore } from '../../../lib/osdp/keystore';
import { FieldlinkError } from '../../../lib/common/errors';

const KEY = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
const KEY2 = Buffer.from('0f1e2d3c4b5a69788796a5b4c3d2e1f0', 'hex');
const CAPS = [...DEFAULT_CAPABILITIES, { function: 9, compliance: 1, numItems: 1 }, { function: 10, compliance: 0, numItems: 1 }];

interface Rig {
  cp: ControlPanel;
  pd: PeripheralDevice;
  sc: CpSecureChannel;
  cpSide: ReturnType<typeof createMemoryPair>[0];
  pdSide: ReturnType<typeof createMemoryPair>[1];
  pdKeys: Buffer[];
  cpKeys: Buffer[];
  close: () => Promise<void>;
}

async function rig(opts: { cpKey?: Buffer; pdKey?: Buffer; cpFlags?: number; pdFlags?: number; handler?: ConstructorParameters<typeof PeripheralDevice>[0]['handler']; pdNow?: () => number } = {}): Promise<Rig> {
  const [cpSide, pdSide] = createMemoryPair();
  const pdKeys: Buffer[] = [];
  const cpKeys: Buffer[] = [];
  const sc = new CpSecureChannel({ onKeyChange: (_pd, k) => cpKeys.push(k), retryMs: 1_000_000 });
  const cp = new ControlPanel({
    channel: cpSide,
    pollInterval: 5,
    responseTimeout: 100,
    offlineBackoff: 20,
    pds: [{ address: 101, name: 'reader', flags: opts.cpFlags ?? 0, ...(opts.cpKey ? { scbk: opts.cpKey } : {}) }],
    session: sc.factory,
  });
  const pd = new PeripheralDevice({
    address: 101,
    channel: pdSide,
    capabilities: CAPS,
    flags: opts.pdFlags ?? 0,
    ...(opts.pdKey ? { scbk: opts.pdKey } : {}),
    session: createPdSessionFactory({ onKeyChange: (k) => pdKeys.push(k), ...(opts.pdNow ? { now: opts.pdNow } : {}) }),
    handler: opts.handler ?? (() => undefined),
  });
  sc.attach(cp);
  await pd.start();
  await cp.start();
  return {
    cp, pd, sc, cpSide, pdSide, pdKeys, cpKeys,
    close: async () => {
      await cp.stop();
      await pd.stop();
    },
  };
}

function waitFor(cond: () => boolean, what: string, ms = 20000): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = (): void => {
      if (cond()) return resolve();
      if (Date.now() - t0 > ms) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 2);
    };
    tick();
  });
}

describe('osdp secure channel through ControlPanel and PeripheralDevice (in-memory pair)', function () {
  this.timeout(60000);
  let r: Rig | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  it('establishes SC with a set key; every frame after the handshake is secured', async () => {
    r = await rig({ cpKey: KEY, pdKey: KEY });
    const frames: Buffer[] = [];
    r.cpSide.intercept = (b) => (frames.push(b), b);
    assert.equal(await r.sc.wait(0, 20000), true);
    assert.equal(r.cp.isSecure(0), true);
    assert.equal(r.pd.isSecure, true);
    assert.equal(r.sc.status(0)!.defaultKey, false);
    await r.cp.command(0, { command: 'output', output: 0, controlCode: 2, timer: 0 });
    const after = frames.map((f) => splitFrame(f[0] === 0xff ? f.subarray(1) : f));
    const chl = after.findIndex((f) => f.code === 0x76);
    assert.ok(chl >= 0, 'a CHLNG went out');
    assert.equal(after[chl].sqn, 0, 'CHLNG with SQN 0');
    const later = after.slice(chl + 2);
    assert.ok(later.length > 0);
    for (const f of later) assert.ok(f.scb && (f.scb.type === 0x15 || f.scb.type === 0x17), `secured command, got ${f.scb?.type}`);
    assert.ok(later.some((f) => f.scb!.type === 0x17 && f.code === 0x68), 'OUT went encrypted');
    assert.deepEqual(r.pd.status.outputs[0], 1);
  });

  it('a master key: the CP derives each PD key from the cUID the PD sends (its PDID, libosdp layout)', async () => {
    const mk = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
    const [cpSide, pdSide] = createMemoryPair();
    const sc = new CpSecureChannel({ masterKey: mk });
    const cp = new ControlPanel({ channel: cpSide, pollInterval: 5, pds: [{ address: 101, flags: ScFlagBit.EnforceSecure }], session: sc.factory });
    sc.attach(cp);
    const pd = new PeripheralDevice({ address: 101, channel: pdSide, scbk: scbkFromMasterKey(mk, clientUidFromId(DEFAULT_PD_ID)), session: createPdSessionFactory({}), handler: () => undefined });
    await pd.start();
    await cp.start();
    try {
      assert.equal(await sc.wait(0, 20000), true);
      assert.deepEqual(sc.session(0)!.sc.clientUid, clientUidFromId(DEFAULT_PD_ID));
      await cp.command(0, { command: 'output', output: 0, controlCode: 2, timer: 0 });
    } finally {
      await cp.stop();
      await pd.stop();
    }
  });

  it('install mode end to end: SCBK fails, SCBK-D session, KEYSET, new session with the key', async () => {
    r = await rig({ cpKey: KEY, pdFlags: ScFlagBit.InstallMode });
    await waitFor(() => r!.sc.isActive(0) && r!.sc.status(0)!.defaultKey === false && r!.cp.isOnline(0), 'secured with the new key');
    assert.deepEqual(r.pdKeys, [KEY], 'the PD stored the key');
    assert.deepEqual(r.cpKeys, [KEY]);
    const st = r.sc.status(0)!;
    assert.ok(st.counters.established >= 2, 'one session on SCBK-D, one on SCBK');
    assert.equal(st.counters.keysets, 1);
    await r.cp.command(0, { command: 'buzzer', reader: 0, controlCode: 2, onCount: 1, offCount: 1, repeat: 1 });
  });

  it('install mode: a CP with InstallMode and no key provisions a random key and reports it', async () => {
    r = await rig({ cpFlags: ScFlagBit.InstallMode, pdFlags: ScFlagBit.InstallMode });
    await waitFor(() => r!.cpKeys.length === 1 && r!.sc.isActive(0), 'provisioned');
    assert.equal(r.cpKeys[0].length, 16);
    assert.deepEqual(r.pdKeys, r.cpKeys);
  });

  it('key rotation from a flow: KEYSET under SC, then a new session with the new key', async () => {
    r = await rig({ cpKey: KEY, pdKey: KEY });
    assert.equal(await r.sc.wait(0, 20000), true);
    const before = r.sc.status(0)!.counters.established;
    await r.cp.command(0, { command: 'keyset', keyType: 1, key: KEY2 });
    assert.deepEqual(r.pdKeys, [KEY2]);
    assert.deepEqual(r.cpKeys, [KEY2]);
    await waitFor(() => r!.sc.isActive(0) && r!.sc.status(0)!.counters.established > before && r!.cp.isOnline(0), 'new session');
    await r.cp.command(0, { command: 'output', output: 1, controlCode: 2, timer: 0 });
  });

  it('bad MAC: the PD answers NAK 6, the session drops and comes back', async () => {
    r = await rig({ cpKey: KEY, pdKey: KEY });
    assert.equal(await r.sc.wait(0, 20000), true);
    let corrupt = true;
    r.cpSide.intercept = (b) => {
      const f = b[0] === 0xff ? 1 : 0;
      if (corrupt && b.length > f + 10 && (b[f + 4] & 0x08) && b[f + 6] === 0x17) {
        corrupt = false;
        const out = Buffer.from(b);
        // flip a MAC byte and fix the CRC so only the MAC is wrong
        const end = out.length - 2;
        out[end - 1] ^= 0x55;
        out.writeUInt16LE(crc16(out, f, end), end);
        return out;
      }
      return b;
    };
    const res = await r.cp.sendCommand(0, { command: 'output', output: 0, controlCode: 2, timer: 0 });
    assert.equal(res.status, 'failed');
    assert.equal((res.error as unknown as { nak?: number }).nak ?? (res.reply as { code?: number } | undefined)?.code, 6);
    await waitFor(() => r!.sc.status(0)!.counters.established >= 2 && r!.sc.isActive(0) && r!.cp.isOnline(0), 're-established');
    assert.ok(r.pd.isSecure);
    await r.cp.command(0, { command: 'output', output: 0, controlCode: 2, timer: 0 });
  });

  it('EnforceSecure: a CP without the right key never falls back to SCBK-D, the PD stays offline', async () => {
    r = await rig({ cpKey: KEY2, pdFlags: ScFlagBit.InstallMode, cpFlags: ScFlagBit.EnforceSecure });
    const chlng: number[] = [];
    r.cpSide.intercept = (b) => {
      const f = splitFrame(b[0] === 0xff ? b.subarray(1) : b);
      if (f.code === 0x76 && f.scb) chlng.push(f.scb.data[0]);
      return b;
    };
    await waitFor(() => chlng.length >= 2, 'two attempts');
    assert.ok(chlng.every((k) => k === 1), 'only SCBK, never SCBK-D');
    assert.equal(r.cp.isOnline(0), false);
    assert.equal(r.sc.isActive(0), false);
  });

  it('plaintext during SC is refused on the wire: the PD answers a plain POLL with NAK 6; the CP re-secures', async () => {
    r = await rig({ cpKey: KEY, pdKey: KEY });
    assert.equal(await r.sc.wait(0, 20000), true);
    let swapped = -1;
    const pdReplies: Buffer[] = [];
    r.cpSide.intercept = (b) => {
      const f = splitFrame(b[0] === 0xff ? b.subarray(1) : b);
      if (swapped < 0 && f.scb?.type === 0x15 && f.code === 0x60) {
        swapped = f.sqn;
        return buildFrame({ addr: 101, sqn: f.sqn, crc: true, reply: false }, undefined, 0x60, Buffer.alloc(0));
      }
      return b;
    };
    r.pdSide.intercept = (b) => {
      if (swapped >= 0 && pdReplies.length === 0) pdReplies.push(b);
      return b;
    };
    await waitFor(() => pdReplies.length > 0, 'the reply to the plain POLL');
    const reply = splitFrame(pdReplies[0][0] === 0xff ? pdReplies[0].subarray(1) : pdReplies[0]);
    assert.equal(reply.scb, undefined, 'a plain NAK');
    assert.equal(reply.code, 0x41);
    assert.deepEqual(reply.data, Buffer.from([6]));
    await waitFor(() => r!.sc.status(0)!.counters.established >= 2 && r!.sc.isActive(0) && r!.cp.isOnline(0), 're-secured');
    await r.cp.command(0, { command: 'output', output: 0, controlCode: 2, timer: 0 });
  });

  it('plaintext during SC is refused by the CP: a plain ACK in place of a secured reply fails the command', async () => {
    r = await rig({ cpKey: KEY, pdKey: KEY });
    assert.equal(await r.sc.wait(0, 20000), true);
    let swap = false;
    r.pdSide.intercept = (b) => {
      const f = splitFrame(b[0] === 0xff ? b.subarray(1) : b);
      if (swap && f.scb?.type === 0x16 && f.code === 0x40) {
        swap = false;
        return buildFrame({ addr: 101, sqn: f.sqn, crc: true, reply: true }, undefined, 0x40, Buffer.alloc(0));
      }
      return b;
    };
    await r.cp.command(0, { command: 'output', output: 0, controlCode: 2, timer: 0 });
    swap = true;
    const res = await r.cp.sendCommand(0, { command: 'output', output: 0, controlCode: 1, timer: 0 });
    assert.equal(res.status, 'failed');
    assert.equal((res.error as { code?: string }).code, 'ESECURE');
    assert.ok(r.sc.status(0)!.counters.refused >= 1);
  });

  it('session loss (link drop) and re-establishment', async () => {
    r = await rig({ cpKey: KEY, pdKey: KEY });
    assert.equal(await r.sc.wait(0, 20000), true);
    const before = r.sc.status(0)!.counters.established;
    r.cpSide.fail();
    await waitFor(() => !r!.sc.isActive(0), 'session dropped');
    await waitFor(() => r!.sc.isActive(0) && r!.cp.isOnline(0) && r!.sc.status(0)!.counters.established > before, 're-established', 10000);
    await r.cp.command(0, { command: 'output', output: 0, controlCode: 2, timer: 0 });
  });

  it('the PD drops SC after 8 s without valid secure traffic (injected PD clock): NAK 6, the CP re-secures', async () => {
    let now = 1_000_000;
    r = await rig({ cpKey: KEY, pdKey: KEY, pdNow: () => now });
    assert.equal(await r.sc.wait(0, 20000), true);
    const naks: Buffer[] = [];
    r.pdSide.intercept = (b) => {
      const f = splitFrame(b[0] === 0xff ? b.subarray(1) : b);
      if (!f.scb && f.code === 0x41) naks.push(f.data);
      return b;
    };
    now += 8_000;
    await waitFor(() => naks.length > 0, 'a NAK from the timed-out PD');
    assert.deepEqual(naks[0], Buffer.from([6]));
    await waitFor(() => r!.sc.status(0)!.counters.established >= 2 && r!.sc.isActive(0) && r!.cp.isOnline(0), 're-secured');
    const pdSession = (r.pd as unknown as { session: { counters: { timeouts: number } } }).session;
    assert.equal(pdSession.counters.timeouts, 1);
    await r.cp.command(0, { command: 'output', output: 0, controlCode: 2, timer: 0 });
  });


  it('fuzz through the engine (EnforceSecure): 1 in 4 secured frames mutated for a while; no crash, SC recovers', async () => {
    r = await rig({ cpKey: KEY, pdKey: KEY, cpFlags: ScFlagBit.EnforceSecure, pdFlags: ScFlagBit.EnforceSecure });
    assert.equal(await r.sc.wait(0, 20000), true);
    let x = 0x2468ace;
    const rnd = (): number => ((x = (x * 1103515245 + 12345) >>> 0) / 0x100000000);
    let mutating = true;
    let mutated = 0;
    const warnings: unknown[] = [];
    r.cp.on('warning', (w) => warnings.push(w));
    r.pd.on('warning', (w) => warnings.push(w));
    r.cpSide.intercept = (b) => {
      const f = b[0] === 0xff ? 1 : 0;
      if (!mutating || b.length < f + 8 || !(b[f + 4] & 0x08) || rnd() >= 0.25) return b;
      mutated++;
      const out = Buffer.from(b);
      const i = f + 5 + Math.floor(rnd() * (out.length - f - 7));
      out[i] ^= 1 << Math.floor(rnd() * 8);
      if (rnd() < 0.8) out.writeUInt16LE(crc16(out, f, out.length - 2), out.length - 2);
      return out;
    };
    for (let i = 0; i < 5000 && mutated < 40; i++) {
      const res = await r.cp.sendCommand(0, { command: 'output', output: 0, controlCode: 2, timer: 0 });
      if (res.status !== 'ok' && !r.cp.isOnline(0)) await waitFor(() => r!.cp.isOnline(0), 'back online', 15000);
    }
    mutating = false;
    assert.ok(mutated >= 40, `mutated ${mutated}`);
    await waitFor(() => r!.sc.isActive(0) && r!.cp.isOnline(0), 'secure and online again', 15000);
    await r.cp.command(0, { command: 'output', output: 0, controlCode: 2, timer: 0 });
    assert.ok(r.sc.status(0)!.counters.established >= 2);
    assert.ok(warnings.every((w) => w instanceof FieldlinkError), 'only typed errors');
  });

  it('every command and event under SC', async () => {
    const seen: string[] = [];
    r = await rig({ cpKey: KEY, pdKey: KEY, handler: (c) => { seen.push(c.command); return c.command === 'mfg' ? { reply: 'mfgrep', vendorCode: c.vendorCode, data: Buffer.from('ok') } : undefined; } });
    assert.equal(await r.sc.wait(0, 20000), true);
    const cmds = [
      { command: 'led', reader: 0, led: 0, temporary: { controlCode: 0, onCount: 0, offCount: 0, onColor: 0, offColor: 0, timer: 0 }, permanent: { controlCode: 1, onCount: 1, offCount: 0, onColor: 2, offColor: 0 } },
      { command: 'buzzer', reader: 0, controlCode: 2, onCount: 1, offCount: 1, repeat: 1 },
      { command: 'text', reader: 0, controlCode: 1, tempTime: 0, row: 1, column: 1, text: 'Hello under SC' },
      { command: 'output', output: 1, controlCode: 2, timer: 0 },
      { command: 'status', type: 'local' },
      { command: 'status', type: 'input' },
      { command: 'status', type: 'output' },
      { command: 'mfg', vendorCode: 0x0a0b0c, data: Buffer.from([1, 2, 3]) },
      { command: 'keepactive', time: 1000 },
      { command: 'acurxsize', size: 512 },
    ] as const;
    for (const c of cmds) {
      const res = await r.cp.sendCommand(0, c as never);
      assert.equal(res.status, 'ok', `${c.command}: ${res.error?.message}`);
    }
    assert.ok(seen.includes('led') && seen.includes('text') && seen.includes('mfg'));
    const events: CpEventRecord[] = [];
    r.cp.on('event', (e: CpEventRecord) => events.push(e));
    r.pd.submitEvent({ event: 'card', reader: 0, format: 'raw', direction: 0, bitCount: 26, data: Buffer.from([0x12, 0x34, 0x56, 0x40]) });
    r.pd.submitEvent({ event: 'keypress', reader: 0, keys: Buffer.from('1234') });
    r.pd.submitEvent({ event: 'mfgrep', vendorCode: 0x0a0b0c, data: Buffer.from([9]) });
    r.pd.submitEvent({ event: 'status', type: 'local', report: [1, 0] });
    await waitFor(() => ['card', 'keypress', 'mfgrep', 'status'].every((k) => events.some((e) => e.event.event === k)), 'events under SC');
    assert.equal(r.cp.isSecure(0), true);
    // COMSET under SC: the PD moves to address 102, the session carries on
    const com = await r.cp.sendCommand(0, { command: 'comset', address: 102, baudRate: 115200 });
    assert.equal(com.status, 'ok', com.error?.message);
    await waitFor(() => r!.pd.address === 102, 'PD re-addressed');
    assert.equal((await r.cp.sendCommand(0, { command: 'output', output: 1, controlCode: 1, timer: 0 })).status, 'ok');
    assert.equal(r.cp.pdInfo(0).address, 102);
    assert.equal(r.cp.isSecure(0), true);
  });
});

describe('osdp secure channel: engine glue', () => {
  it('the flag bits match the engine PdFlag values', () => {
    assert.equal(ScFlagBit.EnforceSecure, PdFlag.EnforceSecure);
    assert.equal(ScFlagBit.InstallMode, PdFlag.InstallMode);
    assert.equal(ScFlagBit.AllowEmptyEncryptedDataBlock, PdFlag.AllowEmptyEncryptedDataBlock);
  });

  it('the PD cUID follows libosdp: vendor code bytes 0-1, model, version, serial number', () => {
    assert.equal(clientUidFromId({ vendorCode: 0x00a1b2, model: 1, version: 2, serialNumber: 0x01020304 }).toString('hex'), 'b2a1010204030201');
  });
});

describe('osdp secure channel: key rotation with a KeyStore, sim options', function () {
  this.timeout(60000);
  it('rotateKey stages the key, sends KEYSET under SC, commits it, and the next session uses it', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const pathMod = await import('node:path');
    const dir = mkdtempSync(pathMod.join(tmpdir(), 'fieldlink-rot-'));
    const r = await rig({ cpKey: KEY, pdKey: KEY });
    try {
      const store = new KeyStore(dir);
      await store.set('reader', KEY);
      assert.equal(await r.sc.wait(0, 20000), true);
      const key = await rotateKey(r.cp, 0, { keystore: store, keyName: 'reader' });
      assert.deepEqual(await store.load('reader'), key);
      assert.deepEqual(await store.loadPrevious('reader'), KEY);
      assert.deepEqual(r.pdKeys, [key]);
      await waitFor(() => r.sc.isActive(0) && r.cp.isOnline(0) && r.sc.status(0)!.counters.keysets === 1, 'secured with the rotated key');
      await r.cp.command(0, { command: 'output', output: 0, controlCode: 2, timer: 0 });
      // not secured -> refused, nothing staged
      r.cp.disablePd(0);
      await assert.rejects(rotateKey(r.cp, 0, { keystore: store, keyName: 'reader' }), { code: 'ESECURE' });
      assert.equal(await store.loadStaged('reader'), undefined);
    } finally {
      await r.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sim options: --scbk and --install-mode give a PD a session; a bad key is refused', () => {
    const o = secureSimPdOptions({ scbk: KEY.toString('hex') });
    assert.deepEqual(o.scbk, KEY);
    assert.equal(typeof o.session, 'function');
    assert.equal(secureSimPdOptions({ 'install-mode': true }).flags, ScFlagBit.InstallMode);
    assert.equal(secureSimPdOptions({}).session, undefined);
    assert.throws(() => secureSimPdOptions({ scbk: '1234' }), { code: 'EINVAL' });
  });
});
