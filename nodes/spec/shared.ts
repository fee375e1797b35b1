/**
 * What every SPEC action and event node shares: finding its `spec-server` config node, showing
 * the link state, evaluating typedInput fields, and closing cleanly.
 */
import type { Node, NodeAPI, NodeMessage } from 'node-red';
import { InvalidArgumentError } from '../../lib/common/errors';
import type { SpecClient } from '../../lib/spec';
import { SharedStatus, StatusTarget } from '../common/status';

/** The `spec-server` config node as the other SPEC nodes see it. */
export interface SpecServerNode extends Node {
  readonly client: SpecClient;
  readonly link: SharedStatus;
  /** `spec/<SPEC name>/<suffix>`: the SPEC name once known, else the node's name or host. */
  topic(suffix: string): string;
  /** Registers a user: starts the connection with the first one. */
  use(): void;
  /** Resolves once connected (waiting up to the server's time-out); rejects NotConnectedError otherwise. */
  ready(): Promise<void>;
  /**
   * Tracks a long operation (a move, a count) so that an abort from any node of this server marks
   * it aborted; call the returned `end` when it is over.
   */
  track(): { readonly aborted: boolean; end(): void };
  /** Sends SPEC's abort (stops motors, counting, macros) and marks every tracked operation aborted. */
  abort(): Promise<void>;
}

/** The config node a SPEC node references, with its status attached; `undefined` when not configured. */
export function attachServer(RED: NodeAPI, node: Node, serverId: string | undefined): { server?: SpecServerNode; status: StatusTarget } {
  const status = new StatusTarget(node);
  const server = serverId ? (RED.nodes.getNode(serverId) as SpecServerNode | null) : null;
  if (!server || !server.link) {
    node.status({ fill: 'red', shape: 'ring', text: 'no SPEC server configured' });
    return { status };
  }
  server.link.attach(status);
  server.use();
  node.on('close', (_removed: boolean, done: () => void) => {
    server.link.detach(status);
    status.close();
    done();
  });
  return { server, status };
}

/** The error every input of a node without a server gets. */
export function noServer(): InvalidArgumentError {
  return new InvalidArgumentError('no SPEC server configured: choose a spec-server in the node editor');
}

/** Evaluates a typedInput field (str, num, json, msg, flow, global, env...) against a message. */
export function evaluate(RED: NodeAPI, node: Node, value: string, type: string, msg: NodeMessage, what: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    try {
      RED.util.evaluateNodeProperty(value, type, node, msg, (err, result) => {
        if (err) reject(new InvalidArgumentError(`${what}: ${err.message}`));
        else resolve(result);
      });
    } catch (err) {
      reject(new InvalidArgumentError(`${what}: ${(err as Error).message}`));
    }
  });
}

/** True when the message asks to abort (`msg.abort` truthy). */
export function wantsAbort(msg: Record<string, unknown>): boolean {
  const a = msg.abort;
  return a === true || a === 1 || a === 'true';
}
