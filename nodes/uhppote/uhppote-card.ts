/** uhppote-card: the card operations of a UHPPOTE controller (see ops/card.ts), one node, operation chosen in the editor. */
import type { NodeAPI } from 'node-red';
import { cardOps } from './ops/card';
import { registerAction } from './support/action';

export = function (RED: NodeAPI): void {
  registerAction(RED, 'uhppote-card', cardOps, { pin: { type: 'password' } });
};
