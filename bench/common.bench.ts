// A trivial benchmark of shared helpers, proving the harness runs: BoundedQueue against a plain
// array used as a queue, and toHex against Buffer's own hex encoding.
import { BoundedQueue, toHex } from '../lib/common';
import { opsPerSecond, type BenchRow } from './types';

export async function run(): Promise<BenchRow[]> {
  const q = new BoundedQueue<number>(1024);
  const queueOps = await opsPerSecond(async () => {
    q.push(1);
    await q.shift();
  });
  const arr: number[] = [];
  const arrayOps = await opsPerSecond(async () => {
    arr.push(1);
    await Promise.resolve(arr.shift());
  });
  const frame = Buffer.alloc(64, 0x17);
  const hexOps = await opsPerSecond(() => toHex(frame, ''));
  const bufferHexOps = await opsPerSecond(() => frame.toString('hex'));
  return [
    { operation: 'common: BoundedQueue push+shift', fieldlink: queueOps, peer: arrayOps, peerName: 'Array push/shift', unit: 'op/s' },
    { operation: 'common: toHex of a 64-byte frame', fieldlink: hexOps, peer: bufferHexOps, peerName: "Buffer.toString('hex')", unit: 'op/s' },
  ];
}
