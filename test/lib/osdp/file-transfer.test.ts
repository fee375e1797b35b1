// File transfer at the state-machine level: a FileSender (CP) and a FileReceiver (PD) connected
// directly (no transport): 100 kB files, fragment sizes from the receive buffer, keep-alive while
// the PD finishes, rebooting, cancel (ABORT), refused file ids, malformed fragments, delays and
// poll requests with an injected clock, and the codec against hand-built bytes.
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  FT_CODE,
  FileReceiver,
  FileSender,
  FtStatus,
  bufferSource,
  decodeFileTransfer,
  decodeFtStat,
  directorySink,
  encodeFileTransfer,
  encodeFtStat,
  maxFragmentFor,
  pathSource,
  type FileTxProgress,
  type ReceiverFileOps,
  type SenderAction,
} from '../../../lib/osdp/file-transfer';

function memorySink(extra: Partial<ReceiverFileOps> = {}) {
  const chunks: Buffer[] = [];
  const log: string[] = [];
  const ops: ReceiverFileOps = {
    open: (id, size) => {
      log.push(`open ${id} ${size}`);
    },
    write: (offset, data) => {
      assert.equal(offset, Buffer.concat(chunks).length);
      chunks.push(Buffer.from(data));
    },
    close: (outcome) => {
      log.push(`close ${outcome}`);
    },
    ...extra,
  };
  return { ops, data: () => Buffer.concat(chunks), log };
}

/** Runs sender against receiver until done; `hook` may act before each command. */
async function pump(sender: FileSender, receiver: FileReceiver, hook?: (i: number, a: SenderAction) => void | Promise<void>) {
  const sent: SenderAction[] = [];
  for (let i = 0; i < 100_000; i++) {
    const a = await sender.next();
    await hook?.(i, a);
    if (a.kind === 'done') return { result: a.result, sent };
    sent.push(a);
    if (a.kind === 'wait') throw new Error('unexpected wait');
    if (a.kind === 'poll') {
      sender.onPollReply();
      continue;
    }
    if (a.code === FT_CODE.FILETRANSFER) await sender.onReply(FT_CODE.FTSTAT, await receiver.onFileTransfer(a.data));
    else if (a.code === FT_CODE.ABORT) {
      await receiver.onAbort();
      await sender.onReply(FT_CODE.ACK);
    }
  }
  throw new Error('transfer did not end');
}

describe('osdp file transfer: codec', () => {
  it('encodes FILETRANSFER as id u8, size u32, offset u32, length u16, data (little-endian)', () => {
    const b = encodeFileTransfer({ fileId: 1, totalSize: 0x01020304, offset: 0x0a0b0c0d, data: Buffer.from([0xaa, 0xbb]) });
    assert.equal(b.toString('hex'), '01' + '04030201' + '0d0c0b0a' + '0200' + 'aabb');
    assert.deepEqual(decodeFileTransfer(b), { fileId: 1, totalSize: 0x01020304, offset: 0x0a0b0c0d, data: Buffer.from([0xaa, 0xbb]) });
  });
  it('encodes FTSTAT as control u8, delay u16, status i16, rx size u16', () => {
    const b = encodeFtStat({ control: 0x05, delayMs: 300, status: -2, rxSize: 512 });
    assert.equal(b.toString('hex'), '05' + '2c01' + 'feff' + '0002');
    assert.deepEqual(decodeFtStat(b), { control: 5, delayMs: 300, status: -2, rxSize: 512 });
  });
  it('refuses short or inconsistent payloads with typed errors', () => {
    assert.throws(() => decodeFileTransfer(Buffer.alloc(10)), { code: 'EPROTOCOL' });
    const b = encodeFileTransfer({ fileId: 1, totalSize: 3, offset: 0, data: Buffer.from([1, 2, 3]) });
    assert.throws(() => decodeFileTransfer(b.subarray(0, 13)), { code: 'EPROTOCOL' });
    assert.throws(() => decodeFtStat(Buffer.alloc(6)), { code: 'EPROTOCOL' });
    assert.throws(() => encodeFileTransfer({ fileId: 256, totalSize: 1, offset: 0, data: Buffer.alloc(1) }), { code: 'EINVAL' });
  });
  it('sizes fragments so that the whole frame fits the receive buffer', () => {
    // plain: mark 1 + header 5 + code 1 + 11 + n + CRC 2 = n + 20
    assert.equal(maxFragmentFor(256, false), 236);
    // secure: 1 + 5 + 2 + 1 + pad16(11 + n + 1) + 4 + 2 <= 256 -> pad16 <= 241 -> 240 -> n = 228
    assert.equal(maxFragmentFor(256, true), 228);
    for (const rx of [64, 128, 256, 1024]) {
      const n = maxFragmentFor(rx, true);
      const frame = 1 + 5 + 2 + 1 + Math.ceil((11 + n + 1) / 16) * 16 + 4 + 2;
      assert.ok(frame <= rx, `rx ${rx}: ${frame}`);
      const more = 1 + 5 + 2 + 1 + Math.ceil((11 + n + 17) / 16) * 16 + 4 + 2;
      assert.ok(more > rx, 'as large as possible');
    }
  });
});

