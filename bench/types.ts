/** One row of the `npm run bench` table. Figures are per second unless `unit` says otherwise. */
export interface BenchRow {
  /** What was measured, e.g. `UHPPOTE get-status, sequential, UDP`. */
  operation: string;
  /** fieldlink's figure. */
  fieldlink: number;
  /** The peer's figure measured in the same run, if there is a peer. */
  peer?: number;
  /** Who the peer is, e.g. `uhppoted (npm)`. */
  peerName?: string;
  /** Unit of the figures, e.g. `req/s`, `MB/s`. */
  unit: string;
  /** The known limit (line rate, loopback), in the same unit, if one is known. */
  limit?: number;
  /** What the limit is, e.g. `loopback TCP copy`. */
  limitName?: string;
  /** Anything a reader needs to know (lost requests, CPU share...). */
  note?: string;
}

/** A benchmark file `bench/<name>.bench.ts` exports `run`, which measures and returns its rows. */
export type BenchRun = () => Promise<BenchRow[]>;

/** Runs `fn` repeatedly for about `ms` milliseconds and returns operations per second. */
export async function opsPerSecond(fn: () => unknown, ms = 500): Promise<number> {
  let count = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(ms) * 1_000_000n;
  let now = start;
  while (now < end) {
    for (let i = 0; i < 64; i++) await fn();
    count += 64;
    now = process.hrtime.bigint();
  }
  return count / (Number(now - start) / 1e9);
}
