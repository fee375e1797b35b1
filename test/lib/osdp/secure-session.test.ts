// Secure Channel at the state-machine level: CP and PD sessions exchanging real frames (built and
// split by lib/osdp/secure/frame), without a transport. Handshakes with SCBK and SCBK-D, install
// mode, EnforceSecure, sealing/opening every size, bad MAC, plaintext refusal, KEYSET, time-out.
import { strict as assert } from 'node:assert';
import { createCipheriv } from 'node:crypto';
import {
  CpScMachine,
  PdScMachine,
  SCBK_DEFAULT,
  ScbType,
  SecureChannelError,
  buildFrame,
  computeMac,
  deriveSessionKeys,
  encryptData,
  initialRmac,
  serverCryptogram,
  scbkFromMasterKey,
  splitFrame,
  type HandshakeMessage,
  type PdDecision,
} from '../../../lib/osdp/secure';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const KEY = hex('00112233445566778899aabbccddeeff');
const OTHER = hex('ffeeddccbbaa99887766554433221100');
const CUID = hex('5c260000e2f2a1b3');
const ADDR = 0x65;

function fixedRandom(bytes: Buffer): (n: number) => Buffer {
  return (n) => Buffer.from(bytes.subarray(0, n));
}

/** Drives the handshake between a CP session and a PD session; returns the last CP step kind. */
function handshake(cp: CpScMachine, pd: PdScMachine, useDefault = false): { kind: string; naks: number[] } {
  let msg: HandshakeMessage | undefined = cp.begin(useDefault);
  let sqn = 0;
  const naks: number[] = [];
  for (let i = 0; i < 6 && msg; i++) {
    const cmd = buildFrame({ addr: ADDR, sqn: msg.sqnZero ? 0 : sqn, crc: true, reply: false }, msg.scb, msg.code, msg.data);
    sqn = msg.sqnZero ? 1 : (sqn % 3) + 1;
    const d = pd.handle(splitFrame(cmd));
    let replyFrame: Buffer;
    if (d.kind === 'reply') replyFrame = d.frame;
    else if (d.kind === 'nak') {
      naks.push(d.nak);
      replyFrame = buildFrame({ addr: ADDR, sqn: 0, crc: true, reply: true }, undefined, 0x41, Buffer.from([d.nak]));
    } else throw new Error('unexpected command decision in handshake');
    const step = cp.handleHandshakeReply(splitFrame(replyFrame));
    if (step.kind === 'send' || step.kind === 'retry-default-key') msg = step.message;
    else return { kind: step.kind, naks };
  }
  throw new Error('handshake did not finish');
}

/** One secured exchange: CP seals, PD opens and seals a reply, CP opens it. */
function exchange(cp: CpScMachine, pd: PdScMachine, code: number, data: Buffer, reply: { code: number; data: Buffer }, sqn = 1) {
  const wire = cp.seal({ addr: ADDR, sqn, crc: true }, code, data);
  const d = pd.handle(splitFrame(wire));
  assert.equal(d.kind, 'command', `PD refused: ${d.kind === 'nak' ? d.error.message : ''}`);
  const c = d as Extract<PdDecision, { kind: 'command' }>;
  const back = pd.sealReply({ addr: ADDR, sqn, crc: true }, reply.code, reply.data);
  const opened = cp.open(splitFrame(back));
  return { wire, back, received: c, opened };
}

