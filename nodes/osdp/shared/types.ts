/** What osdp-bus puts on its Node-RED node for the nodes that use it. */
import type { Node } from 'node-red';
import type { BrokenBus, OsdpBus } from './bus';

export interface OsdpBusNode extends Node {
  /** The running bus, or why there is none (bad configuration). */
  osdp: OsdpBus | BrokenBus;
}
