/** Operations of the uhppote-event node: the stored event index, reading events, recording special events. */
import { EventNotFound, EventOverwritten } from '../../../lib/uhppote';
import type { OperationTable } from '../support/action';
import { accepted, eventJson, type EventJson } from '../support/results';
import { bool, int, optInt } from '../support/values';

export const eventOps: OperationTable = {
  'get-event-index': {
    run: async ({ engine, controller }) => {
      const r = await engine.getEventIndex(controller());
      return { controller: r.controller, index: r.eventIndex };
    },
    describe: (r) => `index ${(r as { index: number }).index}`,
  },
  'set-event-index': {
    run: async ({ engine, controller, args }) => {
      const c = controller();
      const index = int(args.index, 'index', 0, 0xffffffff);
      const r = await engine.setEventIndex(c, index);
      return { controller: r.controller, ok: accepted(r.updated, 'set the event index', true), index };
    },
    describe: (r) => `index ${(r as { index: number }).index}`,
  },
  'get-event': {
    run: async ({ engine, controller, args }) => {
      const c = controller();
      const index = int(args.index, 'index', 1, 0xffffffff);
      return eventJson(c.id, await engine.getEventRecord(c, index));
    },
    describe: (r) => `#${(r as EventJson).index} ${(r as EventJson).type}`,
  },
  'get-new-events': {
    // The events after the controller's stored event index, oldest first, up to `max`; the stored
    // index then moves to the last one read, so the next call continues where this one stopped.
    // Overwritten slots (the log wrapped) are skipped.
    run: async ({ engine, controller, args }) => {
      const c = controller();
      const max = optInt(args.max, 'max', 1, 10000, 100);
      const { eventIndex: stored } = await engine.getEventIndex(c);
      const status = await engine.getStatus(c);
      const last = status.eventIndex;
      // a stored index past the last event means the log was reset: start again from the beginning
      const first = stored > last ? 1 : stored + 1;
      const events: EventJson[] = [];
      let reached = first - 1;
      for (let index = first; index <= last && events.length < max; index++) {
        try {
          events.push(eventJson(c.id, await engine.getEventRecord(c, index)));
        } catch (err) {
          if (!(err instanceof EventOverwritten) && !(err instanceof EventNotFound)) throw err;
        }
        reached = index;
      }
      if (reached > stored || stored > last) await engine.setEventIndex(c, reached);
      return events;
    },
    describe: (r) => `${(r as unknown[]).length} new events`,
  },
  'record-special-events': {
    run: async ({ engine, controller, args }) => {
      const c = controller();
      const enabled = bool(args.enabled, 'enabled');
      const r = await engine.recordSpecialEvents(c, enabled);
      return { controller: r.controller, ok: accepted(r.updated, 'set record special events', true), enabled };
    },
    describe: (r) => `special events ${(r as { enabled: boolean }).enabled ? 'on' : 'off'}`,
  },
};
