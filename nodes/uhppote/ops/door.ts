/** Operations of the uhppote-door node: door control, open, state, interlock, keypads, passcodes, anti-passback, first card. */
import { antiPassbackText, doorModeText, interlockText } from '../../../lib/uhppote';
import type { OperationTable } from '../support/action';
import { accepted, doorsJson, joinDateTime } from '../support/results';
import { bool, door, enumCode, hhmm, int, passcodes, weekdayList, weekdays } from '../support/values';

const textsOf = (codes: number[], text: (c: number) => string): Record<number, string> =>
  Object.fromEntries(codes.map((c) => [c, text(c)]));

export const DOOR_MODES = textsOf([1, 2, 3], doorModeText);
export const INTERLOCKS = textsOf([0, 1, 2, 3, 4, 8], interlockText);
export const ANTI_PASSBACK = textsOf([0, 1, 2, 3, 4], antiPassbackText);
/** Door modes of set-first-card (a different numbering from door control). */
export const FIRST_CARD_MODES: Record<number, string> = { 0: 'controlled', 1: 'normally open', 2: 'normally closed' };

export const doorOps: OperationTable = {
  'get-door-control': {
    run: async ({ engine, controller, args }) => {
      const c = controller();
      const r = await engine.getDoor(c, door(args.door));
      return { controller: r.controller, door: r.door, mode: r.modeText, modeCode: r.mode, delay: r.delay };
    },
    describe: (r) => `door ${(r as { door: number }).door}: ${(r as { mode: string }).mode}`,
  },
  'set-door-control': {
    run: async ({ engine, controller, args }) => {
      const c = controller();
      const d = door(args.door);
      const mode = enumCode(args.mode, 'mode', DOOR_MODES);
      const delay = int(args.delay, 'delay', 0, 255);
      const r = await engine.setDoor(c, { door: d, mode, delay });
      return { controller: r.controller, door: r.door, mode: r.modeText, modeCode: r.mode, delay: r.delay };
    },
    describe: (r) => `door ${(r as { door: number }).door}: ${(r as { mode: string }).mode}`,
  },
  'open-door': {
    run: async ({ engine, controller, args }) => {
      const c = controller();
      const d = door(args.door);
      const r = await engine.openDoor(c, d);
      return { controller: r.controller, door: d, opened: accepted(r.opened, `open door ${d}`, true) };
    },
    describe: (r) => `door ${(r as { door: number }).door} ${(r as { opened: boolean }).opened ? 'opened' : 'not opened'}`,
  },
  'get-door-state': {
    run: async ({ engine, controller, args }) => {
      const c = controller();
      const d = door(args.door);
      const s = await engine.getStatus(c);
      const state = doorsJson(s)[d - 1]!;
      return { controller: s.controller, ...state, datetime: joinDateTime(s.systemDate, s.systemTime) };
    },
    describe: (r) => {
      const s = r as { door: number; open: boolean; unlocked: boolean };
      return `door ${s.door} ${s.open ? 'open' : 'closed'}, ${s.unlocked ? 'unlocked' : 'locked'}`;
    },
  },
  'set-interlock': {
    run: async ({ engine, controller, args }) => {
      const c = controller();
      const code = enumCode(args.interlock, 'interlock', INTERLOCKS);
      const r = await engine.setInterlock(c, code);
      return { controller: r.controller, ok: accepted(r.ok, 'set the interlock', true), interlock: INTERLOCKS[code], interlockCode: code };
    },
    describe: (r) => `interlock ${(r as { interlock: string }).interlock}`,
  },
  'activate-keypads': {
    run: async ({ engine, controller, args }) => {
      const c = controller();
      const readers = {
        reader1: bool(args.reader1, 'reader1', false),
        reader2: bool(args.reader2, 'reader2', false),
        reader3: bool(args.reader3, 'reader3', false),
        reader4: bool(args.reader4, 'reader4', false),
      };
      const r = await engine.activateKeypads(c, readers);
      return { controller: r.controller, ok: accepted(r.ok, 'activate keypads', true), ...readers };
    },
    describe: (r) => {
      const k = r as Record<string, boolean>;
      const on = [1, 2, 3, 4].filter((n) => k[`reader${n}`]);
      return on.length ? `keypads ${on.join(',')} on` : 'keypads off';
    },
  },
  'set-door-passcodes': {
    run: async ({ engine, controller, args }) => {
      const c = controller();
      const d = door(args.door);
      const codes = passcodes(args.passcodes);
      const [passcode1, passcode2, passcode3, passcode4] = [0, 1, 2, 3].map((i) => codes[i] ?? 0);
      const r = await engine.setDoorPasscodes(c, { door: d, passcode1, passcode2, passcode3, passcode4 });
      return { controller: r.controller, ok: accepted(r.ok, `set door ${d} passcodes`, true), door: d, passcodes: codes.length };
    },
    describe: (r) => `door ${(r as { door: number }).door}: ${(r as { passcodes: number }).passcodes} passcodes`,
  },
  'get-anti-passback': {
    run: async ({ engine, controller }) => {
      const r = await engine.getAntiPassback(controller());
      return { controller: r.controller, antipassback: r.antipassbackText, antipassbackCode: r.antipassback };
    },
    describe: (r) => `anti-passback ${(r as { antipassback: string }).antipassback}`,
  },
  'set-anti-passback': {
    run: async ({ engine, controller, args }) => {
      const c = controller();
      const code = enumCode(args.antipassback, 'antipassback', ANTI_PASSBACK);
      const r = await engine.setAntiPassback(c, code);
      return { controller: r.controller, ok: accepted(r.ok, 'set anti-passback', true), antipassback: ANTI_PASSBACK[code], antipassbackCode: code };
    },
    describe: (r) => `anti-passback ${(r as { antipassback: string }).antipassback}`,
  },
  'set-first-card': {
    run: async ({ engine, controller, args }) => {
      const c = controller();
      const d = door(args.door);
      const startTime = hhmm(args.startTime, 'startTime');
      const endTime = hhmm(args.endTime, 'endTime');
      const activeMode = enumCode(args.activeMode, 'activeMode', FIRST_CARD_MODES);
      const inactiveMode = enumCode(args.inactiveMode, 'inactiveMode', FIRST_CARD_MODES);
      const days = weekdays(args.weekdays);
      const r = await engine.setFirstCard(c, { door: d, startTime, endTime, activeMode, inactiveMode, ...days });
      return {
        controller: r.controller,
        ok: accepted(r.ok, `set door ${d} first card`, true),
        door: d,
        startTime,
        endTime,
        activeMode: FIRST_CARD_MODES[activeMode],
        inactiveMode: FIRST_CARD_MODES[inactiveMode],
        weekdays: weekdayList(days),
      };
    },
    describe: (r) => `door ${(r as { door: number }).door} first card ${(r as { startTime: string }).startTime}`,
  },
};
