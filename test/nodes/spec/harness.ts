/**
 * Shared set-up of the SPEC node tests: the generic node-test harness (../harness), the SPEC
 * simulator on an ephemeral 127.0.0.1 port, and the spec-server config node. spec-motor's first
 * output goes to the helper `progress`; `ok` resolves with the whole output message and `fails`
 * with the msg.error the Catch node got.
 */
import { startSimulator, type SpecSimulator, type SpecSimulatorOptions } from '../../../lib/spec/simulator';
import * as common from '../harness';
import type { FlowNode, Msg, Outcome } from '../harness';

export * from '../harness';

export const nodes = common.protocolNodes('spec', ['spec-server', 'spec-command', 'spec-read', 'spec-write', 'spec-watch', 'spec-motor', 'spec-count']);

/** A simulator on an ephemeral port; motors fast enough for short tests unless told otherwise. */
export function startSim(options: SpecSimulatorOptions = {}): Promise<SpecSimulator> {
  return startSimulator({ host: '127.0.0.1', port: 0, name: 'fourc', motorSpeed: 50, ...options });
}

/** The spec-server config node for a simulator port. */
export function server(port: number | string, extra: Record<string, unknown> = {}): FlowNode {
  return { id: 'srv', type: 'spec-server', name: '', host: '127.0.0.1', port: String(port), specName: 'fourc', timeout: 2, reconnect: true, ...extra };
}

/**
 * A tab with the server, the given nodes (one output wired to `out`; two outputs to `progress`
 * and `out`), a Catch node wired to `err`, and the helper nodes.
 */
export function flow(port: number | string, actionNodes: FlowNode[], serverExtra: Record<string, unknown> = {}): FlowNode[] {
  return common.testTab('spec tests', [server(port, serverExtra)], actionNodes, {
    defaults: (n) => ({ server: 'srv', wires: n.type === 'spec-motor' ? [['progress'], ['out']] : [['out']] }),
    helpers: ['out', 'progress', 'err'],
  });
}

/** Sends `msg` into node `id`; resolves with the first output on `out` or Catch message that carries it. */
export function call(id: string, msg: Msg = {}, onProgress?: (m: Msg) => void): Promise<Outcome> {
  return common.call(id, msg, { progress: { node: 'progress', on: onProgress } });
}

/** Fails unless the message produced an output; resolves with that message. */
export async function ok(id: string, msg: Msg = {}, onProgress?: (m: Msg) => void): Promise<Msg> {
  const r = await call(id, msg, onProgress);
  if (!r.ok) throw new Error(`${id}: expected a result, got error ${JSON.stringify(r.caught?.error)}`);
  return r.ok;
}

/** Fails unless the message went to the Catch node; resolves with msg.error. */
export async function fails(id: string, msg: Msg = {}): Promise<Record<string, unknown>> {
  const caught = await common.caught(id, msg, { progress: { node: 'progress' } });
  if (!caught.error) throw new Error(`${id}: the caught message carries msg.error`);
  return caught.error;
}
