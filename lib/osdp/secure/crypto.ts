/**
 * The Secure Channel cryptography (SIA OSDP v2.2 Annex D), AES-128 through node:crypto. Pure
 * functions on Buffers; no state.
 */
import { createCipheriv, createDecipheriv, randomBytes, timingSafeEqual, type Cipher, type Decipher } from 'node:crypto';
import { InvalidArgumentError } from '../../common/errors';
import type { SessionKeys } from './types';

const ZERO_IV: Readonly<Buffer> = Buffer.alloc(16);

function checkKey(key: Uint8Array, what: string): void {
  if (key.length !== 16) throw new InvalidArgumentError(`${what} must be 16 bytes, got ${key.length}`);
}

/**
 * One AES-128 key with a long-lived CBC cipher and decipher (creating a cipher costs far more than
 * running it). Any IV is applied by folding it into the first block against the chaining value the
 * long-lived object carries: CBC from IV `x` after previous output `c` = CBC of (B1 ^ x ^ c), B2...
 */
class AesKey {
  private readonly enc: Cipher;
  private readonly dec: Decipher;
  private encLast = Buffer.alloc(16);
  private decLast = Buffer.alloc(16);
  /** The key bytes this object was made with (a caller may reuse its buffer for another key). */
  readonly bytes: Buffer;

  constructor(key: Uint8Array) {
    this.bytes = Buffer.from(key);
    this.enc = createCipheriv('aes-128-cbc', key, ZERO_IV);
    this.enc.setAutoPadding(false);
    this.dec = createDecipheriv('aes-128-cbc', key, ZERO_IV);
    this.dec.setAutoPadding(false);
  }

  cbcEncrypt(iv: Uint8Array, data: Uint8Array): Buffer {
    const buf = Buffer.from(data);
    for (let i = 0; i < 16; i++) buf[i] ^= iv[i] ^ this.encLast[i];
    const out = this.enc.update(buf);
    this.encLast = Buffer.from(out.subarray(out.length - 16));
    return out;
  }

  cbcDecrypt(iv: Uint8Array, data: Uint8Array): Buffer {
    const out = Buffer.from(this.dec.update(data));
    for (let i = 0; i < 16; i++) out[i] ^= this.decLast[i] ^ iv[i];
    this.decLast = Buffer.from(data.subarray(data.length - 16));
    return out;
  }
}

const keyCache = new WeakMap<Uint8Array, AesKey>();

function aes(key: Uint8Array): AesKey {
  let k = keyCache.get(key);
  if (!k || !k.bytes.equals(key)) {
    k = new AesKey(key);
    keyCache.set(key, k);
  }
  return k;
}

function checkBlocks(data: Uint8Array, what: string): void {
  if (data.length % 16 !== 0) throw new InvalidArgumentError(`${what} input must be a multiple of 16 bytes, got ${data.length}`);
}

/** AES-128-CBC without padding; `data` must be a multiple of 16 bytes. Returns new bytes. */
export function aesCbcEncrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Buffer {
  checkKey(key, 'key');
  checkBlocks(data, 'AES-CBC');
  if (data.length === 0) return Buffer.alloc(0);
  return aes(key).cbcEncrypt(iv, data);
}

/** AES-128-CBC decryption without padding. */
export function aesCbcDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Buffer {
  checkKey(key, 'key');
  checkBlocks(data, 'AES-CBC');
  if (data.length === 0) return Buffer.alloc(0);
  return aes(key).cbcDecrypt(iv, data);
}

/** AES-128-ECB of one or more whole blocks. */
export function aesEcbEncrypt(key: Uint8Array, data: Uint8Array): Buffer {
  checkKey(key, 'key');
  checkBlocks(data, 'AES-ECB');
  const k = aes(key);
  const out = Buffer.allocUnsafe(data.length);
  for (let o = 0; o < data.length; o += 16) k.cbcEncrypt(ZERO_IV, data.subarray(o, o + 16)).copy(out, o);
  return out;
}

/** Bitwise complement of a buffer (the encryption IVs are ~R-MAC and ~C-MAC). */
export function complement(bytes: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = ~bytes[i] & 0xff;
  return out;
}

/** Constant-time comparison of two byte strings of the same length. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Session keys from a base key and RND.A (the CP's 8-byte random; its first 6 bytes are used):
 * S-ENC = AES(SCBK, `01 82` RND.A[0..5] 00*8), S-MAC1 with `01 01`, S-MAC2 with `01 02`.
 */
