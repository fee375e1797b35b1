// Packet capture: classic pcap and pcapng files with link type 162 written, read back byte for byte
// (time stamps, direction in pcapng), checked against the header layout, and opened by tshark when
// it is installed (`apt-get install tshark`; otherwise that check says it did not run).
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { OSDP_LINKTYPE, PcapWriter, readCapture } from '../../../lib/osdp/pcap';

const POLL = Buffer.from('ff53650800046090', 'hex').subarray(0); // mark + POLL with CRC
const ACK = Buffer.from('ff53e508000440', 'hex');

function tshark(): string | undefined {
  for (const p of ['/usr/bin/tshark', '/usr/local/bin/tshark']) if (existsSync(p)) return p;
  return undefined;
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { timeout: 15000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout))),
  );
}

describe('osdp pcap capture', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'fieldlink-pcap-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a classic pcap with link type 162 and reads the records back', async () => {
    const file = path.join(dir, 'a.pcap');
    const w = new PcapWriter(file);
    w.write(POLL, 'tx', 1_700_000_000_123_456n);
    w.write(ACK, 'rx', 1_700_000_000_223_457n);
    await w.close();
    await w.close();
    const buf = readFileSync(file);
    assert.equal(buf.readUInt32LE(0), 0xa1b2c3d4, 'magic, microsecond time stamps');
    assert.equal(buf.readUInt16LE(4), 2);
    assert.equal(buf.readUInt16LE(6), 4);
    assert.equal(buf.readUInt32LE(20), 162);
    assert.equal(buf.length, 24 + 16 + POLL.length + 16 + ACK.length);
    assert.equal(buf.readUInt32LE(24), 1_700_000_000, 'seconds');
    assert.equal(buf.readUInt32LE(28), 123_456, 'microseconds');
    const cap = readCapture(buf);
    assert.equal(cap.linkType, OSDP_LINKTYPE);
    assert.deepEqual(cap.packets.map((p) => p.data), [POLL, ACK]);
    assert.deepEqual(cap.packets.map((p) => p.timeUs), [1_700_000_000_123_456n, 1_700_000_000_223_457n]);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(w.count, 2);
  });

  it('writes pcapng with the direction of each frame', async () => {
    const file = path.join(dir, 'a.pcapng');
    const w = new PcapWriter(file, { format: 'pcapng', interfaceName: 'cp-pd-101' });
    w.write(POLL, 'tx', 5_000_001n);
    w.write(ACK, 'rx', 5_000_002n);
    w.write(Buffer.alloc(3, 1), undefined, 5_000_003n);
    await w.close();
    const cap = readCapture(readFileSync(file));
    assert.equal(cap.format, 'pcapng');
    assert.equal(cap.linkType, 162);
    assert.deepEqual(cap.packets.map((p) => p.direction), ['tx', 'rx', undefined]);
    assert.deepEqual(cap.packets.map((p) => p.data), [POLL, ACK, Buffer.alloc(3, 1)]);
    assert.deepEqual(cap.packets.map((p) => p.timeUs), [5_000_001n, 5_000_002n, 5_000_003n]);
  });

  it('truncates to the snap length but keeps the original length', async () => {
    const file = path.join(dir, 's.pcap');
    const w = new PcapWriter(file, { snapLength: 4 });
    w.write(POLL, 'tx', 1n);
    await w.close();
    const [p] = readCapture(readFileSync(file)).packets;
    assert.deepEqual(p.data, POLL.subarray(0, 4));
    assert.equal(p.originalLength, POLL.length);
  });

  it('ignores writes after close and reports an unwritable path without throwing on write', async () => {
    const w = new PcapWriter(path.join(dir, 'missing-dir', 'x.pcap'));
    w.write(POLL);
    await assert.rejects(w.close());
    assert.ok(w.failed);
    const ok = new PcapWriter(path.join(dir, 'ok.pcap'));
    await ok.close();
    ok.write(POLL);
    assert.equal(readCapture(readFileSync(path.join(dir, 'ok.pcap'))).packets.length, 0);
  });

  it('refuses what is not a capture with a typed error', () => {
    assert.throws(() => readCapture(Buffer.alloc(30)), { code: 'EPROTOCOL' });
    assert.throws(() => readCapture(Buffer.alloc(3)), { code: 'EPROTOCOL' });
  });

  it('tshark opens both files and sees link type 162 and every frame', async function () {
    const t = tshark();
    if (!t) {
      console.log('    (tshark not installed: apt-get install tshark to run this check)');
      this.skip();
    }
    for (const format of ['pcap', 'pcapng'] as const) {
      const file = path.join(dir, `t.${format}`);
      const w = new PcapWriter(file, { format });
      w.write(POLL, 'tx', 1_700_000_000_000_000n);
      w.write(ACK, 'rx', 1_700_000_000_010_000n);
      await w.close();
      const out = await run(t!, ['-r', file, '-T', 'fields', '-e', 'frame.len', '-e', 'frame.time_epoch', '-e', 'frame.encap_type']);
      const rows = out.trim().split('\n').map((l) => l.split('\t'));
      assert.equal(rows.length, 2, out);
      assert.deepEqual(rows.map((r) => Number(r[0])), [POLL.length, ACK.length]);
      assert.ok(rows[1][1].startsWith('1700000000.01'), rows[1][1]);
      if (format === 'pcapng') {
        const dirs = await run(t!, ['-r', file, '-T', 'fields', '-e', 'frame.p2p_dir']);
        assert.deepEqual(dirs.trim().split('\n'), ['0', '1'], 'sent, received');
      }
      const info = await run(t!.replace(/tshark$/, 'capinfos'), ['-E', file]).catch(() => '');
      if (info) assert.match(info, /USER 15|User 15|162/i, info);
    }
  });
});