describe('osdp secure: session handshake CP <-> PD', () => {
  it('establishes a session with a set key and agrees on the Annex E numbers with SCBK-D', () => {
    const cp = new CpScMachine({ random: fixedRandom(hex('b0b1b2b3b4b5b6b7')) });
    const pd = new PdScMachine({ cUid: CUID, installMode: true, random: fixedRandom(hex('a0a1a2a3a4a5a6a7')) });
    const msg = cp.begin();
    assert.equal(msg.scb.type, ScbType.SCS_11);
    assert.deepEqual(msg.scb.data, Buffer.from([0x00]), 'no key: SCBK-D indicator');
    assert.equal(msg.sqnZero, true, 'CHLNG goes out with SQN 0');
    const chlng = buildFrame({ addr: ADDR, sqn: 0, crc: true, reply: false }, msg.scb, msg.code, msg.data);
    const d1 = pd.handle(splitFrame(chlng));
    assert.equal(d1.kind, 'reply');
    const ccrypt = splitFrame((d1 as { frame: Buffer }).frame);
    assert.equal(ccrypt.code, 0x76);
    assert.equal(ccrypt.scb!.type, ScbType.SCS_12);
    assert.equal(ccrypt.data.subarray(16).toString('hex'), 'fde5d2f428ec16312471ea3c02bd7796', 'client cryptogram of Annex E');
    const s2 = cp.handleHandshakeReply(ccrypt);
    assert.equal(s2.kind, 'send');
    const scryptMsg = (s2 as { message: HandshakeMessage }).message;
    assert.equal(scryptMsg.data.toString('hex'), '26d3356e07762d262801fc8e6665a891', 'server cryptogram of Annex E');
    const d2 = pd.handle(splitFrame(buildFrame({ addr: ADDR, sqn: 1, crc: true, reply: false }, scryptMsg.scb, scryptMsg.code, scryptMsg.data)));
    assert.equal(d2.kind, 'reply');
    const rmac = splitFrame((d2 as { frame: Buffer }).frame);
    assert.equal(rmac.code, 0x78);
    assert.equal(rmac.data.toString('hex'), 'b2a30057eb98ba2229ec1f875662b524', 'RMAC-I of Annex E');
    assert.deepEqual(cp.handleHandshakeReply(rmac), { kind: 'established', defaultKey: true });
    assert.equal(cp.active, true);
    assert.equal(pd.active, true);
    assert.equal(cp.counters.established, 1);
    assert.deepEqual(cp.clientUid, CUID);
  });

  it('establishes with the PD SCBK', () => {
    const cp = new CpScMachine({ scbk: KEY });
    const pd = new PdScMachine({ cUid: CUID, scbk: KEY });
    assert.equal(handshake(cp, pd).kind, 'established');
    assert.equal(cp.usingDefaultKey, false);
    assert.equal(pd.usingDefaultKey, false);
  });

  it('establishes with a master key (SCBK derived from the cUID)', () => {
    const mk = hex('0f0e0d0c0b0a09080706050403020100');
    const cp = new CpScMachine({ masterKey: mk });
    const pd = new PdScMachine({ cUid: CUID, scbk: scbkFromMasterKey(mk, CUID) });
    assert.equal(handshake(cp, pd).kind, 'established');
  });

  it('fails with a wrong key, falling back to SCBK-D, which a PD not in install mode refuses with NAK 6', () => {
    const cp = new CpScMachine({ scbk: OTHER });
    const pd = new PdScMachine({ cUid: CUID, scbk: KEY });
    const r = handshake(cp, pd);
    assert.equal(r.kind, 'failed');
    assert.deepEqual(r.naks, [6]);
    assert.equal(cp.active, false);
    assert.equal(pd.active, false);
    assert.equal(cp.lastFailure, 'wrong-key');
  });

  it('install mode: CP tries SCBK, the new PD has none (NAK 6), CP falls back to SCBK-D', () => {
    const cp = new CpScMachine({ scbk: KEY });
    const pd = new PdScMachine({ cUid: CUID, installMode: true });
    const r = handshake(cp, pd);
    assert.equal(r.kind, 'established');
    assert.deepEqual(r.naks, [6]);
    assert.equal(cp.usingDefaultKey, true);
    assert.equal(pd.usingDefaultKey, true);
  });

  it('EnforceSecure: the CP never uses SCBK-D', () => {
    const cp = new CpScMachine({ scbk: KEY, enforceSecure: true });
    const pd = new PdScMachine({ cUid: CUID, installMode: true });
    const r = handshake(cp, pd);
    assert.equal(r.kind, 'failed');
    assert.deepEqual(r.naks, [6], 'one CHLNG with SCBK only, no SCBK-D retry');
    const noKey = new CpScMachine({ enforceSecure: true });
    assert.equal(noKey.capable, false);
    assert.throws(() => noKey.begin(), (e: unknown) => e instanceof SecureChannelError && e.reason === 'enforce-secure');
  });

  it('EnforceSecure: a PD in install mode still refuses SCBK-D', () => {
    const cp = new CpScMachine({});
    const pd = new PdScMachine({ cUid: CUID, installMode: true, enforceSecure: true, scbk: KEY });
    const r = handshake(cp, pd);
    assert.equal(r.kind, 'failed');
    assert.deepEqual(r.naks, [6]);
  });

  it('a PD without SC answers any SCB with NAK 5, and the CP does not fall back', () => {
    const cp = new CpScMachine({ scbk: KEY });
    const pd = new PdScMachine({ cUid: CUID });
    const r = handshake(cp, pd);
    assert.equal(r.kind, 'failed');
    assert.deepEqual(r.naks, [5]);
    assert.equal(cp.lastFailure, 'unsupported');
  });

  it('a PD refuses a wrong server cryptogram and SCRYPT without CHLNG', () => {
    const pd = new PdScMachine({ cUid: CUID, scbk: KEY });
    const scrypt = buildFrame({ addr: ADDR, sqn: 1, crc: true, reply: false }, { type: 0x13, data: hex('01') }, 0x77, Buffer.alloc(16));
    const d0 = pd.handle(splitFrame(scrypt));
    assert.equal(d0.kind, 'nak');
    const cp = new CpScMachine({ scbk: KEY });
    const m = cp.begin();
    pd.handle(splitFrame(buildFrame({ addr: ADDR, sqn: 0, crc: true, reply: false }, m.scb, m.code, m.data)));
    const d1 = pd.handle(splitFrame(scrypt));
    assert.equal(d1.kind, 'nak');
    assert.equal((d1 as { nak: number }).nak, 6);
    assert.equal(pd.active, false);
  });

  it('a CP refuses an RMAC-I that does not match', () => {
    const cp = new CpScMachine({ scbk: KEY });
    const pd = new PdScMachine({ cUid: CUID, scbk: KEY });
    const m = cp.begin();
    const d1 = pd.handle(splitFrame(buildFrame({ addr: ADDR, sqn: 0, crc: true, reply: false }, m.scb, m.code, m.data))) as { frame: Buffer };
    const s = cp.handleHandshakeReply(splitFrame(d1.frame)) as { message: HandshakeMessage };
    assert.ok(s.message);
    const fake = buildFrame({ addr: ADDR, sqn: 1, crc: true, reply: true }, { type: 0x14, data: hex('01') }, 0x78, Buffer.alloc(16, 7));
    const step = cp.handleHandshakeReply(splitFrame(fake));
    assert.equal(step.kind, 'failed');
    assert.equal(cp.active, false);
  });
});