export function deriveSessionKeys(scbk: Uint8Array, rndA: Uint8Array): SessionKeys {
  checkKey(scbk, 'SCBK');
  if (rndA.length !== 8) throw new InvalidArgumentError(`RND.A must be 8 bytes, got ${rndA.length}`);
  const block = (b1: number): Buffer => {
    const b = Buffer.alloc(16);
    b[0] = 0x01;
    b[1] = b1;
    b.set(rndA.subarray(0, 6), 2);
    return b;
  };
  return {
    sEnc: aesEcbEncrypt(scbk, block(0x82)),
    sMac1: aesEcbEncrypt(scbk, block(0x01)),
    sMac2: aesEcbEncrypt(scbk, block(0x02)),
  };
}

/** The PD's (client) cryptogram, sent in CCRYPT: AES(S-ENC, RND.A || RND.B). */
export function clientCryptogram(sEnc: Uint8Array, rndA: Uint8Array, rndB: Uint8Array): Buffer {
  return aesEcbEncrypt(sEnc, Buffer.concat([rndA, rndB]));
}

/** The CP's (server) cryptogram, sent in SCRYPT: AES(S-ENC, RND.B || RND.A). */
export function serverCryptogram(sEnc: Uint8Array, rndA: Uint8Array, rndB: Uint8Array): Buffer {
  return aesEcbEncrypt(sEnc, Buffer.concat([rndB, rndA]));
}

/** The initial R-MAC the PD returns in RMAC_I: AES(S-MAC2, AES(S-MAC1, server cryptogram)). */
export function initialRmac(keys: Pick<SessionKeys, 'sMac1' | 'sMac2'>, serverCrypt: Uint8Array): Buffer {
  return aesEcbEncrypt(keys.sMac2, aesEcbEncrypt(keys.sMac1, serverCrypt));
}

/** A PD's SCBK derived from a master key and its cUID (8 bytes): AES(MK, cUID || ~cUID). */
export function scbkFromMasterKey(masterKey: Uint8Array, cUid: Uint8Array): Buffer {
  checkKey(masterKey, 'master key');
  if (cUid.length !== 8) throw new InvalidArgumentError(`cUID must be 8 bytes, got ${cUid.length}`);
  return aesEcbEncrypt(masterKey, Buffer.concat([cUid, complement(cUid)]));
}

/** A fresh random SCBK (16 bytes from the system CSPRNG). */
export function randomScbk(): Buffer {
  return randomBytes(16);
}

/**
 * The OSDP MAC: CBC-MAC over `message` (the frame from SOM to the last data byte), padded with
 * `80 00..` only when not a multiple of 16 (an empty message is one padding block). Every block but
 * the last goes through S-MAC1, the last through S-MAC2, starting from `iv` (the last R-MAC for a
 * command, the last C-MAC for a reply). Returns all 16 bytes; the wire carries the first 4.
 */
export function computeMac(keys: Pick<SessionKeys, 'sMac1' | 'sMac2'>, iv: Uint8Array, message: Uint8Array): Buffer {
  let padded: Buffer;
  if (message.length > 0 && message.length % 16 === 0) {
    padded = Buffer.from(message);
  } else {
    padded = Buffer.alloc(Math.ceil((message.length + 1) / 16) * 16);
    padded.set(message, 0);
    padded[message.length] = 0x80;
  }
  let chain: Uint8Array = iv;
  if (padded.length > 16) {
    const head = aesCbcEncrypt(keys.sMac1, iv, padded.subarray(0, padded.length - 16));
    chain = head.subarray(head.length - 16);
  }
  return aesCbcEncrypt(keys.sMac2, chain, padded.subarray(padded.length - 16));
}

/**
 * Encrypts the data after CODE: append `80`, zero-pad to a multiple of 16 (always, so 16 data bytes
 * become 32), AES-CBC with S-ENC and IV = ~`macForIv` (~R-MAC for a command, ~C-MAC for a reply).
 */
export function encryptData(sEnc: Uint8Array, macForIv: Uint8Array, data: Uint8Array): Buffer {
  const padded = Buffer.alloc(Math.floor(data.length / 16) * 16 + 16);
  padded.set(data, 0);
  padded[data.length] = 0x80;
  return aesCbcEncrypt(sEnc, complement(macForIv), padded);
}

/**
 * Decrypts a data block and strips the `80 00..` padding. Returns undefined when the length is not a
 * positive multiple of 16 or the padding is wrong (the caller drops the session).
 */
export function decryptData(sEnc: Uint8Array, macForIv: Uint8Array, cipher: Uint8Array): Buffer | undefined {
  if (cipher.length === 0 || cipher.length % 16 !== 0) return undefined;
  const plain = aesCbcDecrypt(sEnc, complement(macForIv), cipher);
  let end = plain.length - 1;
  // The marker sits in the last block: at most 15 zero bytes follow it.
  const floor = plain.length - 16;
  while (end > floor && plain[end] === 0x00) end--;
  if (plain[end] !== 0x80) return undefined;
  return plain.subarray(0, end);
}

export { ZERO_IV };
