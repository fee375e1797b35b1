/**
 * Status shared between a config node and the nodes that use it, with the conventions' colours:
 * green dot connected/online, yellow ring connecting/waiting, red ring with a short reason on error.
 */
import type { Node, NodeStatus } from 'node-red';

export type LinkState = 'connected' | 'connecting' | 'waiting' | 'disconnected' | 'error';

export function statusFor(state: LinkState, text?: string): NodeStatus {
  switch (state) {
    case 'connected':
      return { fill: 'green', shape: 'dot', text: text ?? 'connected' };
    case 'connecting':
      return { fill: 'yellow', shape: 'ring', text: text ?? 'connecting' };
    case 'waiting':
      return { fill: 'yellow', shape: 'ring', text: text ?? 'waiting' };
    case 'disconnected':
      return { fill: 'grey', shape: 'ring', text: text ?? 'disconnected' };
    case 'error':
      return { fill: 'red', shape: 'ring', text: shorten(text ?? 'error') };
  }
}

/** Status texts must fit under a node in the editor. */
export function shorten(text: string, max = 40): string {
  return text.length <= max ? text : text.slice(0, max - 1) + '…';
}

/**
 * Owned by a config node: holds the link state and pushes it to every node that attached.
 * A node shows the link state except while it briefly shows its own last result.
 */
export class SharedStatus {
  private current: NodeStatus = statusFor('connecting');
  private readonly nodes = new Set<StatusTarget>();

  get status(): NodeStatus {
    return this.current;
  }

  set(state: LinkState, text?: string): void {
    this.current = statusFor(state, text);
    for (const target of this.nodes) target.showLink(this.current);
  }

  attach(target: StatusTarget): void {
    this.nodes.add(target);
    target.showLink(this.current);
  }

  detach(target: StatusTarget): void {
    this.nodes.delete(target);
  }
}

/**
 * The status of one action or event node: the link state from its config node, overlaid for a
 * few seconds by the node's own last result or error.
 */
export class StatusTarget {
  private link: NodeStatus = {};
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly node: Node,
    private readonly holdMs = 3000,
  ) {}

  showLink(status: NodeStatus): void {
    this.link = status;
    if (!this.timer) this.node.status(status);
  }

  /** Shows `status` for a moment, then the link state again. */
  flash(status: NodeStatus): void {
    if (this.timer) clearTimeout(this.timer);
    this.node.status(status);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.node.status(this.link);
    }, this.holdMs);
  }

  /** Shows `status` until the next flash or link change. */
  hold(status: NodeStatus): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.node.status(status);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
