/**
 * OSDP check characters: CRC-16/AUG-CCITT (poly 0x1021, init 0x1D0F, no reflection, no xor-out,
 * sent LSB first) when CTRL bit 0x04 is set, else an 8-bit checksum (two's complement of the byte sum).
 */

const TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let b = 0; b < 8; b++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    t[i] = c;
  }
  return t;
})();

/** CRC-16/AUG-CCITT of `bytes[start..end)`. */
export function crc16(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0x1d0f;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ bytes[i]) & 0xff];
  return crc;
}

/** 8-bit checksum: the two's complement of the sum of `bytes[start..end)`. */
export function checksum8(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum = (sum + bytes[i]) & 0xff;
  return (0x100 - sum) & 0xff;
}
