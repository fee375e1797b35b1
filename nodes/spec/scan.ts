/**
 * The spec-server editor's helpers: the port field's text as the client wants it, and a search
 * for the SPEC servers answering on a host and port range.
 */
import { InvalidArgumentError } from '../../lib/common/errors';
import { SpecClient } from '../../lib/spec';

/** `"6510"` -> 6510, `"6510-6530"` -> [6510, 6530]; throws InvalidArgumentError otherwise. */
export function parsePorts(text: string): number | [number, number] {
  const m = /^\s*(\d{1,5})\s*(?:-\s*(\d{1,5})\s*)?$/.exec(String(text));
  const from = m ? Number(m[1]) : NaN;
  const to = m && m[2] !== undefined ? Number(m[2]) : from;
  if (!m || from < 1 || to > 65535 || to < from) throw new InvalidArgumentError(`port must be a port (6510) or a range (6510-6530), got ${JSON.stringify(text)}`);
  if (to - from > 100) throw new InvalidArgumentError(`port range ${from}-${to} is too wide (at most 100 ports)`);
  return from === to ? from : [from, to];
}

export interface FoundServer {
  port: number;
  specName: string;
}

/** Greets every port of the range (in parallel, one attempt each) and lists who answered as SPEC. */
export async function findServers(host: string, ports: number | [number, number], timeoutMs = 2000): Promise<FoundServer[]> {
  const [from, to] = typeof ports === 'number' ? [ports, ports] : ports;
  const list: number[] = [];
  for (let p = from; p <= to; p++) list.push(p);
  const found = await Promise.all(
    list.map(async (port): Promise<FoundServer | undefined> => {
      const client = new SpecClient({ host, port, reconnect: false, timeout: timeoutMs, connectTimeout: timeoutMs });
      client.on('error', () => undefined);
      try {
        const info = await client.connect();
        return { port, specName: info.specName };
      } catch {
        return undefined;
      } finally {
        await client.close().catch(() => undefined);
      }
    }),
  );
  return found.filter((f): f is FoundServer => f !== undefined);
}
