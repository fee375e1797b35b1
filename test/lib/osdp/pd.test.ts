// The PD alone, driven by hand-made frames: SQN rules, the reply cache, NAK codes, broadcast.
import { strict as assert } from 'node:assert';
import {
  CommandCode,
  NakCode,
  PeripheralDevice,
  ReplyCode,
  createMemoryPair,
  decodeFrame,
  encodeCommand,
  encodeFrame,
  type DecodedFrame,
  type MemoryChannel,
  type OsdpCommand,
} from '../../../lib/osdp';
import { until, waitEvent } from './helpers';

interface Harness {
  pd: PeripheralDevice;
  cp: MemoryChannel;
  replies: DecodedFrame[];
  send(code: number, data: Buffer, sqn: number, opts?: { address?: number; crc?: boolean; corrupt?: boolean }): Promise<DecodedFrame>;
  close(): Promise<void>;
}

async function harness(options: Partial<ConstructorParameters<typeof PeripheralDevice>[0]> = {}): Promise<Harness> {
  const [cp, pdSide] = createMemoryPair();
  const pd = new PeripheralDevice({ address: 12, channel: pdSide, ...options });
  const replies: DecodedFrame[] = [];
  cp.on('data', (d: Buffer) => replies.push(decodeFrame(d[0] === 0xff ? d.subarray(1) : d)));
  await cp.open();
  await pd.start();
  return {
    pd,
    cp,
    replies,
    async send(code, data, sqn, opts = {}) {
      const bytes = encodeFrame({ address: opts.address ?? 12, reply: false, sqn, crc: opts.crc ?? true, code, data });
      if (opts.corrupt) bytes[bytes.length - 1] ^= 0x55;
      const n = replies.length;
      await cp.write(bytes);
      await until(() => replies.length > n, 'a reply');
      return replies[replies.length - 1];
    },
    async close() {
      await pd.stop();
      await cp.close();
    },
  };
}

const POLL = CommandCode.POLL;
const none = Buffer.alloc(0);

