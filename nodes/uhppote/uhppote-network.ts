/**
 * uhppote-network: the config node that owns one UHPPOTE engine (its UDP socket, opened on first
 * use) and, while an events node subscribes, the events listener (re-bound with capped back-off
 * when the address is taken). Its state reaches every node through SharedStatus. Also serves the
 * editor's Discover button.
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { Backoff } from '../../lib/common/deadline';
import { InvalidArgumentError, NotConnectedError, toFieldlinkError } from '../../lib/common/errors';
import { Uhppote, UhppoteListener, type ControllerEvent, type ControllerSpec } from '../../lib/uhppote';
import { adminGet } from '../common/admin';
import { SharedStatus } from '../common/status';
import { knownControllers, resolveController, type KnownController } from './support/controllers';
import type { EventSubscriber, UhppoteNetworkNode } from './support/network';
import { controllerJson } from './support/results';

interface NetworkDef extends NodeDef {
  bind?: string;
  broadcast?: string;
  listen?: string;
  timeout?: number | string;
  debug?: boolean;
  controllers?: unknown;
}

const DEFAULTS = { bind: '0.0.0.0', broadcast: '255.255.255.255:60000', listen: '0.0.0.0:60001', timeout: 2500 };

function timeoutOf(value: unknown): number {
  const n = Number(value);
  return Number.isFinite(n) && n >= 100 && n <= 60000 ? n : DEFAULTS.timeout;
}

function text(value: unknown, fallback: string): string {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : fallback;
}

export = function (RED: NodeAPI): void {
  function UhppoteNetwork(this: UhppoteNetworkNode, config: NetworkDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const shared = new SharedStatus();
    const bind = text(config.bind, DEFAULTS.bind);
    const broadcast = text(config.broadcast, DEFAULTS.broadcast);
    const listen = text(config.listen, DEFAULTS.listen);
    const timeout = timeoutOf(config.timeout);
    const table: KnownController[] = knownControllers(config.controllers);
    const debug = config.debug === true ? (line: string): void => node.log(line) : undefined;

    let engine: Uhppote | undefined;
    let closed = false;
    /** Set while requests fail because the request socket cannot be opened (a bind address not on this host...). */
    let requestError: string | undefined;
    try {
      engine = new Uhppote({ bind, broadcast, listen, timeout, ...(debug ? { debug } : {}) });
      shared.set('connected', 'ready');
    } catch (err) {
      const e = toFieldlinkError(err);
      node.error(`uhppote network: ${e.message}`);
      shared.set('error', e.message);
    }

    // ------------------------------------------------------------ events listener
    const subscribers = new Set<EventSubscriber>();
    let listener: UhppoteListener | undefined;
    let retryTimer: NodeJS.Timeout | undefined;
    const backoff = new Backoff({ initial: 1000, max: 30_000 });

    function each(fn: (s: EventSubscriber) => void): void {
      for (const s of subscribers) {
        try {
          fn(s);
        } catch (err) {
          node.warn(`uhppote events: ${(err as Error).message}`);
        }
      }
    }

    function startListener(): void {
      if (closed || listener || retryTimer || subscribers.size === 0) return;
      const l = new UhppoteListener({ listen, ...(debug ? { debug } : {}) });
      listener = l;
      l.on('event', (e: ControllerEvent) => each((s) => s.event(e)));
      l.on('status', (e: ControllerEvent) => each((s) => s.status?.(e)));
      l.on('error', (err: Error) => each((s) => s.error?.(err)));
      shared.set('connecting', `binding ${listen}`);
      l.start().then(
        () => {
          if (listener !== l) return;
          backoff.reset();
          showLink();
        },
        (err: unknown) => {
          if (listener !== l) return;
          listener = undefined;
          void l.close();
          if (closed || subscribers.size === 0) return;
          const delay = backoff.next();
          const e = toFieldlinkError(err);
          node.warn(`${e.message}; retrying in ${Math.round(delay / 1000)} s`);
          shared.set('waiting', `retrying in ${Math.max(1, Math.round(delay / 1000))} s`);
          retryTimer = setTimeout(() => {
            retryTimer = undefined;
            startListener();
          }, delay);
        },
      );
    }

    /** The link state when nothing is wrong: listening (with the bound address) or ready. */
    function showLink(): void {
      if (closed || !engine) return;
      if (requestError) return shared.set('error', requestError);
      const bound = listener?.address();
      if (bound) shared.set('connected', `listening ${bound.address}:${bound.port}`);
      else if (!retryTimer && !listener) shared.set('connected', 'ready');
    }

    async function stopListener(): Promise<void> {
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = undefined;
      const l = listener;
      listener = undefined;
      if (l) await l.close();
      showLink();
    }

    // ------------------------------------------------------------ API for the other nodes
    Object.defineProperty(node, 'shared', { value: shared });
    Object.defineProperty(node, 'controllers', { value: table });
    Object.defineProperty(node, 'listenAddress', { value: listen });
    Object.defineProperty(node, 'settings', { value: { bind, broadcast, listen, timeout } });
    node.engine = (): Uhppote => {
      if (closed || !engine) throw new NotConnectedError(closed ? 'uhppote network closed' : 'uhppote network could not start (see its log)');
      return engine;
    };
    node.listening = (): { address: string; port: number } | undefined => listener?.address();
    node.report = (err?: unknown): void => {
      if (closed) return;
      const e = err === undefined ? undefined : toFieldlinkError(err);
      if (e?.code === 'ENOTCONN' && e.operation !== 'listen') {
        requestError = e.message;
        showLink();
      } else if (!e && requestError) {
        requestError = undefined;
        showLink();
      }
    };
    node.resolve = (value: unknown): ControllerSpec => resolveController(value, table);
    node.subscribe = (subscriber: EventSubscriber): (() => void) => {
      subscribers.add(subscriber);
      startListener();
      return () => {
        subscribers.delete(subscriber);
        if (subscribers.size === 0) void stopListener();
      };
    };

    node.on('close', (_removed: boolean, done: () => void) => {
      closed = true;
      subscribers.clear();
      const e = engine;
      engine = undefined;
      Promise.allSettled([stopListener(), e?.close()]).then(() => done());
    });
  }

  RED.nodes.registerType('uhppote-network', UhppoteNetwork as unknown as Parameters<NodeAPI['nodes']['registerType']>[1]);

  /**
   * Discover for the editor: the deployed network's engine when `node` names one, otherwise a
   * short-lived engine with the editor's (maybe unsaved) bind, broadcast and timeout.
   */
  adminGet(RED, '/fieldlink/uhppote/discover', 'uhppote-network.read', async (query) => {
    const deployed = query.node ? (RED.nodes.getNode(query.node) as (Node & Partial<UhppoteNetworkNode>) | null) : null;
    if (deployed?.type === 'uhppote-network' && deployed.settings && deployed.engine) {
      const s = deployed.settings;
      const same = text(query.bind, s.bind) === s.bind && text(query.broadcast, s.broadcast) === s.broadcast;
      if (same) return (await deployed.engine().getControllers()).map(controllerJson);
    }
    const timeout = query.timeout === undefined || query.timeout === '' ? DEFAULTS.timeout : Number(query.timeout);
    if (!Number.isFinite(timeout) || timeout < 100 || timeout > 60000) throw new InvalidArgumentError('timeout must be 100..60000 ms');
    const temp = new Uhppote({ bind: text(query.bind, DEFAULTS.bind), broadcast: text(query.broadcast, DEFAULTS.broadcast), timeout });
    try {
      return (await temp.getControllers()).map(controllerJson);
    } finally {
      await temp.close();
    }
  });
};
