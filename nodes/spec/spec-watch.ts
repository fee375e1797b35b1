/**
 * `spec-watch`: registers a SPEC property and sends a message for each change (msg.topic
 * `spec/<SPEC name>/<property>`). The client registers it again after every reconnect; the value
 * seen at a reconnection is sent only when it differs from the last one sent.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { SpecError, toPlain, type SpecEvent, type SpecWatch } from '../../lib/spec';
import { shorten } from '../common/status';
import { checkProperty, describeValue } from './plain';
import { attachServer } from './shared';

interface SpecWatchDef extends NodeDef {
  server: string;
  property: string;
  initial: boolean | string;
}

/** Properties SPEC reports on change only (no current value at registration). */
function changesOnly(property: string): boolean {
  return property === 'error' || property.startsWith('output/');
}

export = function (RED: NodeAPI): void {
  function SpecWatchNode(this: Node, def: SpecWatchDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const { server, status } = attachServer(RED, node, def.server);
    if (!server) return;
    let property: string;
    try {
      property = checkProperty(def.property);
    } catch (err) {
      node.error((err as Error).message);
      status.hold({ fill: 'red', shape: 'ring', text: 'no valid property' });
      return;
    }
    const sendInitial = def.initial === undefined || def.initial === true || def.initial === 'true';
    const client = server.client;
    let sentAny = false;
    let last: unknown;
    // The first event after registering (at start or after a reconnect) carries the current value.
    let registering = !changesOnly(property);

    const onConnected = (): void => {
      if (!changesOnly(property)) registering = true;
    };
    client.on('connected', onConnected);

    const onEvent = (ev: SpecEvent): void => {
      if (ev.error !== undefined) {
        // SPEC reports an error for the property (e.g. no such motor): status and Catch, no value.
        registering = false;
        const err = new SpecError(`${property}: ${ev.error || 'error'}`, 0, { device: client.device, operation: 'watch' });
        status.hold({ fill: 'red', shape: 'ring', text: shorten(err.message) });
        node.error(err, { topic: server.topic(property), property, payload: null, error: err.toJSON() });
        return;
      }
      const value = toPlain(ev.value);
      const first = registering;
      registering = false;
      if (first) {
        if (!sentAny && !sendInitial) {
          last = value;
          sentAny = true;
          return;
        }
        if (sentAny && isDeepStrictEqual(value, last)) return;
      }
      last = value;
      sentAny = true;
      const msg: Record<string, unknown> = { topic: server.topic(property), payload: value, property };
      if (Number.isFinite(ev.time) && ev.time > 0) msg.time = new Date(ev.time).toISOString();
      if (ev.deleted) msg.deleted = true;
      status.flash({ fill: 'green', shape: 'dot', text: describeValue(value) });
      node.send(msg);
    };
    const watch: SpecWatch = client.watch(property, onEvent);
    // Already registered by another watcher (a second node, a move): SPEC sends no new initial EVENT,
    // so the latest value the client has is the value at start.
    if (watch.last && registering) onEvent(watch.last);

    node.on('close', (_removed: boolean, done: () => void) => {
      client.off('connected', onConnected);
      watch.close();
      done();
    });
  }

  RED.nodes.registerType('spec-watch', SpecWatchNode as unknown as (this: Node, def: NodeDef) => void);
};