describe('osdp PD receive path', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('answers with the reply bit, the command SQN and the command check mode', async () => {
    h = await harness();
    const r = await h.send(POLL, none, 0);
    assert.deepEqual([r.address, r.reply, r.sqn, r.crc, r.code], [12, true, 0, true, ReplyCode.ACK]);
    const r2 = await h.send(POLL, none, 1, { crc: false });
    assert.deepEqual([r2.sqn, r2.crc], [1, false]);
  });

  it('NAKs an unexpected SQN with 4 and keeps its place', async () => {
    h = await harness();
    await h.send(POLL, none, 0);
    await h.send(POLL, none, 1);
    const bad = await h.send(POLL, none, 3);
    assert.equal(bad.code, ReplyCode.NAK);
    assert.equal(bad.data[0], NakCode.SEQUENCE);
    const good = await h.send(POLL, none, 2);
    assert.equal(good.code, ReplyCode.ACK);
  });

  it('resends its cached reply for a repeated SQN, byte for byte, without running the command again', async () => {
    const seen: OsdpCommand[] = [];
    h = await harness({ handler: (c) => void seen.push(c) });
    await h.send(POLL, none, 0);
    h.pd.notifyEvent({ event: 'keypress', reader: 0, keys: Buffer.from('7') });
    const first = await h.send(POLL, none, 1);
    const again = await h.send(POLL, none, 1);
    assert.equal(first.code, ReplyCode.KEYPAD);
    assert.ok(first.raw.equals(again.raw));
    const next = await h.send(POLL, none, 2);
    assert.equal(next.code, ReplyCode.ACK, 'the event was sent once');
    assert.equal(h.pd.metrics.repeats, 1);
  });

  it('SQN 0 resets the sequence at any time', async () => {
    h = await harness();
    await h.send(POLL, none, 0);
    await h.send(POLL, none, 1);
    assert.equal((await h.send(POLL, none, 0)).code, ReplyCode.ACK);
    assert.equal((await h.send(POLL, none, 1)).code, ReplyCode.ACK);
  });

  it('NAKs a bad check with 1 (in checksum mode when it does not do CRC) and a CRC frame when it only does checksums', async () => {
    h = await harness();
    const r = await h.send(POLL, none, 0, { corrupt: true });
    assert.deepEqual([r.code, r.data[0]], [ReplyCode.NAK, NakCode.CHECK]);
    await h.close();
    h = await harness({ crc: false });
    const r2 = await h.send(POLL, none, 0);
    assert.deepEqual([r2.code, r2.data[0], r2.crc], [ReplyCode.NAK, NakCode.CHECK, false]);
    const r3 = await h.send(POLL, none, 0, { crc: false });
    assert.equal(r3.code, ReplyCode.ACK);
    const cap = await h.send(CommandCode.CAP, Buffer.from([0]), 1, { crc: false });
    assert.ok(cap.data.toString('hex').includes('080000'), 'capability 8 says checksum only');
  });

  it('NAKs a length error with 2 and an unknown command with 3', async () => {
    h = await harness();
    await h.send(POLL, none, 0);
    const r = await h.send(CommandCode.BUZ, Buffer.from([0, 1]), 1);
    assert.deepEqual([r.code, r.data[0]], [ReplyCode.NAK, NakCode.LENGTH]);
    const r2 = await h.send(0x63, none, 2);
    assert.deepEqual([r2.code, r2.data[0]], [ReplyCode.NAK, NakCode.UNKNOWN_COMMAND]);
  });

  it('ignores frames for other addresses and answers a broadcast from 0xFF', async () => {
    h = await harness();
    const n = h.replies.length;
    await h.cp.write(encodeFrame({ address: 13, reply: false, sqn: 0, crc: true, ...encodeCommand({ command: 'poll' }) }));
    const id = await h.send(CommandCode.ID, Buffer.from([0]), 0, { address: 0x7f });
    assert.equal(h.replies.length, n + 1, 'no reply to address 13');
    assert.equal(id.raw[1], 0xff);
    assert.equal(id.code, ReplyCode.PDID);
  });

  it('passes each record of a multi-record OUT to the handler and updates its outputs', async () => {
    const seen: OsdpCommand[] = [];
    h = await harness({ handler: (c) => void seen.push(c) });
    const r = await h.send(CommandCode.OUT, Buffer.from('00020000' + '01040000', 'hex'), 0);
    assert.equal(r.code, ReplyCode.ACK);
    assert.deepEqual(seen.map((c) => (c.command === 'output' ? c.output : -1)), [0, 1]);
    assert.deepEqual(h.pd.status.outputs, [1, 1]);
    const bad = await h.send(CommandCode.OUT, Buffer.from('05020000', 'hex'), 1);
    assert.deepEqual([bad.code, bad.data[0]], [ReplyCode.NAK, NakCode.UNKNOWN_COMMAND], 'output 5 is beyond the declared 2');
  });

  it('reports online on the first command and offline after offlineTimeout without one', async () => {
    h = await harness({ offlineTimeout: 60 });
    const on = waitEvent(h.pd, 'online');
    await h.send(POLL, none, 0);
    await on;
    assert.equal(h.pd.isOnline, true);
    await waitEvent(h.pd, 'offline');
    assert.equal(h.pd.isOnline, false);
  });

  it('rejects events it cannot encode and a full queue', async () => {
    h = await harness({ eventQueueSize: 1 });
    assert.throws(() => h!.pd.notifyEvent({ event: 'keypress', reader: 300, keys: Buffer.from('1') }), { code: 'EINVAL' });
    h.pd.notifyEvent({ event: 'keypress', reader: 0, keys: Buffer.from('1') });
    assert.throws(() => h!.pd.notifyEvent({ event: 'keypress', reader: 0, keys: Buffer.from('2') }), { code: 'EQUEUEFULL' });
    assert.equal(h.pd.flushEvents(), 1);
  });
});
