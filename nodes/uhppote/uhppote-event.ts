/** uhppote-event: the event operations of a UHPPOTE controller (see ops/event.ts), one node, operation chosen in the editor. */
import type { NodeAPI } from 'node-red';
import { eventOps } from './ops/event';
import { registerAction } from './support/action';

export = function (RED: NodeAPI): void {
  registerAction(RED, 'uhppote-event', eventOps);
};
