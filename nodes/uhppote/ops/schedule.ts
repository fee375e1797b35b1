/** Operations of the uhppote-schedule node: time profiles and the task list. */
import { InvalidArgumentError } from '../../../lib/common/errors';
import { taskTypeText } from '../../../lib/uhppote';
import type { OperationTable } from '../support/action';
import { accepted, timeProfileJson } from '../support/results';
import { date, door, enumCode, hhmm, int, isBlank, localDate, optInt, weekdayList, weekdays } from '../support/values';
import { DEFAULT_END_DATE } from './card';

export const TASKS: Record<number, string> = Object.fromEntries([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((c) => [c, taskTypeText(c)]));

function dates(args: Record<string, unknown>): { startDate: string; endDate: string } {
  const startDate = isBlank(args.startDate) ? localDate(new Date()) : date(args.startDate, 'startDate');
  const endDate = isBlank(args.endDate) ? DEFAULT_END_DATE : date(args.endDate, 'endDate');
  if (endDate < startDate) throw new InvalidArgumentError(`endDate ${endDate} is before startDate ${startDate}`);
  return { startDate, endDate };
}

export const scheduleOps: OperationTable = {
  'get-time-profile': {
    run: async ({ engine, controller, args }) => {
      const c = controller();
      return timeProfileJson(c.id, await engine.getTimeProfileRecord(c, int(args.profile, 'profile', 2, 254)));
    },
    describe: (r) => `profile ${(r as { profile: number }).profile}`,
  },
  'set-time-profile': {
    run: async ({ engine, controller, args }) => {
      const c = controller();
      const id = int(args.profile, 'profile', 2, 254);
      const { startDate, endDate } = dates(args);
      const days = weekdays(args.weekdays);
      const seg = (n: 1 | 2 | 3): { start: string; end: string } => {
        const start = hhmm(args[`segment${n}Start`], `segment${n}Start`, '00:00');
        const end = hhmm(args[`segment${n}End`], `segment${n}End`, '00:00');
        if (end < start) throw new InvalidArgumentError(`segment${n}End ${end} is before segment${n}Start ${start}`);
        return { start, end };
      };
      const segments = { 1: seg(1), 2: seg(2), 3: seg(3) };
      const linked = optInt(args.linkedProfile, 'linkedProfile', 0, 254, 0);
      if (linked === 1 || linked === id) throw new InvalidArgumentError(`linkedProfile must be 0 (none) or another profile 2-254, got ${linked}`);
      const r = await engine.setTimeProfileRecord(c, { id, startDate, endDate, weekdays: days, segments, linkedProfile: linked });
      return {
        controller: r.controller,
        ok: accepted(r.stored, `store time profile ${id}`, true),
        profile: id,
        startDate,
        endDate,
        weekdays: weekdayList(days),
        segment1Start: segments[1].start,
        segment1End: segments[1].end,
        segment2Start: segments[2].start,
        segment2End: segments[2].end,
        segment3Start: segments[3].start,
        segment3End: segments[3].end,
        linkedProfile: linked,
      };
    },
    describe: (r) => `profile ${(r as { profile: number }).profile} stored`,
  },
  'clear-time-profiles': {
    run: async ({ engine, controller }) => {
      const r = await engine.clearTimeProfiles(controller());
      return { controller: r.controller, ok: accepted(r.deleted, 'clear time profiles', true) };
    },
    describe: () => 'time profiles cleared',
  },
  'add-task': {
    run: async ({ engine, controller, args }) => {
      const c = controller();
      const task = enumCode(args.task, 'task', TASKS);
      const { startDate, endDate } = dates(args);
      const days = weekdays(args.weekdays);
      const startTime = hhmm(args.startTime, 'startTime');
      const d = door(args.door);
      const moreCards = optInt(args.moreCards, 'moreCards', 0, 255, 0);
      const r = await engine.addTaskRecord(c, { task, startDate, endDate, weekdays: days, startTime, door: d, moreCards });
      return {
        controller: r.controller,
        ok: accepted(r.added, 'add the task', true),
        task: TASKS[task],
        taskCode: task,
        startDate,
        endDate,
        weekdays: weekdayList(days),
        startTime,
        door: d,
        moreCards,
      };
    },
    describe: (r) => `task added: ${(r as { task: string }).task}`,
  },
  'refresh-task-list': {
    run: async ({ engine, controller }) => {
      const r = await engine.refreshTasklist(controller());
      return { controller: r.controller, ok: accepted(r.refreshed, 'refresh the task list', true) };
    },
    describe: () => 'task list refreshed',
  },
  'clear-task-list': {
    run: async ({ engine, controller }) => {
      const r = await engine.clearTasklist(controller());
      return { controller: r.controller, ok: accepted(r.cleared, 'clear the task list', true) };
    },
    describe: () => 'task list cleared',
  },
};
