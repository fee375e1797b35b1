/**
 * The shape every UHPPOTE action node shares: a network, an operation chosen in the editor (or
 * `msg.operation`), editor fields as defaults with `msg.payload` fields on top, typedInput values
 * from msg/flow/global/env, one engine call, the result in `msg.payload`, errors to Catch.
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { FieldlinkError, InvalidArgumentError, NotConnectedError, toFieldlinkError } from '../../../lib/common/errors';
import { onInput, withOverrides, type Msg } from '../../common/input';
import { StatusTarget } from '../../common/status';
import type { Uhppote, ControllerSpec } from '../../../lib/uhppote';
import type { UhppoteNetworkNode } from './network';

/** What an operation gets: the merged inputs and the network. */
export interface OperationContext {
  /** Editor values with msg.payload fields on top, typedInputs evaluated. */
  args: Record<string, unknown>;
  engine: Uhppote;
  network: UhppoteNetworkNode;
  /** The controller the inputs name (throws InvalidArgumentError when missing or unknown). */
  controller(): ControllerSpec;
  msg: Msg;
}

export interface Operation {
  /** Runs the operation; the value becomes msg.payload. */
  run(ctx: OperationContext): Promise<unknown>;
  /** Short status text for a result. */
  describe?(result: unknown, args: Record<string, unknown>): string;
}

export type OperationTable = Record<string, Operation>;

/** Node properties that are not operation inputs. */
const RESERVED = new Set(['id', 'type', 'z', 'g', 'name', 'network', 'operation', 'x', 'y', 'wires', '_users', 'd', 'info']);

/** typedInput types whose value is taken as written (custom types included). */
const LITERAL_TYPES: Record<string, (value: string) => unknown> = {
  str: (v) => v,
  num: (v) => v,
  name: (v) => v,
  bool: (v) => v === 'true',
  json: (v) => JSON.parse(v),
  now: () => 'now',
  none: () => 0,
  always: () => 1,
  profile: (v) => v,
};

function evaluate(RED: NodeAPI, node: Node, value: string, type: string, msg: Msg): Promise<unknown> {
  const literal = LITERAL_TYPES[type];
  if (literal) {
    try {
      return Promise.resolve(literal(value));
    } catch (err) {
      return Promise.reject(new InvalidArgumentError(`bad ${type} value ${JSON.stringify(value)}: ${(err as Error).message}`));
    }
  }
  return new Promise((resolve, reject) => {
    RED.util.evaluateNodeProperty(value, type, node, msg, (err, result) => (err ? reject(toFieldlinkError(err)) : resolve(result)));
  });
}

/** The editor's values (typedInputs evaluated against msg), before msg.payload overrides. */
async function editorValues(RED: NodeAPI, node: Node, config: Record<string, unknown>, msg: Msg): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (RESERVED.has(key) || key.endsWith('Type')) continue;
    const type = config[`${key}Type`];
    out[key] = typeof type === 'string' ? await evaluate(RED, node, String(value ?? ''), type, msg) : value;
  }
  // secrets typed in the editor (door passcodes, card PIN) are credentials, not node properties
  const credentials = (node as Node & { credentials?: Record<string, unknown> }).credentials ?? {};
  for (const [key, value] of Object.entries(credentials)) if (value !== undefined && value !== '') out[key] = value;
  return out;
}

/** Adds the operation and device to an error that does not name them yet. */
function withContext(err: unknown, operation: string, device: unknown): FieldlinkError {
  const e = toFieldlinkError(err);
  if (e.operation !== undefined && e.device !== undefined) return e;
  const ctx: { operation?: string; device?: string | number } = {};
  if (e.operation === undefined) ctx.operation = operation;
  if (e.device === undefined && (typeof device === 'number' || typeof device === 'string')) ctx.device = device;
  for (const [k, v] of Object.entries(ctx)) Object.defineProperty(e, k, { value: v, enumerable: true, configurable: true });
  return e;
}

/** Registers one action node type with its table of operations (and the credentials its editor keeps, if any). */
export function registerAction(
  RED: NodeAPI,
  type: string,
  operations: OperationTable,
  credentials?: Record<string, { type: 'text' | 'password' }>,
): void {
  function ActionNode(this: Node, config: NodeDef & Record<string, unknown>): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const network = RED.nodes.getNode(String(config.network ?? '')) as UhppoteNetworkNode | null;
    const status = new StatusTarget(node);
    if (network) network.shared.attach(status);
    else status.hold({ fill: 'red', shape: 'ring', text: 'no network configured' });

    const argsOf = new WeakMap<Msg, Record<string, unknown>>();
    onInput(
      node,
      { status, describe: (result, msg) => describeResult(result, argsOf.get(msg) ?? {}) },
      async (msg) => {
        const opName = typeof msg.operation === 'string' && msg.operation !== '' ? msg.operation : String(config.operation ?? '');
        const op = Object.prototype.hasOwnProperty.call(operations, opName) ? operations[opName] : undefined;
        let device: unknown;
        try {
          if (!op) throw new InvalidArgumentError(`unknown operation ${JSON.stringify(opName)}; one of ${Object.keys(operations).join(', ')}`);
          if (!network) throw new NotConnectedError('no uhppote-network configured');
          const args = withOverrides(await editorValues(RED, node, config, msg), msg);
          args.operation = opName;
          argsOf.set(msg, args);
          const ctx: OperationContext = {
            args,
            engine: network.engine(),
            network,
            controller: () => {
              const spec = network.resolve(args.controller);
              device = spec.id;
              return spec;
            },
            msg,
          };
          const result = await op.run(ctx);
          network.report();
          return result;
        } catch (err) {
          network?.report(err);
          throw withContext(err, opName, device);
        }
      },
    );

    function describeResult(result: unknown, args: Record<string, unknown>): string {
      const opName = String(args.operation ?? config.operation ?? '');
      const op = operations[opName];
      try {
        return op?.describe?.(result, args) ?? opName;
      } catch {
        return opName;
      }
    }

    node.on('close', (_removed: boolean, done: () => void) => {
      status.close();
      network?.shared.detach(status);
      done();
    });
  }
  const ctor = ActionNode as unknown as Parameters<NodeAPI['nodes']['registerType']>[1];
  if (credentials) RED.nodes.registerType(type, ctor, { credentials });
  else RED.nodes.registerType(type, ctor);
}