describe('osdp file transfer: sender and receiver', () => {
  const file = randomBytes(100 * 1024);

  it('transfers 100 kB in fragments of the PD receive buffer, with progress, keep-alive and outcome ok', async () => {
    const sink = memorySink({ close: async (o) => { sink.log.push(`close ${o}`); await new Promise((r) => setImmediate(r)); } });
    const progress: FileTxProgress[] = [];
    const done: string[] = [];
    const receiver = new FileReceiver({ ops: sink.ops, onDone: (r) => done.push(r.outcome) });
    const sender = new FileSender({ fileId: 1, ops: bufferSource(file), maxFragment: maxFragmentFor(256, true), onProgress: (p) => progress.push(p) });
    await sender.start();
    const { result, sent } = await pump(sender, receiver, async () => receiver.idle());
    assert.equal(result.outcome, 'ok');
    assert.deepEqual(sink.data(), file);
    const fragments = sent.filter((a) => a.kind === 'send' && decodeFileTransfer(a.data).data.length > 0);
    assert.equal(fragments.length, Math.ceil(file.length / 228));
    assert.ok(sent.some((a) => a.kind === 'send' && decodeFileTransfer(a.data).data.length === 0), 'a keep-alive while the PD finished');
    assert.equal(progress[0].offset, 0);
    assert.equal(progress.at(-1)!.percent, 100);
    assert.deepEqual(sender.status(), { fileId: 1, size: file.length, offset: file.length, state: 'done', outcome: 'ok' });
    assert.deepEqual(receiver.status().outcome, 'ok');
    assert.deepEqual(done, ['ok']);
    assert.deepEqual(sink.log, [`open 1 ${file.length}`, 'close ok']);
  });

  it('a PD that answers rebooting ends with ok-rebooting', async () => {
    const sink = memorySink({ close: () => 'rebooting' as const });
    const receiver = new FileReceiver({ ops: sink.ops });
    const sender = new FileSender({ fileId: 2, ops: bufferSource(file.subarray(0, 5000)), maxFragment: 200 });
    await sender.start();
    const { result } = await pump(sender, receiver);
    assert.equal(result.outcome, 'ok-rebooting');
    assert.equal(result.status, FtStatus.REBOOTING);
  });

  it('cancel mid-transfer sends ABORT; both sides end aborted and the PD closes the file', async () => {
    const sink = memorySink();
    const receiver = new FileReceiver({ ops: sink.ops });
    const sender = new FileSender({ fileId: 3, ops: bufferSource(file), maxFragment: 228 });
    await sender.start();
    const { result, sent } = await pump(sender, receiver, (i) => {
      if (i === 100) sender.cancel();
    });
    assert.equal(result.outcome, 'aborted');
    assert.equal(sent.at(-1)!.kind === 'send' && (sent.at(-1) as { code: number }).code, FT_CODE.ABORT);
    assert.equal(result.offset, 101 * 228, 'the fragment already handed out still goes, then ABORT');
    assert.deepEqual(sink.log.at(-1), 'close aborted');
    assert.equal(receiver.status().outcome, 'aborted');
  });

  it('a PD that does not know the file id answers unrecognised', async () => {
    const receiver = new FileReceiver({ ops: memorySink({ open: () => { throw new Error('no such type'); } }).ops });
    const sender = new FileSender({ fileId: 9, ops: bufferSource(file.subarray(0, 1000)), maxFragment: 128 });
    await sender.start();
    assert.equal((await pump(sender, receiver)).result.outcome, 'unrecognised');
  });

  it('a PD whose write fails answers invalid', async () => {
    let n = 0;
    const receiver = new FileReceiver({ ops: memorySink({ write: () => { if (++n === 3) throw new Error('flash error'); } }).ops });
    const sender = new FileSender({ fileId: 1, ops: bufferSource(file.subarray(0, 1000)), maxFragment: 128 });
    await sender.start();
    assert.equal((await pump(sender, receiver)).result.outcome, 'invalid');
  });

  it('follows the PD: new fragment size, delay (injected clock), poll requests', async () => {
    let now = 0;
    const receiver = new FileReceiver({ ops: memorySink().ops, rxSize: 64, delayMs: 250, control: 0x05 });
    const sender = new FileSender({ fileId: 1, ops: bufferSource(file.subarray(0, 300)), maxFragment: 200, now: () => now });
    await sender.start();
    let a = await sender.next();
    assert.equal(a.kind, 'send');
    assert.equal(decodeFileTransfer((a as { data: Buffer }).data).data.length, 200);
    await sender.onReply(FT_CODE.FTSTAT, await receiver.onFileTransfer((a as { data: Buffer }).data));
    a = await sender.next();
    assert.deepEqual(a, { kind: 'wait', untilMs: 250, interleave: true });
    now = 250;
    assert.deepEqual(await sender.next(), { kind: 'poll' });
    a = await sender.next();
    assert.equal(decodeFileTransfer((a as { data: Buffer }).data).data.length, 64, 'rx size from FTSTAT');
    assert.equal(decodeFileTransfer((a as { data: Buffer }).data).offset, 200);
  });

  it('retries a fragment after a NAK and aborts after too many errors', async () => {
    const receiver = new FileReceiver({ ops: memorySink().ops });
    const sender = new FileSender({ fileId: 1, ops: bufferSource(file.subarray(0, 1000)), maxFragment: 100, maxErrors: 2 });
    await sender.start();
    const a1 = (await sender.next()) as { data: Buffer };
    await sender.onReply(FT_CODE.NAK, Buffer.from([1]));
    const a2 = (await sender.next()) as { data: Buffer };
    assert.deepEqual(a2.data, a1.data, 'same fragment again');
    await sender.onReply(FT_CODE.FTSTAT, await receiver.onFileTransfer(a2.data));
    for (let i = 0; i < 3; i++) {
      await sender.next();
      await sender.onReply(undefined);
    }
    const abort = (await sender.next()) as { code: number };
    assert.equal(abort.code, FT_CODE.ABORT);
    await sender.onReply(FT_CODE.ACK);
    assert.equal((await sender.done).outcome, 'aborted');
  });

  it('the PD acknowledges a repeated fragment without writing it twice, and refuses gaps and overflows', async () => {
    const sink = memorySink();
    const receiver = new FileReceiver({ ops: sink.ops });
    const f0 = encodeFileTransfer({ fileId: 1, totalSize: 30, offset: 0, data: Buffer.alloc(10, 1) });
    assert.equal(decodeFtStat(await receiver.onFileTransfer(f0)).status, FtStatus.PROCEED);
    assert.equal(decodeFtStat(await receiver.onFileTransfer(f0)).status, FtStatus.PROCEED);
    assert.equal(sink.data().length, 10);
    const gap = encodeFileTransfer({ fileId: 1, totalSize: 30, offset: 20, data: Buffer.alloc(5) });
    assert.equal(decodeFtStat(await receiver.onFileTransfer(gap)).status, FtStatus.INVALID);
    const over = encodeFileTransfer({ fileId: 1, totalSize: 30, offset: 10, data: Buffer.alloc(25) });
    assert.equal(decodeFtStat(await receiver.onFileTransfer(over)).status, FtStatus.INVALID);
    const size = encodeFileTransfer({ fileId: 1, totalSize: 31, offset: 10, data: Buffer.alloc(5) });
    assert.equal(decodeFtStat(await receiver.onFileTransfer(size)).status, FtStatus.INVALID);
    assert.equal(decodeFtStat(await receiver.onFileTransfer(Buffer.from([1, 2, 3]))).status, FtStatus.INVALID);
    // still in progress and usable
    const f1 = encodeFileTransfer({ fileId: 1, totalSize: 30, offset: 10, data: Buffer.alloc(20, 2) });
    assert.equal(decodeFtStat(await receiver.onFileTransfer(f1)).status, FtStatus.DONE);
  });

  it('a sender refuses an empty file and a file that cannot be opened', async () => {
    await assert.rejects(new FileSender({ fileId: 1, ops: { open: () => 0, read: () => Buffer.alloc(0), close: () => undefined }, maxFragment: 10 }).start(), { code: 'EINVAL' });
    const s = new FileSender({ fileId: 1, ops: pathSource('/nonexistent/x.bin'), maxFragment: 10 });
    await assert.rejects(s.start(), { code: 'ENOTFOUND' });
    assert.equal((await s.done).outcome, 'invalid');
    assert.throws(() => bufferSource(Buffer.alloc(0)), { code: 'EINVAL' });
  });

  it('fuzz: random FILETRANSFER payloads never crash the receiver (fixed seed)', async () => {
    let x = 12345;
    const r = () => ((x = (x * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const receiver = new FileReceiver({ ops: memorySink({ write: () => undefined }).ops });
    for (let i = 0; i < 2000; i++) {
      const len = Math.floor(r() * 40);
      const p = Buffer.from(Array.from({ length: len }, () => Math.floor(r() * 256)));
      if (len >= 11 && r() < 0.5) p.writeUInt16LE(len - 11, 9);
      const st = decodeFtStat(await receiver.onFileTransfer(p));
      assert.ok(st.status >= -3 && st.status <= 3);
    }
  });
});

describe('osdp file transfer: file hooks on disk', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'fieldlink-ft-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('sends a file from a path into a directory sink (100 kB), leaving only the finished file', async () => {
    const data = randomBytes(100 * 1024);
    writeFileSync(path.join(dir, 'fw.bin'), data);
    const out = path.join(dir, 'received');
    const sink = directorySink(out);
    const receiver = new FileReceiver({ ops: sink });
    const sender = new FileSender({ fileId: 7, ops: pathSource(path.join(dir, 'fw.bin')), maxFragment: 1000 });
    await sender.start();
    const { result } = await pump(sender, receiver, () => receiver.idle());
    assert.equal(result.outcome, 'ok');
    assert.deepEqual(readdirSync(out), ['file-7.bin']);
    assert.deepEqual(readFileSync(path.join(out, 'file-7.bin')), data);
  });

  it('an aborted transfer leaves no partial file; rebootAfter answers rebooting', async () => {
    const data = randomBytes(10_000);
    const out = path.join(dir, 'r');
    const receiver = new FileReceiver({ ops: directorySink(out) });
    const sender = new FileSender({ fileId: 1, ops: bufferSource(data), maxFragment: 500 });
    await sender.start();
    const { result } = await pump(sender, receiver, (i) => {
      if (i === 5) sender.cancel();
    });
    assert.equal(result.outcome, 'aborted');
    assert.deepEqual(readdirSync(out), []);
    const receiver2 = new FileReceiver({ ops: directorySink(out, { rebootAfter: true }) });
    const sender2 = new FileSender({ fileId: 1, ops: bufferSource(data), maxFragment: 500 });
    await sender2.start();
    assert.equal((await pump(sender2, receiver2, () => receiver2.idle())).result.outcome, 'ok-rebooting');
  });
});
