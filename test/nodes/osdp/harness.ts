/**
 * Shared set-up of the OSDP node tests: the compiled nodes (dist/, so `npm run build` first), the
 * far side on an ephemeral TCP port of 127.0.0.1, and `call` that sends a message into a node and
 * resolves with what came out: the output message, or the message a Catch node received.
 */
import { EventEmitter } from 'node:events';

/** The parts of node-red-node-test-helper (no type declarations of its own) these tests use. */
export interface TestNode extends EventEmitter {
  receive(msg: Record<string, unknown>): void;
  status: (...args: unknown[]) => void;
  [key: string]: unknown;
}
interface Helper {
  init(nodeRedPath: string): void;
  load(nodes: unknown[], flow: unknown[], credentials?: Record<string, unknown>): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): TestNode;
  request(): { get(path: string): PromiseLike<{ status: number; body: unknown }> };
  _redNodes: { getFlows(): { flows: Record<string, unknown>[] }; getCredentialDefinition(type: string): Record<string, { type: string }> };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const helper = require('node-red-node-test-helper') as Helper;
helper.init(require.resolve('node-red'));

export const nodes: unknown[] = [
  /* eslint-disable @typescript-eslint/no-require-imports */
  require('../../../dist/nodes/osdp/osdp-bus.js'),
  require('../../../dist/nodes/osdp/osdp-command.js'),
  require('../../../dist/nodes/osdp/osdp-event.js'),
  require('../../../dist/nodes/osdp/osdp-pd.js'),
  /* eslint-enable @typescript-eslint/no-require-imports */
];

export { helper };

export type FlowNode = Record<string, unknown> & { id: string; type: string };
export type Msg = Record<string, unknown> & { payload?: unknown; topic?: string; error?: Record<string, unknown> };

/** The bus config node on 127.0.0.1:<port> with the given PDs. */
export function bus(port: number, pds: Record<string, unknown>[] = [{ address: 101, name: 'door' }], extra: Record<string, unknown> = {}): FlowNode {
  return {
    id: 'bus', type: 'osdp-bus', name: 'test bus', transport: 'tcp', host: '127.0.0.1', port, baudRate: 115200,
    pollInterval: 20, offlineBackoff: 0.2, pds, ...extra,
  };
}

/** A tab with the given nodes (wired to `out`), a Catch node (wired to `err`) and the helper nodes. */
export function flow(nodesOnTab: FlowNode[], configs: FlowNode[]): FlowNode[] {
  return [
    { id: 'tab', type: 'tab', label: 'osdp tests' },
    ...configs,
    ...nodesOnTab.map((n) => ({ z: 'tab', wires: [['out']], ...n })),
    { id: 'catcher', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['err']] },
    { id: 'out', type: 'helper', z: 'tab' },
    { id: 'err', type: 'helper', z: 'tab' },
  ];
}

export interface Outcome {
  ok?: Msg;
  caught?: Msg;
}

let seq = 0;

/** Sends `msg` into node `id` and resolves with the first output or caught error that carries it. */
export function call(id: string, msg: Msg = {}): Promise<Outcome> {
  const tag = `t${++seq}`;
  const out = helper.getNode('out');
  const err = helper.getNode('err');
  return new Promise((resolve) => {
    const onOut = (m: Msg): void => {
      // Progress messages (file transfer) carry the input's properties too: wait for the result.
      if (m._test !== tag || (m.payload as { progress?: unknown } | undefined)?.progress !== undefined) return;
      cleanup();
      resolve({ ok: m });
    };
    const onErr = (m: Msg): void => {
      if (m._test !== tag) return;
      cleanup();
      resolve({ caught: m });
    };
    const cleanup = (): void => {
      out.removeListener('input', onOut);
      err.removeListener('input', onErr);
    };
    out.on('input', onOut);
    err.on('input', onErr);
    helper.getNode(id).receive({ ...msg, _test: tag });
  });
}

export async function ok<T = Record<string, unknown>>(id: string, msg: Msg = {}): Promise<T> {
  const r = await call(id, msg);
  if (!r.ok) throw new Error(`${id}: expected a result, got error ${JSON.stringify(r.caught?._error ?? r.caught?.error)}`);
  return r.ok.payload as T;
}

/** The node's own msg.error (Node-RED's Catch path moves it to msg._error and sets its own msg.error with the same code). */
export function caughtError(caught: Msg): Record<string, unknown> {
  const runtime = caught.error as Record<string, unknown>;
  const ours = caught._error as Record<string, unknown>;
  if (!ours || !runtime) throw new Error(`caught message lacks msg.error/msg._error: ${JSON.stringify(caught)}`);
  if (runtime.code !== ours.code) throw new Error(`Catch msg.error.code ${String(runtime.code)} differs from ${String(ours.code)}`);
  return ours;
}

export async function fails(id: string, msg: Msg = {}): Promise<Record<string, unknown>> {
  const r = await call(id, msg);
  if (!r.caught) throw new Error(`${id}: expected an error, got ${JSON.stringify(r.ok?.payload)}`);
  return caughtError(r.caught);
}

/** The next message node `out` receives that satisfies `match`. */
export function nextOutput(match: (m: Msg) => boolean = () => true, what = 'an output message', limitMs = 10_000): Promise<Msg> {
  const out = helper.getNode('out');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      out.removeListener('input', on);
      reject(new Error(`gave up waiting for ${what}`));
    }, limitMs);
    const on = (m: Msg): void => {
      if (!match(m)) return;
      clearTimeout(timer);
      out.removeListener('input', on);
      resolve(m);
    };
    out.on('input', on);
  });
}

/** Resolves when `check` returns a truthy value (polled), for state that changes without a message. */
export async function until<T>(check: () => T | undefined | false, what: string, limitMs = 10_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() - start > limitMs) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Records every status a node shows (the test helper makes node.status observable). */
export function statusLog(id: string): { texts: string[]; last(): Record<string, unknown> | undefined; stop(): void } {
  const n = helper.getNode(id);
  const seen: Record<string, unknown>[] = [];
  const on = (call: { args: unknown[] }): void => {
    seen.push(call.args[0] as Record<string, unknown>);
  };
  n.on('call:status', on);
  return {
    get texts() {
      return seen.map((s) => String(s.text ?? ''));
    },
    last: () => seen[seen.length - 1],
    stop: () => n.removeListener('call:status', on),
  };
}

/** Counts of the process's open handles by kind (TCPSocketWrap, TCPServerWrap, Timeout...). */
export function handles(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) out[kind] = (out[kind] ?? 0) + 1;
  return out;
}
