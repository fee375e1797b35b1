// CapturePackets through the engine: a ControlPanel with the flag set writes every frame it sends and
// receives (under Secure Channel too) to a pcap file, read back here and by tshark when installed.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ControlPanel, PeripheralDevice, PdFlag, createMemoryPair } from '../../../lib/osdp';
import { capturePackets, capturePacketsToDirectory } from '../../../lib/osdp/capture';
import { readCapture } from '../../../lib/osdp/pcap';
import { CpSecureChannel, createPdSessionFactory, splitFrame } from '../../../lib/osdp/secure';

const KEY = Buffer.from('00112233445566778899aabbccddeeff', 'hex');

describe('osdp CapturePackets -> pcap', function () {
  this.timeout(60000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'fieldlink-cap-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('captures the handshake and secured traffic of a CP, in order, in both directions', async () => {
    const [a, b] = createMemoryPair();
    const sc = new CpSecureChannel({});
    const cp = new ControlPanel({ channel: a, pollInterval: 5, pds: [{ address: 101, scbk: KEY, flags: PdFlag.CapturePackets }], session: sc.factory });
    sc.attach(cp);
    const pd = new PeripheralDevice({ address: 101, channel: b, scbk: KEY, session: createPdSessionFactory({}), handler: () => undefined });
    const file = path.join(dir, 'cp.pcapng');
    const cap = capturePackets(cp, file, { format: 'pcapng' });
    await pd.start();
    await cp.start();
    try {
      assert.equal(await sc.wait(0, 20000), true);
      await cp.command(0, { command: 'output', output: 0, controlCode: 2, timer: 0 });
    } finally {
      await cp.stop();
      await pd.stop();
      await cap.stop();
    }
    const { linkType, packets } = readCapture(readFileSync(file));
    assert.equal(linkType, 162);
    assert.ok(packets.length >= 8, `${packets.length} packets`);
    const frames = packets.map((p) => ({ dir: p.direction, f: splitFrame(p.data) }));
    assert.deepEqual(frames.slice(0, 4).map((x) => [x.dir, x.f.code]), [['tx', 0x61], ['rx', 0x45], ['tx', 0x62], ['rx', 0x46]], 'ID, PDID, CAP, PDCAP');
    const chlng = frames.findIndex((x) => x.f.code === 0x76 && x.dir === 'tx');
    assert.ok(chlng > 0);
    assert.equal(frames[chlng + 1].f.code, 0x76, 'CCRYPT');
    assert.ok(frames.some((x) => x.dir === 'tx' && x.f.code === 0x68 && x.f.scb?.type === 0x17), 'the OUT, encrypted');
    for (const x of frames) assert.equal(x.f.reply, x.dir === 'rx');
    for (let i = 1; i < packets.length; i++) assert.ok(packets[i].timeUs > packets[i - 1].timeUs);
    const t = ['/usr/bin/tshark'].find((p) => existsSync(p));
    if (t) {
      const out = await new Promise<string>((resolve, reject) => execFile(t, ['-r', file, '-T', 'fields', '-e', 'frame.len'], (err, so) => (err ? reject(err) : resolve(so))));
      assert.equal(out.trim().split('\n').length, packets.length, 'tshark reads every frame');
    }
  });

  it('capturePacketsToDirectory: one file per PD with the flag, libosdp names, on both CP and PD', async () => {
    const [a, b] = createMemoryPair();
    const cp = new ControlPanel({ channel: a, pollInterval: 5, pds: [{ address: 101, flags: PdFlag.CapturePackets }] });
    const pd = new PeripheralDevice({ address: 101, channel: b, flags: PdFlag.CapturePackets, handler: () => undefined });
    const cpCap = capturePacketsToDirectory(cp, dir);
    const pdCap = capturePacketsToDirectory(pd, dir, { role: 'pd' });
    await pd.start();
    await cp.start();
    try {
      assert.equal(await cp.waitOnline(0, 20000), true);
      await cp.command(0, { command: 'output', output: 0, controlCode: 2, timer: 0 });
    } finally {
      await cp.stop();
      await pd.stop();
      await cpCap.stop();
      await pdCap.stop();
    }
    assert.deepEqual(cpCap.files, [path.join(dir, 'cp-pd-0.pcap')]);
    assert.deepEqual(pdCap.files, [path.join(dir, 'pd-101.pcap')]);
    const cpFrames = readCapture(readFileSync(cpCap.files[0])).packets.map((p) => splitFrame(p.data).code);
    const pdFrames = readCapture(readFileSync(pdCap.files[0])).packets.map((p) => splitFrame(p.data).code);
    assert.deepEqual(cpFrames.slice(0, 4), [0x61, 0x45, 0x62, 0x46]);
    assert.deepEqual(pdFrames.slice(0, 4), [0x61, 0x45, 0x62, 0x46]);
    assert.ok(cpFrames.includes(0x68) && pdFrames.includes(0x68));
  });
});
