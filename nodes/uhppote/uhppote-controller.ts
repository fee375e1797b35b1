/** uhppote-controller: the controller operations of a UHPPOTE controller (see ops/controller.ts), one node, operation chosen in the editor. */
import type { NodeAPI } from 'node-red';
import { controllerOps } from './ops/controller';
import { registerAction } from './support/action';

export = function (RED: NodeAPI): void {
  registerAction(RED, 'uhppote-controller', controllerOps);
};
