// Secure Channel crypto: the SIA OSDP v2.2 Annex E vectors (as listed in issue 6), the MAC and the
// data encryption for 0, 1, 15, 16, 17 and 32 data bytes, checked against a second implementation
// written block by block from the rules (AES-ECB of single blocks and explicit XOR chaining).
import { strict as assert } from 'node:assert';
import { createCipheriv, createDecipheriv } from 'node:crypto';
import {
  SCBK_DEFAULT,
  clientCryptogram,
  computeMac,
  decryptData,
  deriveSessionKeys,
  encryptData,
  initialRmac,
  scbkFromMasterKey,
  serverCryptogram,
  aesEcbEncrypt,
  aesCbcEncrypt,
  aesCbcDecrypt,
} from '../../../lib/osdp/secure';
import { checksum8, crc16 } from '../../../lib/osdp/secure/frame';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const RND_A = hex('b0b1b2b3b4b5b6b7');
const RND_B = hex('a0a1a2a3a4a5a6a7');

/** One AES block, the way the rules are written (no CBC helper involved). */
function block(key: Buffer, b: Buffer): Buffer {
  const c = createCipheriv('aes-128-ecb', key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(b), c.final()]);
}
function blockDecrypt(key: Buffer, b: Buffer): Buffer {
  const d = createDecipheriv('aes-128-ecb', key, null);
  d.setAutoPadding(false);
  return Buffer.concat([d.update(b), d.final()]);
}
function xor(a: Buffer, b: Buffer): Buffer {
  const o = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) o[i] = a[i] ^ b[i];
  return o;
}
const not = (b: Buffer): Buffer => Buffer.from(b.map((x) => ~x & 0xff));

/** MAC by the rules: pad 80 00.. only when not a multiple of 16; S-MAC1 on all but the last block. */
function ruleMac(sMac1: Buffer, sMac2: Buffer, iv: Buffer, msg: Buffer): Buffer {
  const bytes = [...msg];
  if (bytes.length % 16 !== 0) {
    bytes.push(0x80);
    while (bytes.length % 16 !== 0) bytes.push(0);
  }
  let chain = iv;
  const n = bytes.length / 16;
  for (let i = 0; i < n; i++) {
    const b = Buffer.from(bytes.slice(i * 16, i * 16 + 16));
    chain = block(i === n - 1 ? sMac2 : sMac1, xor(chain, b));
  }
  return chain;
}

/** Encryption by the rules: data, 80, zeros to a multiple of 16 (always), CBC with IV ~mac. */
function ruleEncrypt(sEnc: Buffer, mac: Buffer, data: Buffer): Buffer {
  const bytes = [...data, 0x80];
  while (bytes.length % 16 !== 0) bytes.push(0);
  let chain = not(mac);
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length / 16; i++) {
    chain = block(sEnc, xor(chain, Buffer.from(bytes.slice(i * 16, i * 16 + 16))));
    out.push(chain);
  }
  return Buffer.concat(out);
}

describe('osdp secure: Annex E vectors', () => {
  const keys = deriveSessionKeys(SCBK_DEFAULT, RND_A);

  it('SCBK-D is 30 31 ... 3F', () => {
    assert.equal(SCBK_DEFAULT.toString('hex'), '303132333435363738393a3b3c3d3e3f');
  });
  it('derives S-ENC, S-MAC1, S-MAC2', () => {
    assert.equal(keys.sEnc.toString('hex'), 'bf8dc2a8329acb8c67c6d0cd9a451682');
    assert.equal(keys.sMac1.toString('hex'), '5e86c676603bdee2d8beafe178637332');
    assert.equal(keys.sMac2.toString('hex'), '6fda86e857777e81132035758239172e');
  });
  it('computes the server (CP) and client (PD) cryptograms', () => {
    assert.equal(serverCryptogram(keys.sEnc, RND_A, RND_B).toString('hex'), '26d3356e07762d262801fc8e6665a891');
    assert.equal(clientCryptogram(keys.sEnc, RND_A, RND_B).toString('hex'), 'fde5d2f428ec16312471ea3c02bd7796');
  });
  it('computes RMAC-I', () => {
    const server = serverCryptogram(keys.sEnc, RND_A, RND_B);
    assert.equal(initialRmac(keys, server).toString('hex'), 'b2a30057eb98ba2229ec1f875662b524');
  });
  it('derives session keys only from the first 6 bytes of RND.A', () => {
    const other = Buffer.from(RND_A);
    other[6] ^= 0xff;
    other[7] ^= 0xff;
    assert.deepEqual(deriveSessionKeys(SCBK_DEFAULT, other), keys);
  });
  it('derives an SCBK from a master key and cUID as AES(MK, cUID || ~cUID)', () => {
    const mk = hex('000102030405060708090a0b0c0d0e0f');
    const cuid = hex('a1b2c3d4e5f60718');
    const expected = block(mk, Buffer.concat([cuid, not(cuid)]));
    assert.deepEqual(scbkFromMasterKey(mk, cuid), expected);
    // and it is not simply the identity or the key
    assert.notDeepEqual(expected, mk);
  });
  it('rejects keys of the wrong size with a typed error', () => {
    assert.throws(() => deriveSessionKeys(Buffer.alloc(15), RND_A), { code: 'EINVAL' });
    assert.throws(() => aesEcbEncrypt(Buffer.alloc(16), Buffer.alloc(3)), { code: 'EINVAL' });
  });
});

