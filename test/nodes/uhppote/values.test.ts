/** The input readers and the controller table of the UHPPOTE nodes (plain functions, no Node-RED). */
import assert from 'node:assert/strict';
import { InvalidArgumentError } from '../../../lib/common/errors';
import { knownControllers, resolveController, serialsOf } from '../../../nodes/uhppote/support/controllers';
import { bool, date, dateTime, enumCode, hhmm, passcodes, permission, weekdayList, weekdays } from '../../../nodes/uhppote/support/values';

const invalid = (fn: () => unknown, pattern: RegExp): void => {
  assert.throws(fn, (e: unknown) => e instanceof InvalidArgumentError && pattern.test(e.message));
};

describe('uhppote node inputs', () => {
  it('weekdays from lists, arrays, objects and shorthands; back as an array', () => {
    assert.deepEqual(weekdayList(weekdays('mon, wed,Sunday')), ['monday', 'wednesday', 'sunday']);
    assert.deepEqual(weekdayList(weekdays(['friday', 'sat'])), ['friday', 'saturday']);
    assert.deepEqual(weekdayList(weekdays({ tuesday: true, thursday: 'yes', monday: false })), ['tuesday', 'thursday']);
    assert.equal(weekdayList(weekdays('weekdays')).length, 5);
    assert.deepEqual(weekdayList(weekdays('weekend')), ['saturday', 'sunday']);
    assert.equal(weekdayList(weekdays('all')).length, 7);
    assert.deepEqual(weekdayList(weekdays('')), []);
    invalid(() => weekdays('mo'), /weekday/);
    invalid(() => weekdays(['caturday']), /weekday/);
  });

  it('dates and times: controller-local strings, Date objects, now/today, and range checks', () => {
    assert.equal(date('2025-1-5', 'd'), '2025-01-05');
    assert.equal(date(new Date(2025, 11, 31, 23, 59), 'd'), '2025-12-31');
    invalid(() => date('2025-02-29', 'startDate'), /startDate/);
    invalid(() => date('1999-12-31', 'd'), /2000 and 2099/);
    assert.equal(dateTime('2025-06-01T08:00', 'dt'), '2025-06-01 08:00:00');
    assert.equal(dateTime(new Date(2025, 5, 1, 8, 9, 10), 'dt'), '2025-06-01 08:09:10');
    assert.match(dateTime('now', 'dt'), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    assert.match(dateTime('', 'dt', true), /^\d{4}-/);
    invalid(() => dateTime('', 'datetime'), /datetime is required/);
    invalid(() => dateTime('2025-06-01 24:00:00', 'dt'), /invalid time/);
    assert.equal(hhmm('8:30', 't'), '08:30');
    invalid(() => hhmm('8.30', 'startTime'), /startTime must be HH:mm/);
  });

  it('enums by code or text, booleans, permissions and passcodes', () => {
    const modes = { 1: 'normally open', 2: 'normally closed', 3: 'controlled' };
    assert.equal(enumCode('normally-open', 'mode', modes), 1);
    assert.equal(enumCode('Normally_Closed', 'mode', modes), 2);
    assert.equal(enumCode('3', 'mode', modes), 3);
    invalid(() => enumCode(4, 'mode', modes), /mode must be one of 1 \(normally open\)/);
    assert.equal(bool('on', 'b'), true);
    assert.equal(bool(0, 'b'), false);
    assert.equal(bool(undefined, 'b', true), true);
    invalid(() => bool('maybe', 'enabled'), /enabled must be true or false/);
    assert.deepEqual([permission(true, 'd'), permission(false, 'd'), permission('always', 'd'), permission(29, 'd'), permission('', 'd')], [1, 0, 1, 29, 0]);
    invalid(() => permission(255, 'door1'), /door1/);
    assert.deepEqual(passcodes('12345, 0;999999'), [12345, 0, 999999]);
    assert.deepEqual(passcodes([1, '2']), [1, 2]);
    invalid(() => passcodes('1,2,3,4,5'), /at most 4/);
  });

  it('controllers by name, serial or object; unknown names are errors', () => {
    const table = knownControllers([
      { serial: 405419896, name: 'Front Door', protocol: 'udp' },
      { serial: '303986753', name: 'warehouse', address: '10.0.0.5', protocol: 'tcp' },
      { serial: 'x' },
      null,
    ]);
    assert.equal(table.length, 2);
    assert.deepEqual(resolveController('front door', table), { id: 405419896, protocol: 'udp' });
    assert.deepEqual(resolveController(303986753, table), { id: 303986753, address: '10.0.0.5', protocol: 'tcp' });
    assert.deepEqual(resolveController('123', table), { id: 123 });
    assert.deepEqual(resolveController({ id: 303986753, address: '10.0.0.6:60000' }, table), { id: 303986753, address: '10.0.0.6:60000', protocol: 'udp' });
    assert.deepEqual(resolveController({ controller: 405419896 }, table), { id: 405419896, protocol: 'udp' });
    invalid(() => resolveController('back door', table), /not in the network's table \(known: Front Door, warehouse\)/);
    invalid(() => resolveController('', table), /controller is required/);
    invalid(() => resolveController({ id: 1, protocol: 'tcp' }, table), /TCP needs an address/);
    invalid(() => resolveController({ id: 1, protocol: 'sctp' }, table), /protocol/);
    assert.deepEqual([...serialsOf('warehouse, 42', table)], [303986753, 42]);
    assert.equal(serialsOf('', table).size, 0);
  });
});