describe('osdp secure: sealed traffic', () => {
  function pair(flags: { allowEmptyEncryptedDataBlock?: boolean } = {}) {
    let t = 1_000;
    const cp = new CpScMachine({ scbk: KEY, ...flags });
    const pd = new PdScMachine({ cUid: CUID, scbk: KEY, now: () => t, ...flags });
    assert.equal(handshake(cp, pd).kind, 'established');
    return { cp, pd, advance: (ms: number) => (t += ms) };
  }

  for (const n of [0, 1, 15, 16, 17, 32]) {
    it(`round-trips ${n} data bytes each way, with the MAC over the encrypted frame`, () => {
      const { cp, pd } = pair();
      const data = Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff));
      const { wire, back, received, opened } = exchange(cp, pd, 0x6b, data, { code: 0x50, data });
      const w = splitFrame(wire);
      assert.equal(w.scb!.type, n === 0 ? ScbType.SCS_15 : ScbType.SCS_17);
      assert.equal(w.data.length, n === 0 ? 0 : Math.floor(n / 16) * 16 + 16);
      assert.equal(wire.readUInt16LE(2), wire.length, 'LEN counts the MAC and the CRC');
      assert.deepEqual(received.data, data);
      assert.equal(received.secure, true);
      assert.equal(splitFrame(back).scb!.type, n === 0 ? ScbType.SCS_16 : ScbType.SCS_18);
      assert.deepEqual(opened.data, data);
      assert.equal(opened.code, 0x50);
    });
  }

  it('computes the first command MAC from RMAC-I and the encryption IV from ~RMAC-I (by hand)', () => {
    const rndA = hex('0102030405060708');
    const rndB = hex('1112131415161718');
    const cp = new CpScMachine({ scbk: KEY, random: fixedRandom(rndA) });
    const pd = new PdScMachine({ cUid: CUID, scbk: KEY, random: fixedRandom(rndB) });
    assert.equal(handshake(cp, pd).kind, 'established');
    const keys = deriveSessionKeys(KEY, rndA);
    const rmacI = initialRmac(keys, serverCryptogram(keys.sEnc, rndA, rndB));
    const data = hex('00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10');
    const wire = cp.seal({ addr: ADDR, sqn: 2, crc: true }, 0x69, data);
    // Expected by hand: header, SCB 02 17, code, AES-CBC(S-ENC, ~RMAC-I, data 80 00..), MAC, CRC
    const iv = Buffer.from(rmacI.map((x) => ~x & 0xff));
    const padded = Buffer.concat([data, hex('80'), Buffer.alloc(14)]);
    const c = createCipheriv('aes-128-cbc', keys.sEnc, iv);
    c.setAutoPadding(false);
    const cipher = Buffer.concat([c.update(padded), c.final()]);
    assert.deepEqual(encryptData(keys.sEnc, rmacI, data), cipher);
    const len = 5 + 2 + 1 + 32 + 4 + 2;
    const head = Buffer.concat([Buffer.from([0x53, ADDR, len & 0xff, len >> 8, 0x0e, 0x02, 0x17, 0x69]), cipher]);
    const mac = computeMac(keys, rmacI, head);
    assert.deepEqual(wire.subarray(0, head.length), head);
    assert.deepEqual(wire.subarray(head.length, head.length + 4), mac.subarray(0, 4));
    // and the PD accepts it; its reply MAC chains from the full 16-byte C-MAC
    const d = pd.handle(splitFrame(wire));
    assert.equal(d.kind, 'command');
    const reply = pd.sealReply({ addr: ADDR, sqn: 2, crc: true }, 0x40, Buffer.alloc(0));
    const replyHead = reply.subarray(0, reply.length - 6);
    assert.deepEqual(reply.subarray(reply.length - 6, reply.length - 2), computeMac(keys, mac, replyHead).subarray(0, 4));
  });

  it('keeps chaining over many exchanges in both directions', () => {
    const { cp, pd } = pair();
    for (let i = 0; i < 50; i++) {
      const data = Buffer.alloc(i % 40, i);
      const { opened } = exchange(cp, pd, 0x60 + (i % 10), data, { code: 0x40, data: Buffer.alloc(i % 3, 1) }, (i % 3) + 1);
      assert.equal(opened.data.length, i % 3);
    }
    assert.equal(cp.counters.sealed, 50);
    assert.equal(pd.counters.opened, 50);
  });

  it('bad MAC: the PD answers NAK 6 and drops the session; a new handshake recovers', () => {
    const { cp, pd } = pair();
    const wire = cp.seal({ addr: ADDR, sqn: 1, crc: true }, 0x60, Buffer.alloc(0));
    const bad = Buffer.from(wire);
    bad[bad.length - 3] ^= 0x01; // last MAC byte
    // fix the CRC so that only the MAC is wrong
    const f = splitFrame(buildFrame({ addr: ADDR, sqn: 1, crc: true, reply: false }, { type: 0x15, data: Buffer.alloc(0) }, 0x60, Buffer.alloc(0), () => bad.subarray(bad.length - 6, bad.length - 2)));
    const d = pd.handle(f);
    assert.equal(d.kind, 'nak');
    assert.equal((d as { nak: number }).nak, 6);
    assert.equal((d as { error: SecureChannelError }).error.reason, 'bad-mac');
    assert.equal(pd.active, false);
    assert.equal(pd.counters.macErrors, 1);
    // the CP gets a plain NAK: accepted, session dropped on its side too
    const nak = buildFrame({ addr: ADDR, sqn: 1, crc: true, reply: true }, undefined, 0x41, hex('06'));
    const r = cp.open(splitFrame(nak));
    assert.equal(r.sessionLost, true);
    assert.equal(cp.active, false);
    assert.equal(handshake(cp, pd).kind, 'established');
    assert.equal(exchange(cp, pd, 0x60, Buffer.alloc(0), { code: 0x40, data: Buffer.alloc(0) }).opened.code, 0x40);
  });

  it('a CP drops the session on a reply with a bad MAC', () => {
    const { cp, pd } = pair();
    const wire = cp.seal({ addr: ADDR, sqn: 1, crc: true }, 0x60, Buffer.alloc(0));
    pd.handle(splitFrame(wire));
    const reply = pd.sealReply({ addr: ADDR, sqn: 1, crc: true }, 0x40, Buffer.alloc(0));
    const tampered = buildFrame({ addr: ADDR, sqn: 1, crc: true, reply: true }, { type: 0x16, data: Buffer.alloc(0) }, 0x40, Buffer.alloc(0), () => Buffer.alloc(4));
    assert.notDeepEqual(tampered, reply);
    assert.throws(() => cp.open(splitFrame(tampered)), (e: unknown) => e instanceof SecureChannelError && e.reason === 'bad-mac' && e.dropped);
    assert.equal(cp.active, false);
    assert.equal(cp.counters.macErrors, 1);
  });

  it('plaintext during SC is refused both ways (PD: NAK 6; CP: error), except a plain NAK', () => {
    const { cp, pd } = pair();
    const plain = buildFrame({ addr: ADDR, sqn: 1, crc: true, reply: false }, undefined, 0x69, Buffer.alloc(14));
    const d = pd.handle(splitFrame(plain));
    assert.equal(d.kind, 'nak');
    assert.equal((d as { nak: number }).nak, 6);
    assert.equal(pd.active, true, 'a refused plaintext command does not end the session');
    cp.seal({ addr: ADDR, sqn: 2, crc: true }, 0x60, Buffer.alloc(0));
    const plainReply = buildFrame({ addr: ADDR, sqn: 2, crc: true, reply: true }, undefined, 0x40, Buffer.alloc(0));
    assert.throws(() => cp.open(splitFrame(plainReply)), (e: unknown) => e instanceof SecureChannelError && e.reason === 'plaintext-while-secure');
    assert.equal(cp.active, true);
  });

  it('a plaintext command with SQN 0 resets the PD session (CP restarted)', () => {
    const { pd } = pair();
    const id = buildFrame({ addr: ADDR, sqn: 0, crc: true, reply: false }, undefined, 0x61, hex('00'));
    const d = pd.handle(splitFrame(id));
    assert.equal(d.kind, 'command');
    assert.equal(pd.active, false);
  });

  it('the PD drops the session after 8 s without valid secure traffic (injected clock)', () => {
    const { cp, pd, advance } = pair();
    advance(7_999);
    exchange(cp, pd, 0x60, Buffer.alloc(0), { code: 0x40, data: Buffer.alloc(0) });
    advance(7_999);
    assert.equal(pd.active, true);
    advance(1);
    assert.equal(pd.active, false);
    assert.equal(pd.counters.timeouts, 1);
    const wire = cp.seal({ addr: ADDR, sqn: 2, crc: true }, 0x60, Buffer.alloc(0));
    const d = pd.handle(splitFrame(wire));
    assert.equal(d.kind, 'nak');
    assert.equal((d as { nak: number }).nak, 6);
  });

  it('AllowEmptyEncryptedDataBlock: SCS_17 with no data is refused unless the flag is set', () => {
    for (const allow of [false, true]) {
      const { cp, pd } = pair({ allowEmptyEncryptedDataBlock: allow });
      // Build an SCS_17 with an empty data block by hand, MAC'd correctly with the CP's chain.
      const ctx = (cp as unknown as { ctx: { rMac: Buffer; sMac1: Buffer; sMac2: Buffer } }).ctx;
      const frame = buildFrame({ addr: ADDR, sqn: 1, crc: true, reply: false }, { type: 0x17, data: Buffer.alloc(0) }, 0x60, Buffer.alloc(0), (covered) => computeMac(ctx, ctx.rMac, covered));
      const d = pd.handle(splitFrame(frame));
      if (allow) {
        assert.equal(d.kind, 'command');
        assert.equal((d as { data: Buffer }).data.length, 0);
      } else {
        assert.equal(d.kind, 'nak');
        assert.equal((d as { error: SecureChannelError }).error.reason, 'empty-encrypted-block');
      }
    }
  });

  it('KEYSET: refused in plaintext; under SC the ACK is sealed with the old keys, then both use the new key', () => {
    const { cp, pd } = pair();
    const changed: Buffer[] = [];
    (pd as unknown as { onKeyChange: (k: Buffer) => void }).onKeyChange = (k) => changed.push(k);
    const plainPd = new PdScMachine({ cUid: CUID, scbk: KEY });
    const plainKeyset = buildFrame({ addr: ADDR, sqn: 1, crc: true, reply: false }, undefined, 0x75, Buffer.concat([hex('0110'), OTHER]));
    const dp = plainPd.handle(splitFrame(plainKeyset));
    assert.equal(dp.kind, 'nak');
    assert.equal((dp as { nak: number }).nak, 6);

    const payload = cp.keyset(OTHER);
    const wire = cp.seal({ addr: ADDR, sqn: 1, crc: true }, 0x75, payload);
    const d = pd.handle(splitFrame(wire)) as Extract<PdDecision, { kind: 'command' }>;
    assert.equal(d.kind, 'command');
    assert.equal(d.code, 0x75);
    pd.acceptKeyset(d.data);
    const ack = pd.sealReply({ addr: ADDR, sqn: 1, crc: true }, 0x40, Buffer.alloc(0));
    assert.deepEqual(changed, [OTHER]);
    assert.equal(pd.active, false);
    const r = cp.open(splitFrame(ack));
    assert.deepEqual(r.keyChanged, OTHER);
    assert.equal(cp.active, false);
    assert.equal(handshake(cp, pd).kind, 'established');
    assert.equal(cp.counters.keysets, 1);
    // the old key no longer works
    const old = new CpScMachine({ scbk: KEY, enforceSecure: true });
    assert.equal(handshake(old, pd).kind, 'failed');
  });

  it('KEYSET answered by a plain ACK (some readers) completes the key change', () => {
    const { cp } = pair();
    cp.seal({ addr: ADDR, sqn: 1, crc: true }, 0x75, cp.keyset(OTHER));
    const ack = buildFrame({ addr: ADDR, sqn: 1, crc: true, reply: true }, undefined, 0x40, Buffer.alloc(0));
    assert.deepEqual(cp.open(splitFrame(ack)).keyChanged, OTHER);
  });

  it('install mode end to end at the state-machine level: SCBK-D session, KEYSET, new session with the key', () => {
    const cp = new CpScMachine({ scbk: KEY });
    const pd = new PdScMachine({ cUid: CUID, installMode: true });
    assert.equal(handshake(cp, pd).kind, 'established');
    assert.equal(cp.usingDefaultKey, true);
    const wire = cp.seal({ addr: ADDR, sqn: 1, crc: true }, 0x75, cp.keyset(KEY));
    const d = pd.handle(splitFrame(wire)) as Extract<PdDecision, { kind: 'command' }>;
    pd.acceptKeyset(d.data);
    cp.open(splitFrame(pd.sealReply({ addr: ADDR, sqn: 1, crc: true }, 0x40, Buffer.alloc(0))));
    assert.equal(pd.installMode, false, 'install mode ends with the key');
    assert.equal(handshake(cp, pd).kind, 'established');
    assert.equal(cp.usingDefaultKey, false);
    assert.equal(pd.usingDefaultKey, false);
    // SCBK-D is no longer accepted
    const rogue = new CpScMachine({});
    assert.equal(handshake(rogue, pd).kind, 'failed');
  });

  it('EnforceSecure PD: plaintext other than ID/CAP is refused with NAK 6', () => {
    const pd = new PdScMachine({ cUid: CUID, scbk: KEY, enforceSecure: true });
    for (const [code, ok] of [[0x61, true], [0x62, true], [0x60, false], [0x69, false]] as const) {
      const d = pd.handle(splitFrame(buildFrame({ addr: ADDR, sqn: 1, crc: true, reply: false }, undefined, code, Buffer.alloc(1))));
      assert.equal(d.kind, ok ? 'command' : 'nak', `code 0x${code.toString(16)}`);
    }
  });

  it('uses SCBK-D constant only as the default key', () => {
    assert.notDeepEqual(SCBK_DEFAULT, KEY);
  });
});
