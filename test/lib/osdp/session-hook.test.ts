// The Secure Channel hook point, exercised with a toy session (SHA-256 based MAC, no encryption):
// proves establish() runs after CAP with SQN 0 exchanges, every later command and reply passes
// wrap/unwrap with an SCB and MAC through the codec, a bad MAC drops the session and it is
// re-established, and a PD without a session answers an SCB with NAK 5.
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import {
  CommandCode,
  NakCode,
  ReplyCode,
  decodeFrame,
  encodeFrame,
  macInput,
  ProtocolError,
  type CpSecureSession,
  type CpSessionContext,
  type DecodedFrame,
  type PdSecureSession,
  type WireMessage,
} from '../../../lib/osdp';
import { rig, until, type Rig } from './helpers';

const mac = (b: Buffer): Buffer => createHash('sha256').update(b).digest().subarray(0, 4);

class ToyCpSession implements CpSecureSession {
  active = false;
  establishCount = 0;
  drop = false;
  async establish(ctx: CpSessionContext): Promise<void> {
    this.establishCount++;
    const reply = await ctx.exchange({ code: CommandCode.CHLNG, data: Buffer.alloc(8, 0xb0), scb: { type: 0x11, data: Buffer.from([1]) } }, { resetSequence: true });
    assert.equal(reply.code, ReplyCode.CCRYPT);
    assert.equal(reply.scb?.type, 0x12);
    this.active = true;
    this.drop = false;
    ctx.notify('active');
  }
  needsEstablish(): boolean {
    return this.drop;
  }
  wrapCommand(m: WireMessage): WireMessage {
    return { ...m, scb: { type: 0x15, data: Buffer.alloc(0) }, mac };
  }
  unwrapReply(f: DecodedFrame): WireMessage {
    if (f.scb?.type !== 0x16 || !f.mac || !f.mac.equals(mac(macInput(f)))) {
      this.active = false;
      this.drop = true;
      throw new ProtocolError('bad reply MAC');
    }
    return { code: f.code, data: f.data };
  }
  reset(): void {
    this.active = false;
  }
}

class ToyPdSession implements PdSecureSession {
  active = false;
  seen: number[] = [];
  unwrapCommand(f: DecodedFrame) {
    this.seen.push(f.code);
    if (f.code === CommandCode.CHLNG && f.scb?.type === 0x11) {
      this.active = true;
      return { reply: { code: ReplyCode.CCRYPT, data: Buffer.alloc(32, 1), scb: { type: 0x12, data: Buffer.from([1]) } } };
    }
    if (!this.active) return { message: { code: f.code, data: f.data } };
    if (f.scb?.type !== 0x15 || !f.mac?.equals(mac(macInput(f)))) {
      this.active = false;
      return { reply: { code: ReplyCode.NAK, data: Buffer.from([NakCode.SC_CONDITIONS]) } };
    }
    return { message: { code: f.code, data: f.data } };
  }
  wrapReply(m: WireMessage): WireMessage {
    return this.active ? { ...m, scb: { type: 0x16, data: Buffer.alloc(0) }, mac } : m;
  }
  reset(): void {
    this.active = false;
  }
}

describe('osdp Secure Channel hook point (toy session)', () => {
  let r: Rig | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  it('runs establish() after CAP, then wraps every command and reply with SCB + MAC', async () => {
    const cpSession = new ToyCpSession();
    const pdSession = new ToyPdSession();
    r = await rig([{ session: () => pdSession }], { session: () => cpSession }, [{ flags: ['EnableNotification'] }]);
    assert.equal(await r.cp.waitOnline(0, 5000), true);
    assert.equal(r.cp.isSecure(0), true);
    assert.deepEqual(r.sent.slice(0, 3).map((f) => f.code), [CommandCode.ID, CommandCode.CAP, CommandCode.CHLNG]);
    assert.equal(r.sent[2].sqn, 0, 'CHLNG goes out with SQN 0');
    assert.equal(r.sent[2].scb?.type, 0x11);
    const res = await r.cp.sendCommand(0, { command: 'buzzer', reader: 0, controlCode: 2, onCount: 1, offCount: 1, repeat: 1 });
    assert.equal(res.status, 'ok', res.error?.message);
    const buz = r.sent.find((f) => f.code === CommandCode.BUZ)!;
    assert.equal(buz.scb?.type, 0x15);
    assert.equal(buz.mac?.length, 4);
    const ack = r.replies.find((f) => f.code === ReplyCode.ACK && f.scb?.type === 0x16);
    assert.ok(ack, 'PD replies carry SCB 0x16 and a MAC');
    assert.deepEqual(r.cp.getEvent(0)?.event, { event: 'notification', type: 'sc-status', what: 'active' });
    assert.deepEqual(r.cp.getEvent(0)?.event, { event: 'notification', type: 'pd-status', what: 'online' });
  });

  it('a bad reply MAC drops the session; the CP re-establishes it and carries on', async () => {
    const cpSession = new ToyCpSession();
    r = await rig([{ session: () => new ToyPdSession() }], { session: () => cpSession });
    await r.cp.waitOnline(0, 5000);
    let corrupted = false;
    r.pdSide.intercept = (b) => {
      const f = decodeFrame(b.subarray(1));
      if (!corrupted && f.code === ReplyCode.ACK && f.mac) {
        corrupted = true;
        return encodeFrame({ ...f, mac: Buffer.from([0, 0, 0, 0]) });
      }
      return b;
    };
    await until(() => cpSession.establishCount >= 2 && cpSession.active, 'session re-established');
    assert.equal(corrupted, true);
    assert.ok(r.cp.metrics(0).errors >= 1);
    assert.equal(r.cp.isOnline(0), true);
    assert.equal((await r.cp.sendCommand(0, { command: 'keepactive', time: 100 })).status, 'ok');
  });

  it('a PD without a session answers any SCB with NAK 5', async () => {
    r = await rig();
    await r.cp.waitOnline(0, 5000);
    const frame = encodeFrame({ address: 101, reply: false, sqn: 0, crc: true, code: CommandCode.CHLNG, data: Buffer.alloc(8), scb: { type: 0x11, data: Buffer.from([1]) } });
    const before = r.replies.length;
    await r.cp.stop();
    await r.cpSide.open();
    await r.cpSide.write(frame);
    await until(() => r!.replies.length > before, 'reply');
    const nak = r.replies.at(-1)!;
    assert.equal(nak.code, ReplyCode.NAK);
    assert.equal(nak.data[0], NakCode.SC_UNSUPPORTED);
  });
});
