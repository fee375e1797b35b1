// Fuzz of the Secure Channel receive path: mutated secured frames (fixed seed, bounded count) fed to
// an active PD session and an active CP session. Only typed errors, never a crash; a frame that does
// not verify drops the session cleanly (NAK 6), and a fresh handshake always works afterwards.
import { strict as assert } from 'node:assert';
import { FieldlinkError } from '../../../lib/common/errors';
import {
  CpScMachine,
  PdScMachine,
  buildFrame,
  splitFrame,
  type HandshakeMessage,
} from '../../../lib/osdp/secure';
import { crc16 } from '../../../lib/osdp/secure/frame';

const KEY = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
const CUID = Buffer.from('0102030405060708', 'hex');

/** xorshift32, fixed seed. */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

function establish(cp: CpScMachine, pd: PdScMachine): void {
  let m: HandshakeMessage | undefined = cp.begin();
  for (let i = 0; i < 4 && m; i++) {
    const d = pd.handle(splitFrame(buildFrame({ addr: 1, sqn: i === 0 ? 0 : 1, crc: true, reply: false }, m.scb, m.code, m.data)));
    assert.equal(d.kind, 'reply');
    const s = cp.handleHandshakeReply(splitFrame((d as { frame: Buffer }).frame));
    m = s.kind === 'send' ? s.message : undefined;
    if (s.kind === 'established') return;
  }
  throw new Error('no session');
}

/** Mutates a frame and re-seals the check so the mutation reaches the SC layer (most of the time). */
function mutate(frame: Buffer, r: () => number): Buffer {
  const out = Buffer.from(frame);
  const kind = Math.floor(r() * 5);
  if (kind === 0) out[5 + Math.floor(r() * (out.length - 7))] ^= 1 << Math.floor(r() * 8);
  else if (kind === 1) out[Math.floor(r() * out.length)] = Math.floor(r() * 256);
  else if (kind === 2) return Buffer.concat([out.subarray(0, out.length - 2 - Math.floor(r() * 6)), out.subarray(out.length - 2)]);
  else if (kind === 3) out[6] = 0x11 + Math.floor(r() * 10); // SCB type
  else out[5] = Math.floor(r() * 8); // SCB length
  // fix LEN and CRC so most mutations pass the frame check
  if (r() < 0.9 && out.length >= 7) {
    out.writeUInt16LE(out.length, 2);
    out.writeUInt16LE(crc16(out, 0, out.length - 2), out.length - 2);
  }
  return out;
}

describe('osdp secure: fuzz of the receive path', () => {
  it('PD: 3000 mutated secured commands -> command, or NAK with the session dropped; never a crash', () => {
    const r = rng(0x5eed);
    const cp = new CpScMachine({ scbk: KEY });
    const pd = new PdScMachine({ cUid: CUID, scbk: KEY });
    establish(cp, pd);
    let naks = 0;
    let accepted = 0;
    let frameErrors = 0;
    for (let i = 0; i < 3000; i++) {
      if (!cp.active || !pd.active) {
        cp.drop();
        establish(cp, pd);
      }
      const data = Buffer.alloc(Math.floor(r() * 40), i & 0xff);
      const wire = cp.seal({ addr: 1, sqn: (i % 3) + 1, crc: true }, 0x60 + Math.floor(r() * 16), data);
      const bad = mutate(wire, r);
      let split;
      try {
        split = splitFrame(bad);
      } catch (e) {
        assert.ok(e instanceof FieldlinkError, String(e));
        frameErrors++;
        cp.drop(); // the CP would retry; start over
        continue;
      }
      const d = pd.handle(split);
      if (d.kind === 'nak') {
        naks++;
        assert.ok(d.nak === 5 || d.nak === 6, `NAK ${d.nak}`);
        assert.ok(d.error instanceof FieldlinkError);
        if (split.scb && split.scb.type >= 0x15) assert.equal(pd.active, false, 'a refused secured frame drops the session');
      } else if (d.kind === 'command') {
        accepted++;
        // only an unchanged frame may be accepted
        if (!bad.equals(wire)) assert.ok(d.secure === false || bad.equals(wire), 'a mutated frame was accepted as secure');
        if (d.secure) pd.sealReply({ addr: 1, sqn: split.sqn, crc: true }, 0x40, Buffer.alloc(0));
      }
      // a reply path fuzz for the CP: either it opens, or throws a typed error
      cp.drop();
    }
    assert.ok(naks > 1000, `naks ${naks}`);
    assert.ok(frameErrors >= 0 && accepted >= 0);
    // still usable
    cp.drop();
    establish(cp, pd);
    assert.equal(pd.active, true);
  });

  it('CP: 3000 mutated secured replies -> opened, or a typed error with the session dropped', () => {
    const r = rng(0xc0ffee);
    const cp = new CpScMachine({ scbk: KEY });
    const pd = new PdScMachine({ cUid: CUID, scbk: KEY });
    let errors = 0;
    for (let i = 0; i < 3000; i++) {
      if (!cp.active || !pd.active) {
        cp.drop();
        pd.drop();
        establish(cp, pd);
      }
      const wire = cp.seal({ addr: 1, sqn: 1, crc: true }, 0x60, Buffer.alloc(0));
      const d = pd.handle(splitFrame(wire));
      assert.equal(d.kind, 'command');
      const reply = pd.sealReply({ addr: 1, sqn: 1, crc: true }, 0x50, Buffer.alloc(Math.floor(r() * 40), 9));
      const bad = mutate(reply, r);
      try {
        const split = splitFrame(bad);
        if (!split.reply) throw new FieldlinkError('not a reply');
        cp.open(split);
        if (!bad.equals(reply)) {
          // a mutation that still opens can only be one that left the secured part untouched
          assert.ok(false, 'mutated reply opened');
        }
      } catch (e) {
        if (e instanceof assert.AssertionError) throw e;
        assert.ok(e instanceof FieldlinkError, String(e));
        errors++;
        pd.drop();
        cp.drop();
      }
    }
    assert.ok(errors > 1000, `errors ${errors}`);
  });
});
