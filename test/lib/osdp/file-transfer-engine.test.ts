// File transfer through the OSDP engine (ControlPanel -> PeripheralDevice over the in-memory pair):
// 100 kB plain and under Secure Channel, fragments sized from capability 10, a mid-transfer abort,
// a PD that answers rebooting, get_file_tx_status, and a file written by the directory sink.
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ControlPanel, PeripheralDevice, createMemoryPair, DEFAULT_CAPABILITIES } from '../../../lib/osdp';
import { CpSecureChannel, createPdSessionFactory, splitFrame } from '../../../lib/osdp/secure';
import { FileReceiver, attachFileReceiver, directorySink, startFileTransfer, type FileTxProgress, type ReceiverFileOps } from '../../../lib/osdp/file-transfer';

const KEY = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
// capability 10: receive buffer 256 bytes (compliance = LSB 0x00, numItems = MSB 0x01)
const CAPS = [...DEFAULT_CAPABILITIES, { function: 9, compliance: 1, numItems: 1 }, { function: 10, compliance: 0, numItems: 1 }];

function memoryOps(extra: Partial<ReceiverFileOps> = {}) {
  const parts: Buffer[] = [];
  const ops: ReceiverFileOps = {
    open: () => undefined,
    write: (_o, d) => {
      parts.push(Buffer.from(d));
    },
    close: () => undefined,
    ...extra,
  };
  return { ops, data: () => Buffer.concat(parts) };
}

async function rig(secure: boolean, ops: ReceiverFileOps, receiverOptions: { control?: number; delayMs?: number } = {}) {
  const [cpSide, pdSide] = createMemoryPair();
  const sc = new CpSecureChannel({});
  const cp = new ControlPanel({ channel: cpSide, pollInterval: 5, pds: [{ address: 7, ...(secure ? { scbk: KEY } : {}) }], session: sc.factory });
  sc.attach(cp);
  const pd = new PeripheralDevice({ address: 7, channel: pdSide, capabilities: CAPS, ...(secure ? { scbk: KEY } : {}), session: createPdSessionFactory({}), handler: () => undefined });
  const { receiver } = attachFileReceiver(pd, ops, receiverOptions);
  const sizes: number[] = [];
  const codes: number[] = [];
  cpSide.intercept = (b) => {
    const f = splitFrame(b[0] === 0xff ? b.subarray(1) : b);
    codes.push(f.code);
    if (f.code === 0x7c) sizes.push(b.length);
    if (secure && f.code === 0x7c) assert.equal(f.scb?.type, 0x17, 'FILETRANSFER encrypted');
    return b;
  };
  await pd.start();
  await cp.start();
  assert.equal(await cp.waitOnline(0, 20000), true);
  if (secure) assert.equal(await sc.wait(0, 20000), true);
  return { cp, pd, receiver, sizes, codes, close: async () => { await cp.stop(); await pd.stop(); } };
}

