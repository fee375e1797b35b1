/**
 * Sealing and opening frames of an active session: encrypt, set LEN, MAC, check on the way out;
 * check (done by splitFrame), MAC, decrypt on the way in. Each call advances the MAC chain in `ctx`
 * (a command's MAC becomes C-MAC, a reply's becomes R-MAC); a frame that fails leaves it untouched.
 */
import { computeMac, bytesEqual, decryptData, encryptData } from './crypto';
import { buildFrame, type FrameHeader, type SplitFrame } from './frame';
import { ScbType, SecureChannelError, type ScContext } from './types';

/** A secured message before framing: the frame codec calls `mac` with SOM..last data byte (LEN final). */
export interface SealedParts {
  code: number;
  /** Encrypted data (SCS_17/18) or empty (SCS_15/16). */
  data: Buffer;
  scb: { type: number; data: Buffer };
  /** Computes the full 16-byte MAC and advances the chain; the frame carries the first 4 bytes. */
  mac: (covered: Buffer) => Buffer;
}

/**
 * Seals a command (`isCommand`) or reply of the active session: encrypts the data now (IV = ~R-MAC
 * for a command, ~C-MAC for a reply) and returns a MAC function for the frame encoder, which calls
 * it once LEN is final. Order: encrypt, set LEN, MAC, check.
 */
export function sealParts(ctx: ScContext, isCommand: boolean, code: number, data: Uint8Array): SealedParts {
  const ivMac = isCommand ? ctx.rMac : ctx.cMac;
  let type: number;
  let body: Buffer;
  if (data.length > 0) {
    type = isCommand ? ScbType.SCS_17 : ScbType.SCS_18;
    body = encryptData(ctx.sEnc, ivMac, data);
  } else {
    type = isCommand ? ScbType.SCS_15 : ScbType.SCS_16;
    body = Buffer.alloc(0);
  }
  return {
    code,
    data: body,
    scb: { type, data: Buffer.alloc(0) },
    mac: (covered) => {
      const mac = computeMac(ctx, ivMac, covered);
      if (isCommand) ctx.cMac = mac;
      else ctx.rMac = mac;
      return mac;
    },
  };
}

/** Builds the wire frame (SOM..check) of a secured command (`header.reply` false) or reply. */
export function sealFrame(ctx: ScContext, header: FrameHeader, code: number, data: Uint8Array): Buffer {
  const parts = sealParts(ctx, !header.reply, code, data);
  return buildFrame(header, parts.scb, parts.code, parts.data, parts.mac);
}

export interface OpenOptions {
  /** Accept SCS_17/SCS_18 whose data block is empty. */
  allowEmptyEncryptedDataBlock?: boolean;
}

/** A message recovered from a secured frame. */
export interface OpenedMessage {
  code: number;
  data: Buffer;
  /** The data was encrypted on the wire (SCS_17/SCS_18). */
  encrypted: boolean;
}

/**
 * Verifies the MAC of a secured frame and decrypts its data. Throws SecureChannelError (the caller
 * drops the session) on a wrong SCB type for the direction, a bad MAC or bad padding.
 */
export function openFrame(ctx: ScContext, frame: SplitFrame, opts: OpenOptions = {}): OpenedMessage {
  const isCommand = !frame.reply;
  const type = frame.scb?.type;
  const macOnly = isCommand ? ScbType.SCS_15 : ScbType.SCS_16;
  const encrypted = isCommand ? ScbType.SCS_17 : ScbType.SCS_18;
  if (type !== macOnly && type !== encrypted) {
    throw new SecureChannelError(
      `SCB type ${type === undefined ? 'none' : '0x' + type.toString(16)} is not valid in a secured ${isCommand ? 'command' : 'reply'}`,
      'bad-scb',
      { dropped: true },
    );
  }
  if (!frame.mac) throw new SecureChannelError('secured frame without MAC', 'bad-length', { dropped: true });
  const ivMac = isCommand ? ctx.rMac : ctx.cMac;
  const mac = computeMac(ctx, ivMac, frame.raw.subarray(0, frame.macOffset));
  if (!bytesEqual(mac.subarray(0, 4), frame.mac)) {
    throw new SecureChannelError('MAC does not verify', 'bad-mac', { dropped: true });
  }
  let data: Buffer = frame.data;
  if (type === encrypted) {
    if (frame.data.length === 0) {
      if (!opts.allowEmptyEncryptedDataBlock) {
        throw new SecureChannelError('encrypted data block is empty', 'empty-encrypted-block', { dropped: true });
      }
      data = Buffer.alloc(0);
    } else {
      const plain = decryptData(ctx.sEnc, ivMac, frame.data);
      if (!plain) throw new SecureChannelError('encrypted data has a bad length or padding', 'bad-padding', { dropped: true });
      if (plain.length === 0 && !opts.allowEmptyEncryptedDataBlock) {
        throw new SecureChannelError('encrypted data block carries no data', 'empty-encrypted-block', { dropped: true });
      }
      data = Buffer.from(plain);
    }
  } else {
    data = Buffer.from(frame.data);
  }
  // Only a verified frame moves the chain.
  if (isCommand) ctx.cMac = mac;
  else ctx.rMac = mac;
  return { code: frame.code, data, encrypted: type === encrypted };
}
