/**
 * What every protocol's node tests share: node-red-node-test-helper (initialised once), the compiled
 * nodes of a protocol (dist/, so `npm run build` first), a test tab with a Catch node and helper
 * nodes, `call` (and `ok`/`fails`) that sends a message into a node and resolves with what came out
 * (the output message, or the message the Catch node received), waiting for messages, state and
 * status, a per-test user directory, and the process's open handles.
 * Each protocol's `harness.ts` re-exports this and adds its config node and its far side.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { NodeStatus } from 'node-red';

/** The parts of a node these tests use (the test helper makes `status` a sinon spy). */
export interface TestNode {
  receive(msg: Record<string, unknown>): void;
  on(event: string, fn: (...args: never[]) => void): void;
  removeListener(event: string, fn: (...args: never[]) => void): void;
  status: ((...args: unknown[]) => void) & { getCalls(): Array<{ thisValue: unknown; args: unknown[] }> };
  [key: string]: unknown;
}

type Response = { status: number; body: unknown };

/** The parts of node-red-node-test-helper (no type declarations of its own) these tests use. */
interface Helper {
  init(nodeRedPath: string): void;
  settings(s: Record<string, unknown>): void;
  load(nodes: unknown[], flow: unknown[], credentials?: Record<string, unknown>): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): TestNode;
  startServer(): Promise<void>;
  stopServer(): Promise<void>;
  request(): { get(path: string): PromiseLike<Response> & { query(q: Record<string, string>): PromiseLike<Response> } };
  _redNodes: { getFlows(): { flows: Record<string, unknown>[] }; getCredentialDefinition(type: string): Record<string, { type: string }> };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const helper = require('node-red-node-test-helper') as Helper;
helper.init(require.resolve('node-red'));
export { helper };

/** The compiled node modules `dist/nodes/<protocol>/<type>.js`, for `helper.load`. */
export function protocolNodes(protocol: string, types: string[]): unknown[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return types.map((t) => require(path.join(__dirname, '..', '..', 'dist', 'nodes', protocol, `${t}.js`)));
}

export type FlowNode = Record<string, unknown> & { id: string; type: string };
export type Msg = Record<string, unknown> & { payload?: unknown; topic?: string; error?: Record<string, unknown> };

/**
 * A tab with the config nodes, the given nodes (on the tab, wired to the helper `out`, with
 * `defaults(n)` under their own properties), a Catch node wired to the helper `err`, and the
 * helper nodes `helpers`.
 */
export function testTab(
  label: string,
  configs: FlowNode[],
  nodesOnTab: FlowNode[],
  options: { defaults?: (n: FlowNode) => Record<string, unknown>; helpers?: string[] } = {},
): FlowNode[] {
  return [
    { id: 'tab', type: 'tab', label },
    ...configs,
    ...nodesOnTab.map((n) => ({ z: 'tab', wires: [['out']], ...options.defaults?.(n), ...n })),
    { id: 'catcher', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['err']] },
    ...(options.helpers ?? ['out', 'err']).map((id) => ({ id, type: 'helper', z: 'tab' })),
  ];
}

/**
 * Gives every node on a tab a position: the runtime treats tab nodes without x/y as config
 * nodes, which would start them in the wrong way.
 */
export function placed(flowNodes: FlowNode[]): FlowNode[] {
  return flowNodes.map((n, i) => (n.z ? { x: 100, y: 40 * (i + 1), ...n } : n));
}

export interface Outcome {
  /** The message sent on, when the operation succeeded. */
  ok?: Msg;
  /** The message a Catch node got, when it failed. */
  caught?: Msg;
}

export interface CallOptions {
  /** Messages on `out` that carry the input's properties but are not the result (progress reports): skipped. */
  skip?: (m: Msg) => boolean;
  /** A helper node that gets the node's progress messages (a second output), and what to do with each. */
  progress?: { node: string; on?: (m: Msg) => void };
}

let seq = 0;