describe('osdp file transfer through ControlPanel and PeripheralDevice (in-memory pair)', function () {
  this.timeout(60000);
  const file = randomBytes(100 * 1024);
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  for (const secure of [false, true]) {
    it(`sends 100 kB ${secure ? 'under Secure Channel' : 'in plain text'} in frames that fit the 256-byte receive buffer`, async () => {
      const sink = memoryOps();
      const r = await rig(secure, sink.ops);
      close = r.close;
      const progress: FileTxProgress[] = [];
      const h = await startFileTransfer(r.cp, 0, { fileId: 1, source: file, onProgress: (p) => progress.push(p) });
      const result = await h.done;
      assert.equal(result.outcome, 'ok');
      assert.deepEqual(sink.data(), file);
      assert.equal(progress.at(-1)!.percent, 100);
      assert.ok(Math.max(...r.sizes) <= 256, `largest FILETRANSFER frame ${Math.max(...r.sizes)}`);
      assert.ok(Math.max(...r.sizes) >= 240, 'fragments fill the buffer');
      assert.deepEqual(h.status(), { fileId: 1, size: file.length, offset: file.length, state: 'done', outcome: 'ok' });
      assert.equal(r.receiver.status().outcome, 'ok');
      if (secure) assert.equal(r.cp.isSecure(0), true);
    });
  }

  // FTSTAT control bit 0: whether the CP may poll between fragments. The PD asks for a 20 ms delay
  // after each fragment, during which a CP polling every 5 ms would poll unless it holds its polls.
  for (const interleave of [false, true]) {
    it(`${interleave ? 'polls' : 'sends no POLL'} between fragments when the PD's FTSTAT ${interleave ? 'allows' : 'does not allow'} it, and polls again after`, async () => {
      const sink = memoryOps();
      const r = await rig(false, sink.ops, { control: interleave ? 1 : 0, delayMs: 20 });
      close = r.close;
      const h = await startFileTransfer(r.cp, 0, { fileId: 2, source: file.subarray(0, 4096) });
      assert.equal((await h.done).outcome, 'ok');
      assert.deepEqual(sink.data(), file.subarray(0, 4096));
      const first = r.codes.indexOf(0x7c);
      const last = r.codes.lastIndexOf(0x7c);
      const pollsDuring = r.codes.slice(first, last).filter((c) => c === 0x60).length;
      if (interleave) assert.ok(pollsDuring > 0, 'polls interleave when allowed');
      else assert.equal(pollsDuring, 0, 'no POLL between the first and the last FILETRANSFER');
      await new Promise<void>((resolve) => {
        const check = (): void => (r.codes.slice(last).includes(0x60) ? resolve() : void setTimeout(check, 5));
        check();
      });
      assert.equal(r.cp.isOnline(0), true);
    });
  }

  it('a mid-transfer abort under SC: ABORT reaches the PD, both sides end aborted', async () => {
    const closed: string[] = [];
    const sink = memoryOps({ close: (o) => { closed.push(o); } });
    const r = await rig(true, sink.ops);
    close = r.close;
    let h: Awaited<ReturnType<typeof startFileTransfer>> | undefined = undefined;
    h = await startFileTransfer(r.cp, 0, {
      fileId: 2,
      source: file,
      onProgress: (p) => {
        if (p.offset > 30_000) h?.cancel();
      },
    });
    const result = await h.done;
    assert.equal(result.outcome, 'aborted');
    assert.ok(result.offset > 30_000 && result.offset < file.length);
    assert.deepEqual(closed, ['aborted']);
    assert.equal(r.receiver.status().outcome, 'aborted');
    assert.equal(r.cp.isOnline(0), true);
  });

  it('a PD that answers rebooting (directory sink, rebootAfter) ends ok-rebooting with the file on disk', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fieldlink-ft-engine-'));
    try {
      const r = await rig(true, directorySink(dir, { rebootAfter: true }));
      close = r.close;
      const h = await startFileTransfer(r.cp, 0, { fileId: 5, source: file });
      const result = await h.done;
      assert.equal(result.outcome, 'ok-rebooting');
      assert.deepEqual(readFileSync(path.join(dir, 'file-5.bin')), file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a PD without file support answers NAK 3: the transfer ends aborted, nothing crashes', async () => {
    const [cpSide, pdSide] = createMemoryPair();
    const cp = new ControlPanel({ channel: cpSide, pollInterval: 5, pds: [{ address: 7 }] });
    const pd = new PeripheralDevice({ address: 7, channel: pdSide });
    await pd.start();
    await cp.start();
    close = async () => { await cp.stop(); await pd.stop(); };
    assert.equal(await cp.waitOnline(0, 20000), true);
    const h = await startFileTransfer(cp, 0, { fileId: 1, source: file.subarray(0, 1000) });
    const result = await h.done;
    assert.equal(result.outcome, 'aborted');
    assert.equal(cp.isOnline(0), true);
  });

  it('FileReceiver instances can be attached directly', () => {
    const pd = new PeripheralDevice({ address: 9 });
    const receiver = new FileReceiver({ ops: memoryOps().ops });
    const a = attachFileReceiver(pd, receiver);
    assert.equal(a.receiver, receiver);
    a.detach();
  });
});
