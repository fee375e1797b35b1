/**
 * Shared set-up of the SPEC node tests: the compiled nodes (dist/, so `npm run build` first), the
 * SPEC simulator on an ephemeral 127.0.0.1 port, a flow builder, and helpers that send a message
 * into a node and resolve with what came out (an output, or what a Catch node received) or wait
 * for a node's status.
 */
import type { NodeStatus } from 'node-red';
import { startSimulator, type SpecSimulator, type SpecSimulatorOptions } from '../../../lib/spec/simulator';

/** The parts of node-red-node-test-helper (no type declarations of its own) these tests use. */
export interface TestNode {
  receive(msg: Record<string, unknown>): void;
  on(event: string, fn: (...args: never[]) => void): void;
  removeListener(event: string, fn: (...args: never[]) => void): void;
  status: { getCalls(): Array<{ thisValue: unknown; args: unknown[] }> };
  [key: string]: unknown;
}
interface Helper {
  init(nodeRedPath: string): void;
  load(nodes: unknown[], flow: unknown[], credentials?: Record<string, unknown>): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): TestNode;
  startServer(): Promise<void>;
  stopServer(): Promise<void>;
  request(): { get(path: string): { query(q: Record<string, string>): PromiseLike<{ status: number; body: unknown }> } };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const helper = require('node-red-node-test-helper') as Helper;
helper.init(require.resolve('node-red'));
export { helper };

export const nodes: unknown[] = ['spec-server', 'spec-command', 'spec-read', 'spec-write', 'spec-watch', 'spec-motor', 'spec-count'].map(
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (t) => require(`../../../dist/nodes/spec/${t}.js`),
);

export type FlowNode = Record<string, unknown> & { id: string; type: string };
export type Msg = Record<string, unknown> & { payload?: unknown; error?: Record<string, unknown> };

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
  return [
    { id: 'tab', type: 'tab', label: 'spec tests' },
    server(port, serverExtra),
    ...actionNodes.map((n) => ({ z: 'tab', server: 'srv', wires: n.type === 'spec-motor' ? [['progress'], ['out']] : [['out']], ...n })),
    { id: 'catcher', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['err']] },
    { id: 'out', type: 'helper', z: 'tab' },
    { id: 'progress', type: 'helper', z: 'tab' },
    { id: 'err', type: 'helper', z: 'tab' },
  ];
}

export interface Outcome {
  ok?: Msg;
  caught?: Msg;
}

let seq = 0;

/** Sends `msg` into node `id`; resolves with the first output on `out` or Catch message that carries it. */
export function call(id: string, msg: Msg = {}, onProgress?: (m: Msg) => void): Promise<Outcome> {
  const tag = `t${++seq}`;
  const out = helper.getNode('out');
  const err = helper.getNode('err');
  const progress = helper.getNode('progress');
  return new Promise((resolve) => {
    const onOut = (m: Msg): void => {
      if (m._test !== tag) return;
      cleanup();
      resolve({ ok: m });
    };
    const onErr = (m: Msg): void => {
      if (m._test !== tag) return;
      cleanup();
      resolve({ caught: m });
    };
    const onProg = (m: Msg): void => {
      if (m._test === tag) onProgress?.(m);
    };
    const cleanup = (): void => {
      out.removeListener('input', onOut);
      err.removeListener('input', onErr);
      progress.removeListener('input', onProg);
    };
    out.on('input', onOut);
    err.on('input', onErr);
    progress.on('input', onProg);
    helper.getNode(id).receive({ ...msg, _test: tag });
  });
}

/** Fails unless the message produced an output; resolves with that message. */
export async function ok(id: string, msg: Msg = {}, onProgress?: (m: Msg) => void): Promise<Msg> {
  const r = await call(id, msg, onProgress);
  if (!r.ok) throw new Error(`${id}: expected a result, got error ${JSON.stringify(r.caught?.error)}`);
  return r.ok;
}

/** Fails unless the message went to the Catch node; resolves with msg.error. */
export async function fails(id: string, msg: Msg = {}): Promise<Record<string, unknown>> {
  const r = await call(id, msg);
  if (!r.caught) throw new Error(`${id}: expected an error, got ${JSON.stringify(r.ok?.payload)}`);
  assert(r.caught.error, `${id}: the caught message carries msg.error`);
  return r.caught.error as Record<string, unknown>;
}

function assert(v: unknown, what: string): void {
  if (!v) throw new Error(what);
}

/** Resolves when `check` returns a truthy value (checked every few ms), for state that changes without a message. */
export async function until<T>(check: () => T | undefined | false | null, what: string, limitMs = 10_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() - start > limitMs) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The last status node `id` showed. */
export function lastStatus(id: string): NodeStatus | undefined {
  const node = helper.getNode(id);
  const calls = node.status.getCalls().filter((c) => c.thisValue === node);
  return calls.length ? (calls[calls.length - 1].args[0] as NodeStatus) : undefined;
}

/** Waits until node `id` shows a status whose text matches. */
export function statusMatching(id: string, text: RegExp, fill?: string): Promise<NodeStatus> {
  return until(() => {
    const s = lastStatus(id);
    return s && typeof s.text === 'string' && text.test(s.text) && (!fill || s.fill === fill) ? s : undefined;
  }, `status of ${id} matching ${text}`);
}

/** Collects every message arriving at helper node `id` from now on. */
export function collect(id: string): { messages: Msg[]; stop(): void } {
  const messages: Msg[] = [];
  const node = helper.getNode(id);
  const fn = (m: Msg): void => void messages.push(m);
  node.on('input', fn);
  return { messages, stop: () => node.removeListener('input', fn) };
}

/** Counts of the process's open handles by kind (TCPWrap, Timeout...). */
export function handles(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) out[kind] = (out[kind] ?? 0) + 1;
  return out;
}
