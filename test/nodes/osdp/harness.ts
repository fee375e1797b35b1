/**
 * Shared set-up of the OSDP node tests: the generic node-test harness (../harness) and the bus
 * config node on an ephemeral TCP port of 127.0.0.1 (the far side is ./reader). `call`, `ok` and
 * `fails` wait past the progress messages a file transfer sends for the result.
 */
import * as common from '../harness';
import type { CallOptions, FlowNode, Msg, Outcome } from '../harness';

export * from '../harness';

export const nodes = common.protocolNodes('osdp', ['osdp-bus', 'osdp-command', 'osdp-event', 'osdp-pd']);

/** The bus config node on 127.0.0.1:<port> with the given PDs. */
export function bus(port: number, pds: Record<string, unknown>[] = [{ address: 101, name: 'door' }], extra: Record<string, unknown> = {}): FlowNode {
  return {
    id: 'bus', type: 'osdp-bus', name: 'test bus', transport: 'tcp', host: '127.0.0.1', port, baudRate: 115200,
    pollInterval: 20, offlineBackoff: 0.2, pds, ...extra,
  };
}

/** A tab with the given nodes (wired to `out`), a Catch node (wired to `err`) and the helper nodes. */
export function flow(nodesOnTab: FlowNode[], configs: FlowNode[]): FlowNode[] {
  return common.testTab('osdp tests', configs, nodesOnTab);
}

// Progress messages (file transfer) carry the input's properties too: wait for the result.
const options: CallOptions = { skip: (m) => (m.payload as { progress?: unknown } | undefined)?.progress !== undefined };

/** Sends `msg` into node `id` and resolves with the first output (not a progress message) or caught error that carries it. */
export function call(id: string, msg: Msg = {}): Promise<Outcome> {
  return common.call(id, msg, options);
}

export function ok<T = Record<string, unknown>>(id: string, msg: Msg = {}): Promise<T> {
  return common.ok<T>(id, msg, options);
}

export function fails(id: string, msg: Msg = {}): Promise<Record<string, unknown>> {
  return common.fails(id, msg, options);
}
