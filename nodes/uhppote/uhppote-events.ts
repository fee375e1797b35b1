/**
 * uhppote-events: every event a controller sends to the network's listener as a message,
 * `msg.topic` `uhppote/<serial>/<event type>`, with readable reason text; filters by controller,
 * event type and access result; optionally the periodic status packets too.
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { toFieldlinkError } from '../../lib/common/errors';
import type { ControllerEvent } from '../../lib/uhppote';
import { StatusTarget, shorten } from '../common/status';
import { serialsOf } from './support/controllers';
import type { UhppoteNetworkNode } from './support/network';
import { doorsJson, joinDateTime, statusEventJson, statusJson } from './support/results';

interface EventsDef extends NodeDef {
  network?: string;
  controllers?: string;
  types?: string;
  access?: string;
  status?: boolean;
}

const EVENT_TYPES = ['swipe', 'door', 'alarm', 'other'] as const;

/** The topic word for an event type: swipe, door, alarm, overwritten, none, or unknown. */
function topicWord(typeText: string): string {
  return /^[a-z]+$/.test(typeText) ? typeText : 'unknown';
}

function typeGroup(typeText: string): string {
  return typeText === 'swipe' || typeText === 'door' || typeText === 'alarm' ? typeText : 'other';
}

export = function (RED: NodeAPI): void {
  function UhppoteEvents(this: Node, config: EventsDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const status = new StatusTarget(node);
    const network = RED.nodes.getNode(String(config.network ?? '')) as UhppoteNetworkNode | null;
    if (!network) {
      status.hold({ fill: 'red', shape: 'ring', text: 'no network configured' });
      return;
    }
    network.shared.attach(status);

    let serials: Set<number>;
    try {
      serials = serialsOf(config.controllers ?? '', network.controllers);
    } catch (err) {
      const e = toFieldlinkError(err);
      node.error(`controller filter: ${e.message}`);
      status.hold({ fill: 'red', shape: 'ring', text: shorten(`filter: ${e.message}`) });
      node.on('close', (_removed: boolean, done: () => void) => {
        status.close();
        network.shared.detach(status);
        done();
      });
      return;
    }
    const chosen = String(config.types ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const types = new Set(chosen.length ? chosen : EVENT_TYPES);
    const access = config.access === 'granted' || config.access === 'denied' ? config.access : 'all';

    const wanted = (e: ControllerEvent): boolean => serials.size === 0 || serials.has(e.controller);

    const unsubscribe = network.subscribe({
      event(e) {
        if (!wanted(e)) return;
        const event = statusEventJson(e);
        if (!event) return;
        if (!types.has(typeGroup(event.type))) return;
        if (access === 'granted' && !event.accessGranted) return;
        if (access === 'denied' && (event.accessGranted || event.type !== 'swipe')) return;
        const payload = { ...event, doors: doorsJson(e), datetime: joinDateTime(e.systemDate, e.systemTime) };
        node.send({ topic: `uhppote/${e.controller}/${topicWord(event.type)}`, payload });
        const what = event.type === 'swipe' ? `${event.card} ${event.accessGranted ? 'granted' : 'denied'}` : event.reason;
        status.flash({ fill: 'green', shape: 'dot', text: shorten(`${e.controller} ${event.type}: ${what}`) });
      },
      status: config.status
        ? (e) => {
            if (!wanted(e)) return;
            node.send({ topic: `uhppote/${e.controller}/status`, payload: statusJson(e) });
          }
        : undefined,
      error(err) {
        const e = toFieldlinkError(err, { operation: 'listen' });
        status.flash({ fill: 'red', shape: 'ring', text: shorten(e.message) });
        node.error(e, { topic: 'uhppote/listener/error', payload: null, error: e.toJSON() } as never);
      },
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      unsubscribe();
      status.close();
      network.shared.detach(status);
      done();
    });
  }

  RED.nodes.registerType('uhppote-events', UhppoteEvents as unknown as Parameters<NodeAPI['nodes']['registerType']>[1]);
};