describe('osdp secure: MAC and data encryption by the rules', () => {
  const keys = deriveSessionKeys(SCBK_DEFAULT, RND_A);
  const rmacI = initialRmac(keys, serverCryptogram(keys.sEnc, RND_A, RND_B));

  for (const n of [0, 1, 15, 16, 17, 32]) {
    const data = Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + 11) & 0xff));
    it(`encrypts ${n} data bytes to ${Math.floor(n / 16) * 16 + 16} bytes, as the rules say, and decrypts back`, () => {
      const cipher = encryptData(keys.sEnc, rmacI, data);
      assert.equal(cipher.length, Math.floor(n / 16) * 16 + 16);
      assert.deepEqual(cipher, ruleEncrypt(keys.sEnc, rmacI, data));
      assert.deepEqual(decryptData(keys.sEnc, rmacI, cipher), data);
    });
    // A frame header (SOM addr len len ctrl scb-len scb-type code) followed by n bytes.
    const msg = Buffer.concat([hex('53 65 00 00 0d 02 17 69'), data]);
    it(`MACs a ${msg.length}-byte message (header + ${n} data bytes) as the rules say`, () => {
      assert.deepEqual(computeMac(keys, rmacI, msg), ruleMac(keys.sMac1, keys.sMac2, rmacI, msg));
    });
  }

  it('MACs exact multiples of 16 without a padding block, others with 80 00..', () => {
    const m16 = Buffer.alloc(16, 0x42);
    // by hand: one block, no padding, S-MAC2 directly on IV ^ block
    assert.deepEqual(computeMac(keys, rmacI, m16), block(keys.sMac2, xor(rmacI, m16)));
    const m17 = Buffer.alloc(17, 0x42);
    const b2 = Buffer.alloc(16);
    b2[0] = 0x42;
    b2[1] = 0x80;
    const first = block(keys.sMac1, xor(rmacI, m16));
    assert.deepEqual(computeMac(keys, rmacI, m17), block(keys.sMac2, xor(first, b2)));
  });

  it('a pinned vector: the MAC of a secured POLL right after the Annex E handshake', () => {
    // POLL to PD 0x65 with SQN 1, CRC, SCB 02 15, no data: 53 65 0e 00 0d 02 15 60 (LEN 14 = 8 + MAC 4 + CRC 2)
    const poll = hex('53 65 0e 00 0d 02 15 60');
    const byHand = ruleMac(keys.sMac1, keys.sMac2, rmacI, poll);
    assert.deepEqual(computeMac(keys, rmacI, poll), byHand);
    assert.equal(byHand.toString('hex'), PINNED_POLL_MAC);
  });

  it('a pinned vector: 1 encrypted byte after the Annex E handshake', () => {
    const cipher = encryptData(keys.sEnc, rmacI, hex('01'));
    assert.equal(cipher.toString('hex'), PINNED_ENC_1);
    assert.deepEqual(blockDecrypt(keys.sEnc, cipher).subarray(0, 16), xor(not(rmacI), hex('01800000000000000000000000000000')));
  });

  it('refuses bad padding and bad lengths when decrypting', () => {
    assert.equal(decryptData(keys.sEnc, rmacI, Buffer.alloc(0)), undefined);
    assert.equal(decryptData(keys.sEnc, rmacI, Buffer.alloc(15)), undefined);
    // a block that decrypts to all zeros (no 80 marker)
    const zeros = block(keys.sEnc, xor(not(rmacI), Buffer.alloc(16)));
    assert.equal(decryptData(keys.sEnc, rmacI, zeros), undefined);
    // a marker followed by a non-zero byte
    const bad = block(keys.sEnc, xor(not(rmacI), hex('80010000000000000000000000000000')));
    assert.equal(decryptData(keys.sEnc, rmacI, bad), undefined);
  });
});

const PINNED_POLL_MAC = '7da839a08d48e7ec2f091168a5965f9b';
const PINNED_ENC_1 = '1674dddfd5af6a535a0e2c9eaab7292a';

describe('osdp secure: long-lived ciphers', () => {
  it('a key buffer reused for another key gives the other key, and interleaved IVs stay independent', () => {
    const key = Buffer.alloc(16, 1);
    const block = Buffer.alloc(16, 9);
    const first = aesEcbEncrypt(key, block);
    key.fill(2);
    const second = aesEcbEncrypt(key, block);
    const c = createCipheriv('aes-128-ecb', Buffer.alloc(16, 2), null);
    c.setAutoPadding(false);
    assert.deepEqual(second, Buffer.concat([c.update(block), c.final()]));
    assert.notDeepEqual(first, second);
    const k = Buffer.alloc(16, 3);
    const ivA = Buffer.alloc(16, 4);
    const ivB = Buffer.alloc(16, 5);
    const data = Buffer.alloc(48, 6);
    const ref = (iv: Buffer): Buffer => {
      const x = createCipheriv('aes-128-cbc', k, iv);
      x.setAutoPadding(false);
      return Buffer.concat([x.update(data), x.final()]);
    };
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(aesCbcEncrypt(k, ivA, data), ref(ivA));
      assert.deepEqual(aesCbcEncrypt(k, ivB, data), ref(ivB));
      assert.deepEqual(aesCbcDecrypt(k, ivB, ref(ivB)), data);
      assert.deepEqual(aesCbcDecrypt(k, ivA, ref(ivA)), data);
    }
  });
});

describe('osdp secure: frame check values', () => {
  it('CRC-16/AUG-CCITT as the issue gives it: "123456789" -> E5CC, POLL 53 65 08 00 04 60 -> 60 90', () => {
    assert.equal(crc16(Buffer.from('123456789')), 0xe5cc);
    const poll = hex('53 65 08 00 04 60');
    assert.equal(crc16(poll), 0x9060);
    assert.equal(crc16(hex('537F0D00046E0080250000')), 0x386e);
    assert.equal(crc16(hex('53000900046100')), 0x66c0);
    assert.equal(checksum8(hex('537F0C00006E0080250000')), 0x0f);
    assert.equal(checksum8(hex('53000800006100')), 0x44);
  });
});
