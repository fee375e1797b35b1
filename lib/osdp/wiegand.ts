/**
 * Card numbers from raw Wiegand bits (osdp_RAW): the common open formats H10301 (26 bit),
 * H10306 (34 bit) and H10304 (37 bit), each with facility code, card number and parity check.
 * Other lengths give the bits and their value only.
 */
export interface DecodedCard {
  /** 'wiegand26' | 'wiegand34' | 'wiegand37' | 'raw' | 'ascii'. */
  format: string;
  bitCount: number;
  /** The bits as a '0'/'1' string, MSB first. */
  bits: string;
  /** Facility (site) code, for the known formats. */
  facility?: number;
  /** Card number: for the known formats the card field, else the value of all bits (when it fits in 53 bits). */
  card?: number;
  /** Parity bits hold (known formats only). */
  parityOk?: boolean;
  /** ASCII card data (osdp_FMT). */
  text?: string;
}

/** '0'/'1' string of the first `bitCount` bits of `data`, MSB first. */
export function bitString(data: Uint8Array, bitCount: number): string {
  let s = '';
  for (let i = 0; i < bitCount; i++) s += (data[i >> 3] >> (7 - (i & 7))) & 1 ? '1' : '0';
  return s;
}

function value(bits: string): number {
  return bits.length === 0 ? 0 : parseInt(bits, 2);
}

function ones(bits: string): number {
  let n = 0;
  for (const b of bits) if (b === '1') n++;
  return n;
}

/** Packs a '0'/'1' string MSB first into bytes (for simulators and tests). */
export function packBits(bits: string): Buffer {
  const out = Buffer.alloc(Math.ceil(bits.length / 8));
  for (let i = 0; i < bits.length; i++) if (bits[i] === '1') out[i >> 3] |= 0x80 >> (i & 7);
  return out;
}

interface Layout {
  name: string;
  length: number;
  facility: [number, number];
  card: [number, number];
  /** [start, end) covered by the leading even parity bit, and by the trailing odd parity bit. */
  even: [number, number];
  odd: [number, number];
}

const LAYOUTS: Layout[] = [
  { name: 'wiegand26', length: 26, facility: [1, 9], card: [9, 25], even: [1, 13], odd: [13, 25] },
  { name: 'wiegand34', length: 34, facility: [1, 17], card: [17, 33], even: [1, 17], odd: [17, 33] },
  { name: 'wiegand37', length: 37, facility: [1, 17], card: [17, 36], even: [1, 19], odd: [18, 36] },
];

/** Decodes a raw card read. */
export function decodeWiegand(data: Uint8Array, bitCount: number): DecodedCard {
  const bits = bitString(data, Math.min(bitCount, data.length * 8));
  const layout = LAYOUTS.find((l) => l.length === bits.length);
  if (!layout) {
    const out: DecodedCard = { format: 'raw', bitCount, bits };
    if (bits.length > 0 && bits.length <= 53) out.card = value(bits);
    return out;
  }
  const even = ones(bits.slice(layout.even[0], layout.even[1])) % 2 === (bits[0] === '1' ? 1 : 0);
  const odd = (ones(bits.slice(layout.odd[0], layout.odd[1])) + (bits[bits.length - 1] === '1' ? 1 : 0)) % 2 === 1;
  return {
    format: layout.name,
    bitCount,
    bits,
    facility: value(bits.slice(layout.facility[0], layout.facility[1])),
    card: value(bits.slice(layout.card[0], layout.card[1])),
    parityOk: even && odd,
  };
}

/** Encodes facility and card into a Wiegand frame with correct parity (for simulators and tests). */
export function encodeWiegand(format: 'wiegand26' | 'wiegand34' | 'wiegand37', facility: number, card: number): { bits: string; data: Buffer; bitCount: number } {
  const layout = LAYOUTS.find((l) => l.name === format);
  if (!layout) throw new RangeError(`unknown Wiegand format ${format}`);
  const fBits = layout.facility[1] - layout.facility[0];
  const cBits = layout.card[1] - layout.card[0];
  if (!Number.isInteger(facility) || facility < 0 || facility >= 2 ** fBits) throw new RangeError(`facility must fit in ${fBits} bits`);
  if (!Number.isInteger(card) || card < 0 || card >= 2 ** cBits) throw new RangeError(`card must fit in ${cBits} bits`);
  const body = facility.toString(2).padStart(fBits, '0') + card.toString(2).padStart(cBits, '0');
  const arr = ('0' + body + '0').split('');
  const evenOnes = ones(arr.slice(layout.even[0], layout.even[1]).join(''));
  arr[0] = evenOnes % 2 === 1 ? '1' : '0';
  const oddOnes = ones(arr.slice(layout.odd[0], layout.odd[1]).join(''));
  arr[arr.length - 1] = oddOnes % 2 === 0 ? '1' : '0';
  const bits = arr.join('');
  return { bits, data: packBits(bits), bitCount: bits.length };
}
