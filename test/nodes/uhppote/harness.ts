/**
 * Shared set-up of the UHPPOTE node tests: the generic node-test harness (../harness), the
 * simulator on an ephemeral port with two controllers, the network config node, and a factory of
 * action nodes on that network.
 */
import { UhppoteSimulator } from '../../../lib/uhppote';
import * as common from '../harness';
import type { FlowNode, TestNode } from '../harness';

export * from '../harness';

export const nodes = common.protocolNodes('uhppote', [
  'uhppote-network', 'uhppote-controller', 'uhppote-door', 'uhppote-card', 'uhppote-event', 'uhppote-schedule', 'uhppote-events',
]);

export const FRONT = 405419896;
export const WAREHOUSE = 303986753;

/** The network config node as the tests see it: its events listener and the link state it shares. */
export interface NetworkNode extends TestNode {
  listening(): { address: string; port: number } | undefined;
  shared: { status: { text?: string; fill?: string } };
}

export async function startSim(): Promise<{ sim: UhppoteSimulator; port: number }> {
  const sim = new UhppoteSimulator({ host: '127.0.0.1', port: 0, controllers: [FRONT, WAREHOUSE] });
  const { port } = await sim.start();
  return { sim, port };
}

/** The network config node: 405419896 "front door" by broadcast (UDP), 303986753 "warehouse" by TCP. */
export function network(port: number, extra: Record<string, unknown> = {}): FlowNode {
  return {
    id: 'net',
    type: 'uhppote-network',
    name: 'test network',
    bind: '127.0.0.1',
    broadcast: `127.0.0.1:${port}`,
    listen: '127.0.0.1:0',
    timeout: 500,
    debug: false,
    controllers: [
      { serial: FRONT, name: 'front door', protocol: 'udp' },
      { serial: WAREHOUSE, name: 'warehouse', address: `127.0.0.1:${port}`, protocol: 'tcp' },
    ],
    ...extra,
  };
}

/**
 * Makes nodes of an action type on the network `net`, addressed to "front door" by name unless
 * `defaults` say otherwise: `(id, operation, extra)`.
 */
export function actionNode(type: string, defaults: Record<string, unknown> = {}): (id: string, operation: string, extra?: Record<string, unknown>) => FlowNode {
  return (id, operation, extra = {}) => ({ id, type, network: 'net', operation, controller: 'front door', controllerType: 'name', ...defaults, ...extra });
}

/** A tab with the network, the given nodes (wired to `out`), a Catch node (wired to `err`) and the two helpers. */
export function flow(port: number, actionNodes: FlowNode[], netExtra: Record<string, unknown> = {}): FlowNode[] {
  return common.placed(common.testTab('uhppote tests', [network(port, netExtra)], actionNodes));
}

/** Resolves when `check` returns a value (polled every few ms), for state that changes without a message. */
export function until<T>(check: () => T | undefined | false | null, what: string, limitMs = 5000): Promise<T> {
  return common.until(check, what, limitMs);
}
