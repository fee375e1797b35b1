/**
 * `spec-server`: the config node that owns one SpecClient (one TCP link to a SPEC server), shares
 * its link state with every SPEC node using it, reconnects with capped back-off, and closes
 * everything when the flow stops. Also answers the editor's "Find" button.
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { InvalidArgumentError, NotConnectedError, toFieldlinkError } from '../../lib/common/errors';
import { withTimeout } from '../../lib/common/deadline';
import { SpecClient, type SpecServerInfo } from '../../lib/spec';
import { adminGet } from '../common/admin';
import { SharedStatus } from '../common/status';
import type { SpecServerNode } from './shared';
import { findServers, parsePorts } from './scan';
import { reason } from './reason';

interface SpecServerDef extends NodeDef {
  host: string;
  port: string;
  specName: string;
  timeout: string | number;
  reconnect: boolean | string;
}

/** The link state as a status text: `reconnecting in 4 s`, shortened reasons. */
function seconds(ms: number): string {
  return ms < 1000 ? '<1 s' : `${Math.round(ms / 1000)} s`;
}

export = function (RED: NodeAPI): void {
  function SpecServer(this: SpecServerNode & { [k: string]: unknown }, def: SpecServerDef): void {
    RED.nodes.createNode(this, def);
    const node = this as unknown as Node & Record<string, unknown>;
    const link = new SharedStatus();
    const host = (def.host || '127.0.0.1').trim();
    const timeoutMs = Math.max(100, Math.round((Number(def.timeout) > 0 ? Number(def.timeout) : 5) * 1000));
    const reconnect = def.reconnect === undefined || def.reconnect === true || def.reconnect === 'true';
    const specName = (def.specName || '').trim() || undefined;
    let client: SpecClient;
    let configError: Error | undefined;
    try {
      client = new SpecClient({ host, port: parsePorts(def.port || '6510-6530'), specName, timeout: timeoutMs, connectTimeout: Math.min(timeoutMs, 2000), reconnect });
    } catch (err) {
      // A bad port in a hand-edited flow: the client below never connects; every request says why.
      configError = toFieldlinkError(err);
      client = new SpecClient({ host: '127.0.0.1', port: 6510, reconnect: false });
    }
    const where = `${host}:${(def.port || '6510-6530').trim()}`;
    let started = false;
    let closing = false;

    const topic = (suffix: string): string => `spec/${client.info?.specName || specName || def.name || host}/${suffix}`;

    const showConnected = (info: SpecServerInfo): void => link.set('connected', `${info.specName} @ ${info.host}:${info.port}`);
    client.on('connected', (info: SpecServerInfo) => {
      showConnected(info);
      node.log(`connected to SPEC ${info.specName} at ${info.host}:${info.port}`);
    });
    client.on('reconnecting', ({ attempt, delay, error }: { attempt: number; delay: number; error?: Error }) => {
      link.set('waiting', `reconnecting in ${seconds(delay)}${error ? `: ${reason(error, specName)}` : ''}`);
      if (!error) return;
      // The first failure of a series goes to the log; the rest only to debug (a server down for hours).
      if (attempt === 1) node.warn(`SPEC ${where}: ${error.message}; retrying with growing pauses`);
      else node.debug(`SPEC ${where}: ${error.message}; next try in ${delay} ms`);
    });
    client.on('state', (state: string) => {
      if (closing) return;
      if (state === 'connecting') link.set('connecting');
      else if (state === 'reconnecting') link.set('waiting', 'reconnecting');
      else if (state === 'idle' && !reconnect) link.set('error', 'disconnected');
    });
    // Problems not tied to a request (a malformed frame, a failed re-register): log, never crash.
    client.on('error', (err: Error) => node.warn(`SPEC ${client.device}: ${err.message}`));

    const connectOnce = (): Promise<SpecServerInfo> =>
      client.connect().catch((err: unknown) => {
        const e = toFieldlinkError(err);
        if (!closing) {
          link.set('error', e.message);
          node.error(`SPEC ${where}: ${e.message}`);
        }
        throw e;
      });

    const use = (): void => {
      if (started || closing) return;
      started = true;
      if (configError) {
        link.set('error', configError.message);
        node.error(configError.message);
        return;
      }
      connectOnce().catch(() => undefined);
    };

    /**
     * Resolves once connected. Connecting or reconnecting: waits up to the time-out. Not
     * connected with reconnect off: one fresh attempt (a new message is the user's retry).
     */
    const ready = (): Promise<void> => {
      if (configError) return Promise.reject(configError);
      if (client.connected) return Promise.resolve();
      if (closing) return Promise.reject(new NotConnectedError('SPEC server node closed', { device: where }));
      if (client.state === 'idle') return withTimeout(connectOnce(), timeoutMs, { device: where, operation: 'connect' }).then(() => undefined);
      return new Promise<void>((resolve, reject) => {
        const finish = (err?: Error): void => {
          clearTimeout(timer);
          client.off('connected', onConnected);
          waiters.delete(finish);
          if (err) reject(err);
          else resolve();
        };
        const timer = setTimeout(() => finish(new NotConnectedError(`not connected to SPEC at ${where} (${client.state})`, { device: where, operation: 'connect' })), timeoutMs);
        const onConnected = (): void => finish();
        client.once('connected', onConnected);
        waiters.add(finish);
      });
    };
    /** Messages waiting for the link; rejected at once when the node closes. */
    const waiters = new Set<(err?: Error) => void>();

    const operations = new Set<{ aborted: boolean }>();
    const track = (): { readonly aborted: boolean; end(): void } => {
      const op = { aborted: false };
      operations.add(op);
      return {
        get aborted() {
          return op.aborted;
        },
        end: () => void operations.delete(op),
      };
    };
    const abort = async (): Promise<void> => {
      await ready();
      for (const op of operations) op.aborted = true;
      await client.abort();
    };

    const api: Pick<SpecServerNode, 'client' | 'link' | 'topic' | 'use' | 'ready' | 'track' | 'abort'> = { client, link, topic, use, ready, track, abort };
    Object.assign(node, api);

    node.on('close', (_removed: boolean, done: () => void) => {
      closing = true;
      for (const finish of [...waiters]) finish(new NotConnectedError('SPEC server node closed', { device: where }));
      client.removeAllListeners('connected');
      client.removeAllListeners('reconnecting');
      client.removeAllListeners('state');
      client
        .close()
        .catch((err: unknown) => node.debug(`close: ${(err as Error).message}`))
        .finally(() => {
          client.removeAllListeners();
          link.set('disconnected');
          done();
        });
    });
  }

  RED.nodes.registerType('spec-server', SpecServer as unknown as (this: Node, def: NodeDef) => void);

  // The editor's "Find" button: which SPEC servers answer HELLO on this host and port range.
  adminGet(RED, '/fieldlink/spec/servers', 'spec-server.read', async (query) => {
    const host = String(query.host || '127.0.0.1').trim();
    if (!host || /\s/.test(host)) throw new InvalidArgumentError('host required');
    return findServers(host, parsePorts(String(query.port || '6510-6530')));
  });

  // The motor editor's list: the motors of a deployed spec-server (mnemonic and name).
  adminGet(RED, '/fieldlink/spec/motors', 'spec-server.read', async (query) => {
    const server = RED.nodes.getNode(String(query.server || '')) as SpecServerNode | null;
    if (!server || !server.client) throw new InvalidArgumentError('deploy the flow with this SPEC server first');
    await server.ready();
    return (await server.client.motors()).map((m) => ({ mne: m.mne, name: m.name }));
  });
};
