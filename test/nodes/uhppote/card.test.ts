/** uhppote-card against the simulator: every operation, typed not-found errors, PIN and time profiles. */
import assert from 'node:assert/strict';
import type { UhppoteSimulator } from '../../../lib/uhppote';
import { FRONT, actionNode, fails, flow, helper, nodes, ok, startSim } from './harness';

const node = actionNode('uhppote-card', { controller: String(FRONT), controllerType: 'str', card: '', cardType: 'num' });

describe('uhppote-card node', function () {
  let sim: UhppoteSimulator;
  let port: number;

  before(async () => {
    ({ sim, port } = await startSim());
  });
  after(async () => {
    await sim.close();
  });
  beforeEach(async () => {
    sim.controller(FRONT).cards = [];
    await helper.load(nodes, flow(port, [
      node('count', 'get-cards'),
      node('get', 'get-card', { card: '8165538' }),
      node('byIndex', 'get-card-by-index', { index: '1', indexType: 'num' }),
      node('all', 'get-all-cards'),
      node('put', 'put-card', {
        card: '8165538', startDate: '2025-01-01', endDate: '2026-12-31',
        door1: '', door1Type: 'always', door2: '29', door2Type: 'profile', door3: '', door3Type: 'none', door4: '', door4Type: 'none',
      }),
      node('putFromContext', 'put-card', { card: 'card', cardType: 'flow', door1: '', door1Type: 'always' }),
      node('delete', 'delete-card', { card: '8165538' }),
      node('deleteAll', 'delete-all-cards'),
    ]), { put: { pin: '7531' } });
  });
  afterEach(async () => {
    await helper.unload();
  });

  it('put-card stores a card with dates, per-door permissions (time profile) and PIN (an editor credential); get-card reads it back', async () => {
    const put = await ok('put');
    assert.deepEqual(put, {
      controller: FRONT, ok: true, card: 8165538, startDate: '2025-01-01', endDate: '2026-12-31',
      door1: 1, door2: 29, door3: 0, door4: 0, pin: 7531,
    });
    const stored = sim.controller(FRONT).cards.find((c) => c.card === 8165538)!;
    assert.deepEqual(stored.doors, [1, 29, 0, 0]);
    assert.equal(stored.pin, 7531);
    const got = await ok('get');
    assert.deepEqual(got, {
      controller: FRONT, card: 8165538, startDate: '2025-01-01', endDate: '2026-12-31',
      door1: 1, door2: 29, door3: 0, door4: 0, pin: 7531,
    });
  });

  it('get-card output put back into put-card stores the same card (round trip), msg.payload overriding the editor', async () => {
    await ok('put');
    const got = await ok('get');
    await ok('deleteAll');
    const copy = { ...got, card: 10058400, door3: true, door4: false };
    await ok('put', { payload: copy });
    const again = await ok('get', { payload: { card: 10058400 } });
    assert.deepEqual(again, { ...got, card: 10058400, door3: 1, door4: 0 });
  });

  it('Wiegand-34 card numbers are accepted', async () => {
    await ok('put', { payload: { card: 4294967000 } });
    assert.equal((await ok('get', { payload: { card: 4294967000 } })).card, 4294967000);
  });

  it('defaults: today to 2099-12-31, no PIN', async () => {
    const r = await ok('put', { payload: { startDate: '', endDate: '', pin: '' } });
    const today = new Date();
    const ymd = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
    assert.equal(r.startDate, ymd);
    assert.equal(r.endDate, '2099-12-31');
    assert.equal((await ok('get')).endDate, '2099-12-31');
  });

  it('the card number can come from flow context', async () => {
    const n = helper.getNode('putFromContext') as unknown as { context(): { flow: { set(key: string, value: unknown): void } } };
    n.context().flow.set('card', 777);
    const r = await ok('putFromContext');
    assert.equal(r.card, 777);
    assert.equal((await ok('get', { payload: { card: 777 } })).door1, 1);
  });

  it('get-cards, get-card-by-index, get-all-cards skip deleted slots', async () => {
    for (const card of [100, 200, 300]) await ok('put', { payload: { card } });
    assert.deepEqual(await ok('count'), { controller: FRONT, cards: 3 });
    assert.equal((await ok('byIndex')).card, 100);
    assert.equal((await ok('byIndex', { payload: { index: 3 } })).card, 300);
    const deleted = await ok('delete', { payload: { card: 200 } });
    assert.deepEqual(deleted, { controller: FRONT, ok: true, card: 200 });
    const all = await ok<Array<Record<string, unknown>>>('all');
    assert.deepEqual(all.map((c) => [c.card, c.index]), [[100, 1], [300, 3]]);
    assert.equal((await fails('byIndex', { payload: { index: 2 } })).code, 'ECARDDELETED');
    assert.equal((await fails('byIndex', { payload: { index: 99 } })).code, 'ECARDNOTFOUND');
  });

  it('get-card of an unknown or deleted card is a typed error to Catch', async () => {
    const e = await fails('get', { payload: { card: 123456 } });
    assert.equal(e.code, 'ECARDNOTFOUND');
    assert.equal(e.device, FRONT);
    assert.equal(e.operation, 'get-card');
  });

  it('delete-card of a card that is not there reports ok: false (not an error)', async () => {
    assert.deepEqual(await ok('delete', { payload: { card: 999 } }), { controller: FRONT, ok: false, card: 999 });
  });

  it('delete-all-cards', async () => {
    await ok('put');
    assert.deepEqual(await ok('deleteAll'), { controller: FRONT, ok: true });
    assert.deepEqual(await ok('count'), { controller: FRONT, cards: 0 });
    assert.deepEqual(await ok('all'), []);
  });

  it('rejects bad card input and keeps working', async () => {
    const bad: Array<Record<string, unknown>> = [
      { card: 0 }, { card: 'abc' }, { card: 4294967295 }, { door2: 255 }, { door1: 'sometimes' },
      { pin: 1000000 }, { startDate: '2025-02-30' }, { endDate: '31/12/2026' }, { startDate: '2026-01-01', endDate: '2025-01-01' },
    ];
    for (const payload of bad) {
      const e = await fails('put', { payload });
      assert.equal(e.code, 'EINVAL', JSON.stringify(payload));
    }
    assert.equal((await fails('get', { payload: { card: '' } })).code, 'EINVAL');
    assert.equal((await ok('put')).ok, true);
  });
});
