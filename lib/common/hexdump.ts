/** Compact hex of a buffer: `17 94 00 00 ...`, for debug logs and error messages. */
export function toHex(bytes: Uint8Array, separator = ' '): string {
  // Buffer's own encoder does the work; the separators are put in afterwards.
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
  if (separator === '' || hex.length <= 2) return hex;
  const pairs = new Array<string>(hex.length / 2);
  for (let i = 0; i < pairs.length; i++) pairs[i] = hex.slice(2 * i, 2 * i + 2);
  return pairs.join(separator);
}

/** Parses hex with optional spaces, colons or 0x prefix; throws RangeError on anything else. */
export function fromHex(text: string): Buffer {
  const clean = text.replace(/0x/gi, '').replace(/[\s:-]/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-f]/i.test(clean)) throw new RangeError(`not a hex string: ${text}`);
  return Buffer.from(clean, 'hex');
}

/**
 * Classic 16-bytes-a-line dump with offsets and printable ASCII, for debug output:
 * `00000000  17 94 00 00 78 37 2a 18  00 00 00 00 00 00 00 00  |....x7*.........|`
 */
export function hexdump(bytes: Uint8Array, width = 16): string {
  const lines: string[] = [];
  for (let offset = 0; offset < bytes.length; offset += width) {
    const row = bytes.subarray(offset, Math.min(offset + width, bytes.length));
    let hex = '';
    let ascii = '';
    for (let i = 0; i < width; i++) {
      if (i === width / 2) hex += ' ';
      if (i < row.length) {
        hex += row[i].toString(16).padStart(2, '0') + ' ';
        ascii += row[i] >= 0x20 && row[i] < 0x7f ? String.fromCharCode(row[i]) : '.';
      } else {
        hex += '   ';
      }
    }
    lines.push(`${offset.toString(16).padStart(8, '0')}  ${hex} |${ascii}|`);
  }
  return lines.join('\n');
}
