/**
 * `osdp-event`: one message per card read, key press (or collected PIN), status change,
 * online/offline change, manufacturer reply, Secure Channel change of the PDs of a bus, for one
 * PD or all of them. `msg.topic` is `osdp/<pd name>/<event>`.
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { StatusTarget, shorten, type SharedStatus } from '../common/status';
import { BrokenBus, OsdpBus } from './shared/bus';
import { pdIdToJson } from './shared/commands';
import { eventToMessage, type EventKind } from './shared/events';
import type { PdConfig } from './shared/pds';
import { PinCollector } from './shared/pin';
import type { OsdpBusNode } from './shared/types';

interface OsdpEventDef extends NodeDef {
  bus: string;
  pd: string | number;
  keys: string;
  pinLength: string | number;
  pinTimeout: string | number;
  card: boolean;
  keypad: boolean;
  status: boolean;
  online: boolean;
  mfg: boolean;
  secure: boolean;
  file: boolean;
}

const KINDS: EventKind[] = ['card', 'keypad', 'status', 'online', 'mfg', 'secure', 'file'];

export = function (RED: NodeAPI): void {
  function OsdpEvent(this: Node, def: OsdpEventDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const status = new StatusTarget(node);
    const busNode = RED.nodes.getNode(def.bus) as OsdpBusNode | null;
    const bus = busNode?.osdp;
    const wanted = new Set(KINDS.filter((k) => def[k] === true || (def[k] as unknown) === 'true'));
    let shared: SharedStatus | undefined;
    let unsubscribe: (() => void) | undefined;
    let pins: PinCollector | undefined;

    if (bus instanceof OsdpBus) {
      let only: PdConfig | undefined;
      const all = def.pd === '' || def.pd === undefined;
      if (!all) {
        try {
          only = bus.find(def.pd);
        } catch (err) {
          node.error(`OSDP event: ${(err as Error).message}`);
        }
      }
      shared = bus.statusFor(only);
      shared.attach(status);

      const emit = (pd: PdConfig, event: string, payload: Record<string, unknown>, summary: string, time: number): void => {
        payload.time = new Date(time).toISOString();
        node.send({ topic: `osdp/${pd.name}/${event}`, payload });
        status.flash({ fill: 'green', shape: 'dot', text: shorten(`${bus.pds.length > 1 && all ? pd.name + ': ' : ''}${summary}`) });
      };

      if (wanted.has('keypad') && def.keys === 'pin') {
        const length = Math.max(1, Math.min(32, Math.round(Number(def.pinLength) || 4)));
        const timeout = Math.max(1, Math.min(300, Number(def.pinTimeout) || 10)) * 1000;
        pins = new PinCollector(length, timeout, (r) => {
          const pd = bus.pds.find((p) => p.address === r.address);
          if (!pd) return;
          emit(pd, 'pin', { pd: pd.name, address: pd.address, event: 'pin', pin: r.pin, complete: r.complete }, `PIN ${'*'.repeat(r.pin.length)}`, Date.now());
        });
      }

      unsubscribe = bus.subscribe((pd, event, time, info) => {
        if (!all && pd !== only) return;
        const m = eventToMessage(pd, event);
        if (!m || !wanted.has(m.kind)) return;
        if (m.kind === 'keypad' && pins) {
          pins.keys(pd.address, String(m.payload.keys ?? ''));
          return;
        }
        if (m.event === 'online' && info?.id) m.payload.id = pdIdToJson(info.id);
        emit(pd, m.event, m.payload, m.summary, time);
      });
    } else if (bus instanceof BrokenBus) {
      shared = bus.status;
      shared.attach(status);
    } else {
      node.status({ fill: 'red', shape: 'ring', text: 'no bus configured' });
    }

    node.on('close', (_removed: boolean, done: () => void) => {
      unsubscribe?.();
      pins?.close();
      shared?.detach(status);
      status.close();
      done();
    });
  }

  RED.nodes.registerType('osdp-event', OsdpEvent as unknown as (this: Node, def: NodeDef) => void);
};