/** Sends `msg` into node `id` and resolves with the first output on `out` or Catch message that carries it. */
export function call(id: string, msg: Msg = {}, options: CallOptions = {}): Promise<Outcome> {
  const tag = `t${++seq}`;
  const out = helper.getNode('out');
  const err = helper.getNode('err');
  const progress = options.progress && helper.getNode(options.progress.node);
  return new Promise((resolve) => {
    const onOut = (m: Msg): void => {
      if (m._test !== tag || options.skip?.(m)) return;
      cleanup();
      resolve({ ok: m });
    };
    const onErr = (m: Msg): void => {
      if (m._test !== tag) return;
      cleanup();
      resolve({ caught: m });
    };
    const onProgress = (m: Msg): void => {
      if (m._test === tag) options.progress?.on?.(m);
    };
    const cleanup = (): void => {
      out.removeListener('input', onOut);
      err.removeListener('input', onErr);
      progress?.removeListener('input', onProgress);
    };
    out.on('input', onOut);
    err.on('input', onErr);
    progress?.on('input', onProgress);
    helper.getNode(id).receive({ ...msg, _test: tag });
  });
}

/** Like call, but fails the test unless the operation succeeded; resolves with msg.payload. */
export async function ok<T = Record<string, unknown>>(id: string, msg: Msg = {}, options: CallOptions = {}): Promise<T> {
  const r = await call(id, msg, options);
  if (!r.ok) throw new Error(`${id}: expected a result, got error ${JSON.stringify(r.caught?._error ?? r.caught?.error)}`);
  return r.ok.payload as T;
}

/**
 * The error a Catch node received. Node-RED's Catch path puts its own `msg.error` ({ message,
 * source, code, stack }) on the message and moves the node's `msg.error` ({ name, code, message,
 * device, operation }) to `msg._error`; both must carry the code.
 */
export function caughtError(caught: Msg): Record<string, unknown> {
  const runtime = caught.error as Record<string, unknown>;
  const ours = caught._error as Record<string, unknown>;
  if (!ours || !runtime) throw new Error(`caught message lacks msg.error/msg._error: ${JSON.stringify(caught)}`);
  if (runtime.code !== ours.code) throw new Error(`Catch msg.error.code ${String(runtime.code)} differs from ${String(ours.code)}`);
  return ours;
}

/** Like call, but fails the test unless the message went to the Catch node; resolves with that message. */
export async function caught(id: string, msg: Msg = {}, options: CallOptions = {}): Promise<Msg> {
  const r = await call(id, msg, options);
  if (!r.caught) throw new Error(`${id}: expected an error, got ${JSON.stringify(r.ok?.payload)}`);
  return r.caught;
}

/** Like call, but fails the test unless the operation failed; resolves with the node's msg.error (see caughtError). */
export async function fails(id: string, msg: Msg = {}, options: CallOptions = {}): Promise<Record<string, unknown>> {
  return caughtError(await caught(id, msg, options));
}

/** The next message helper node `id` receives that satisfies `match`. */
export function nextMessage(id: string, match: (m: Msg) => boolean = () => true, what = `a message at ${id}`, limitMs = 10_000): Promise<Msg> {
  const node = helper.getNode(id);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      node.removeListener('input', on);
      reject(new Error(`gave up waiting for ${what}`));
    }, limitMs);
    const on = (m: Msg): void => {
      if (!match(m)) return;
      clearTimeout(timer);
      node.removeListener('input', on);
      resolve(m);
    };
    node.on('input', on);
  });
}

/** The next message the helper `out` receives that satisfies `match`. */
export function nextOutput(match: (m: Msg) => boolean = () => true, what = 'an output message', limitMs = 10_000): Promise<Msg> {
  return nextMessage('out', match, what, limitMs);
}

/** Collects every message arriving at helper node `id` from now on. */
export function collect(id: string): { messages: Msg[]; stop(): void } {
  const messages: Msg[] = [];
  const node = helper.getNode(id);
  const fn = (m: Msg): void => void messages.push(m);
  node.on('input', fn);
  return { messages, stop: () => node.removeListener('input', fn) };
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

/** Records every status a node shows from now on (the test helper makes node.status observable). */
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

/**
 * A fresh Node-RED user directory for each test of the calling suite (key stores and the like go
 * there), handed to the test helper before each test; `remove()` it after each test, once the flow
 * is unloaded. After the suite the helper is left without one: it is shared by every node test file.
 */
export function userDirPerTest(prefix: string): { readonly path: string; remove(): void } {
  let dir = '';
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    helper.settings({ userDir: dir });
  });
  after(() => {
    helper.settings({ userDir: undefined });
  });
  return {
    get path() {
      return dir;
    },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** Counts of the process's open handles by kind (TCPSocketWrap, TCPServerWrap, UDPWrap, Timeout...). */
export function handles(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) out[kind] = (out[kind] ?? 0) + 1;
  return out;
}
