/** Operations of the uhppote-event node: the stored event index, reading events, recording special events. */
import { EventNotFound, EventOverwritten } from '../../../lib/uhppote';
import type { OperationTable } from '../support/action';
import { accepted, eventJson, type EventJson } from '../support/results';
import { bool, int, optInt } from '../support/values';

/** An event index from 1, or `oldest` (0) / `newest` (0xFFFFFFFF), which the controller reads as its oldest held and newest event. */
function eventIndex(value: unknown): number {
  const word = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (word === 'oldest' || word === 'first') return 0;
  if (word === 'newest' || word === 'latest' || word === 'last') return 0xffffffff;
  return int(value, 'index (a number from 1, "oldest" or "newest")', 1, 0xffffffff);
}

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
      return eventJson(c.id, await engine.getEventRecord(c, eventIndex(args.index)));
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
