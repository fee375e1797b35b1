/** Operations of the uhppote-card node: count, read (by number, by index, all), put, delete, delete all. */
import { InvalidArgumentError } from '../../../lib/common/errors';
import { CardDeleted, CardNotFound } from '../../../lib/uhppote';
import type { OperationTable } from '../support/action';
import { accepted, cardJson } from '../support/results';
import { card, date, int, isBlank, localDate, optInt, permission } from '../support/values';

/** Default validity of a card stored without an end date. */
export const DEFAULT_END_DATE = '2099-12-31';

/** Upper bound on slots read by get-all-cards (the largest controllers hold 100 000 cards). */
const MAX_INDEX = 100_000;

export const cardOps: OperationTable = {
  'get-cards': {
    run: async ({ engine, controller }) => {
      const r = await engine.getCards(controller());
      return { controller: r.controller, cards: r.cards };
    },
    describe: (r) => `${(r as { cards: number }).cards} cards`,
  },
  'get-card': {
    run: async ({ engine, controller, args }) => {
      const c = controller();
      return cardJson(c.id, await engine.getCardRecord(c, card(args.card)));
    },
    describe: (r) => `card ${(r as { card: number }).card}`,
  },
  'get-card-by-index': {
    run: async ({ engine, controller, args }) => {
      const c = controller();
      const index = int(args.index, 'index', 1, 0xffffffff);
      return { ...cardJson(c.id, await engine.getCardRecordAtIndex(c, index)), index };
    },
    describe: (r) => `card ${(r as { card: number }).card}`,
  },
  'get-all-cards': {
    run: async ({ engine, controller }) => {
      const c = controller();
      const { cards: count } = await engine.getCards(c);
      const out: Record<string, unknown>[] = [];
      for (let index = 1; out.length < count && index <= MAX_INDEX; index++) {
        try {
          out.push({ ...cardJson(c.id, await engine.getCardRecordAtIndex(c, index)), index });
        } catch (err) {
          if (err instanceof CardDeleted) continue;
          if (err instanceof CardNotFound) break;
          throw err;
        }
      }
      return out;
    },
    describe: (r) => `${(r as unknown[]).length} cards`,
  },
  'put-card': {
    run: async ({ engine, controller, args }) => {
      const c = controller();
      const number = card(args.card);
      const startDate = isBlank(args.startDate) ? localDate(new Date()) : date(args.startDate, 'startDate');
      const endDate = isBlank(args.endDate) ? DEFAULT_END_DATE : date(args.endDate, 'endDate');
      if (endDate < startDate) throw new InvalidArgumentError(`endDate ${endDate} is before startDate ${startDate}`);
      const permissions = {
        1: permission(args.door1, 'door1'),
        2: permission(args.door2, 'door2'),
        3: permission(args.door3, 'door3'),
        4: permission(args.door4, 'door4'),
      };
      const pin = optInt(args.pin, 'pin', 0, 999999, 0);
      const r = await engine.putCardRecord(c, { card: number, startDate, endDate, permissions, pin });
      return {
        controller: r.controller,
        ok: accepted(r.stored, `store card ${number}`, true),
        card: number,
        startDate,
        endDate,
        door1: permissions[1],
        door2: permissions[2],
        door3: permissions[3],
        door4: permissions[4],
        pin,
      };
    },
    describe: (r) => `card ${(r as { card: number }).card} stored`,
  },
  'delete-card': {
    run: async ({ engine, controller, args }) => {
      const c = controller();
      const number = card(args.card);
      const r = await engine.deleteCard(c, number);
      return { controller: r.controller, ok: r.deleted, card: number };
    },
    describe: (r) => `card ${(r as { card: number }).card} ${(r as { ok: boolean }).ok ? 'deleted' : 'not deleted'}`,
  },
  'delete-all-cards': {
    run: async ({ engine, controller }) => {
      const r = await engine.deleteAllCards(controller());
      return { controller: r.controller, ok: accepted(r.deleted, 'delete all cards', true) };
    },
    describe: () => 'all cards deleted',
  },
};
