/** What the uhppote-network config node offers the nodes that use it. */
import type { Node } from 'node-red';
import type { ControllerEvent, ControllerSpec, Uhppote } from '../../../lib/uhppote';
import type { SharedStatus } from '../../common/status';
import type { KnownController } from './controllers';

export interface EventSubscriber {
  /** A packet that carries a new event. */
  event(e: ControllerEvent): void;
  /** Every packet (new events and periodic status), for subscribers that want status updates. */
  status?(e: ControllerEvent): void;
  /** A bad packet or a listener failure. */
  error?(err: Error): void;
}

export interface UhppoteNetworkNode extends Node {
  readonly shared: SharedStatus;
  readonly controllers: KnownController[];
  /** The configured listen address (`ip:port`). */
  readonly listenAddress: string;
  /** The addresses and timeout as configured. */
  readonly settings: { bind: string; broadcast: string; listen: string; timeout: number };
  /** The engine; throws NotConnectedError once the node is closed. */
  engine(): Uhppote;
  /** Tells the network how a request went, so that a request socket that cannot open shows on every node. */
  report(err?: unknown): void;
  /** A node's controller value (name, serial or object) as an engine controller. */
  resolve(value: unknown): ControllerSpec;
  /** Where the events listener is bound, while it is. */
  listening(): { address: string; port: number } | undefined;
  /** Starts the events listener for the first subscriber; returns the unsubscribe function. */
  subscribe(subscriber: EventSubscriber): () => void;
}
