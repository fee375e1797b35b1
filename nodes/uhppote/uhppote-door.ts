/** uhppote-door: the door operations of a UHPPOTE controller (see ops/door.ts), one node, operation chosen in the editor. */
import type { NodeAPI } from 'node-red';
import { doorOps } from './ops/door';
import { registerAction } from './support/action';

export = function (RED: NodeAPI): void {
  registerAction(RED, 'uhppote-door', doorOps, { passcodes: { type: 'password' } });
};
