/**
 * Shared set-up of the UHPPOTE node tests: the compiled nodes (dist/, so `npm run build` first),
 * the simulator on an ephemeral port, and a `call` that sends a message into a node and resolves
 * with what came out: the output message, or the message a Catch node received.
 */
import { UhppoteSimulator } from '../../../lib/uhppote';

/** The parts of node-red-node-test-helper (no type declarations of its own) these tests use. */
export interface TestNode {
  receive(msg: Record<string, unknown>): void;
  on(event: string, fn: (...args: never[]) => void): void;
  removeListener(event: string, fn: (...args: never[]) => void): void;
  [key: string]: unknown;
}
interface Helper {
  init(nodeRedPath: string): void;
  load(nodes: unknown[], flow: unknown[], credentials?: Record<string, unknown>): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): TestNode;
  startServer(): Promise<void>;
  stopServer(): Promise<void>;
  request(): { get(path: string): PromiseLike<{ status: number; body: unknown }> & { query(q: Record<string, string>): PromiseLike<{ status: number; body: unknown }> } };
}

const helper = require('node-red-node-test-helper') as Helper;
helper.init(require.resolve('node-red'));

export const nodes: unknown[] = [
  require('../../../dist/nodes/uhppote/uhppote-network.js'),
  require('../../../dist/nodes/uhppote/uhppote-controller.js'),
  require('../../../dist/nodes/uhppote/uhppote-door.js'),
  require('../../../dist/nodes/uhppote/uhppote-card.js'),
  require('../../../dist/nodes/uhppote/uhppote-event.js'),
  require('../../../dist/nodes/uhppote/uhppote-schedule.js'),
  require('../../../dist/nodes/uhppote/uhppote-events.js'),
];

export { helper };

export const FRONT = 405419896;
export const WAREHOUSE = 303986753;

export type FlowNode = Record<string, unknown> & { id: string; type: string };
export type Msg = Record<string, unknown> & { payload?: unknown; error?: Record<string, unknown> };

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
 * Gives every node on a tab a position: the runtime treats tab nodes without x/y as config
 * nodes, which would start them in the wrong way.
 */
export function placed(flowNodes: FlowNode[]): FlowNode[] {
  return flowNodes.map((n, i) => (n.z ? { x: 100, y: 40 * (i + 1), ...n } : n));
}

/** A tab with the network, the given nodes (wired to `out`), a Catch node (wired to `err`) and the two helpers. */
export function flow(port: number, actionNodes: FlowNode[], netExtra: Record<string, unknown> = {}): FlowNode[] {
  return placed([
    { id: 'tab', type: 'tab', label: 'uhppote tests' },
    network(port, netExtra),
    ...actionNodes.map((n) => ({ z: 'tab', wires: [['out']], ...n })),
    { id: 'catcher', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['err']] },
    { id: 'out', type: 'helper', z: 'tab' },
    { id: 'err', type: 'helper', z: 'tab' },
  ]);
}

export interface Outcome {
  /** The message sent on, when the operation succeeded. */
  ok?: Msg;
  /** The message a Catch node got, when it failed. */
  caught?: Msg;
}

let seq = 0;

/** Sends `msg` into node `id` and resolves with the first output or caught error that carries it. */
export function call(id: string, msg: Msg): Promise<Outcome> {
  const tag = `t${++seq}`;
  const out = helper.getNode('out');
  const err = helper.getNode('err');
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
    const cleanup = (): void => {
      out.removeListener('input', onOut);
      err.removeListener('input', onErr);
    };
    out.on('input', onOut);
    err.on('input', onErr);
    helper.getNode(id).receive({ ...msg, _test: tag });
  });
}

/** Like call, but fails the test unless the operation succeeded; resolves with msg.payload. */
export async function ok<T = Record<string, unknown>>(id: string, msg: Msg = {}): Promise<T> {
  const r = await call(id, msg);
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

/** Like call, but fails the test unless the operation failed; resolves with the node's msg.error. */
export async function fails(id: string, msg: Msg = {}): Promise<Record<string, unknown>> {
  const r = await call(id, msg);
  if (!r.caught) throw new Error(`${id}: expected an error, got ${JSON.stringify(r.ok?.payload)}`);
  return caughtError(r.caught);
}

/** Resolves when `check` returns a value (polled every few ms), for state that changes without a message. */
export async function until<T>(check: () => T | undefined | false, what: string, limitMs = 5000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() - start > limitMs) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Counts of the process's open handles by kind (UDPWrap, TCPWrap, Timeout...). */
export function handles(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) out[kind] = (out[kind] ?? 0) + 1;
  return out;
}
