/** uhppote-schedule: the schedule operations of a UHPPOTE controller (see ops/schedule.ts), one node, operation chosen in the editor. */
import type { NodeAPI } from 'node-red';
import { scheduleOps } from './ops/schedule';
import { registerAction } from './support/action';

export = function (RED: NodeAPI): void {
  registerAction(RED, 'uhppote-schedule', scheduleOps);
};
