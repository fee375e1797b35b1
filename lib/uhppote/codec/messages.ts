/**
 * The message table: for every controller function, its code and the layout of its request and
 * reply (offset, type, name). One table drives encoding and decoding on both sides (the engine
 * encodes requests and decodes replies; the simulator does the reverse). Bytes 0..7 are common to
 * every frame: start byte 0x17, function code, two zero bytes, controller serial (uint32 LE).
 */
import { antiPassbackText, directionText, doorModeText, eventTypeText, reasonText } from '../enums';
import type { FieldType } from './fields';

export interface FieldDef {
  name: string;
  type: FieldType;
  offset: number;
  /** Readable text for a code: the decoder adds `<name>Text`. */
  text?: (code: number) => string;
}

export interface FunctionDef {
  /** Operation name, e.g. `get-status` (used in errors and logs). */
  name: string;
  /** Function code (byte 1). */
  code: number;
  request: FieldDef[];
  /** null: the controller does not reply (set-address). */
  reply: FieldDef[] | null;
}

const f = (name: string, type: FieldType, offset: number, text?: (code: number) => string): FieldDef =>
  text ? { name, type, offset, text } : { name, type, offset };

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const weekdays = (offset: number): FieldDef[] => WEEKDAYS.map((d, i) => f(d, 'bool', offset + i));

const OK = (name = 'ok'): FieldDef[] => [f(name, 'bool', 8)];

/** The status/event layout shared by get-status replies and event packets (function 0x20). */
export const STATUS_FIELDS: FieldDef[] = [
  f('eventIndex', 'uint32', 8),
  f('eventType', 'uint8', 12, eventTypeText),
  f('eventAccessGranted', 'bool', 13),
  f('eventDoor', 'uint8', 14),
  f('eventDirection', 'uint8', 15, directionText),
  f('eventCard', 'uint32', 16),
  f('eventTimestamp', 'datetime', 20),
  f('eventReason', 'uint8', 27, reasonText),
  f('door1Open', 'bool', 28),
  f('door2Open', 'bool', 29),
  f('door3Open', 'bool', 30),
  f('door4Open', 'bool', 31),
  f('door1Button', 'bool', 32),
  f('door2Button', 'bool', 33),
  f('door3Button', 'bool', 34),
  f('door4Button', 'bool', 35),
  f('systemError', 'uint8', 36),
  f('systemTime', 'time', 37),
  f('sequenceNo', 'uint32', 40),
  f('specialInfo', 'uint8', 48),
  f('relays', 'uint8', 49),
  f('inputs', 'uint8', 50),
  f('systemDate', 'shortDate', 51),
];

const CARD_FIELDS: FieldDef[] = [
  f('card', 'uint32', 8),
  f('startDate', 'date', 12),
  f('endDate', 'date', 16),
  f('door1', 'uint8', 20),
  f('door2', 'uint8', 21),
  f('door3', 'uint8', 22),
  f('door4', 'uint8', 23),
  f('pin', 'pin', 24),
];

const TIME_PROFILE_FIELDS: FieldDef[] = [
  f('profileId', 'uint8', 8),
  f('startDate', 'date', 9),
  f('endDate', 'date', 13),
  ...weekdays(17),
  f('segment1Start', 'HHmm', 24),
  f('segment1End', 'HHmm', 26),
  f('segment2Start', 'HHmm', 28),
  f('segment2End', 'HHmm', 30),
  f('segment3Start', 'HHmm', 32),
  f('segment3End', 'HHmm', 34),
  f('linkedProfileId', 'uint8', 36),
];

const EVENT_RECORD_FIELDS: FieldDef[] = [
  f('index', 'uint32', 8),
  f('eventType', 'uint8', 12, eventTypeText),
  f('accessGranted', 'bool', 13),
  f('door', 'uint8', 14),
  f('direction', 'uint8', 15, directionText),
  f('card', 'uint32', 16),
  f('timestamp', 'datetime', 20),
  f('reason', 'uint8', 27, reasonText),
];

const DOOR_FIELDS: FieldDef[] = [f('door', 'uint8', 8), f('mode', 'uint8', 9, doorModeText), f('delay', 'uint8', 10)];

export const FUNCTIONS = {
  getController: {
    name: 'get-controller',
    code: 0x94,
    request: [],
    reply: [
      f('ipAddress', 'ipv4', 8),
      f('subnetMask', 'ipv4', 12),
      f('gateway', 'ipv4', 16),
      f('macAddress', 'mac', 20),
      f('version', 'version', 26),
      f('date', 'date', 28),
    ],
  },
  setIPv4: {
    name: 'set-ipv4',
    code: 0x96,
    request: [f('address', 'ipv4', 8), f('netmask', 'ipv4', 12), f('gateway', 'ipv4', 16), f('magic', 'magic', 20)],
    reply: null,
  },
  getTime: { name: 'get-time', code: 0x32, request: [], reply: [f('datetime', 'datetime', 8)] },
  setTime: { name: 'set-time', code: 0x30, request: [f('datetime', 'datetime', 8)], reply: [f('datetime', 'datetime', 8)] },
  getStatus: { name: 'get-status', code: 0x20, request: [], reply: STATUS_FIELDS },
  getListener: {
    name: 'get-listener',
    code: 0x92,
    request: [],
    reply: [f('address', 'ipv4', 8), f('port', 'uint16', 12), f('interval', 'uint8', 14)],
  },
  setListener: {
    name: 'set-listener',
    code: 0x90,
    request: [f('address', 'ipv4', 8), f('port', 'uint16', 12), f('interval', 'uint8', 14)],
    reply: OK(),
  },
  getDoor: { name: 'get-door', code: 0x82, request: [f('door', 'uint8', 8)], reply: DOOR_FIELDS },
  setDoor: { name: 'set-door', code: 0x80, request: DOOR_FIELDS, reply: DOOR_FIELDS },
  openDoor: { name: 'open-door', code: 0x40, request: [f('door', 'uint8', 8)], reply: OK('opened') },
  getCards: { name: 'get-cards', code: 0x58, request: [], reply: [f('cards', 'uint32', 8)] },
  getCard: { name: 'get-card', code: 0x5a, request: [f('card', 'uint32', 8)], reply: CARD_FIELDS },
  getCardAtIndex: { name: 'get-card-at-index', code: 0x5c, request: [f('index', 'uint32', 8)], reply: CARD_FIELDS },
  putCard: { name: 'put-card', code: 0x50, request: CARD_FIELDS, reply: OK('stored') },
  deleteCard: { name: 'delete-card', code: 0x52, request: [f('card', 'uint32', 8)], reply: OK('deleted') },
  deleteAllCards: { name: 'delete-all-cards', code: 0x54, request: [f('magic', 'magic', 8)], reply: OK('deleted') },
  getEvent: { name: 'get-event', code: 0xb0, request: [f('index', 'uint32', 8)], reply: EVENT_RECORD_FIELDS },
  getEventIndex: { name: 'get-event-index', code: 0xb4, request: [], reply: [f('eventIndex', 'uint32', 8)] },
  setEventIndex: {
    name: 'set-event-index',
    code: 0xb2,
    request: [f('index', 'uint32', 8), f('magic', 'magic', 12)],
    reply: OK('updated'),
  },
  recordSpecialEvents: { name: 'record-special-events', code: 0x8e, request: [f('enabled', 'bool', 8)], reply: OK('updated') },
  getTimeProfile: { name: 'get-time-profile', code: 0x98, request: [f('profileId', 'uint8', 8)], reply: TIME_PROFILE_FIELDS },
  setTimeProfile: { name: 'set-time-profile', code: 0x88, request: TIME_PROFILE_FIELDS, reply: OK('stored') },
  clearTimeProfiles: { name: 'clear-time-profiles', code: 0x8a, request: [f('magic', 'magic', 8)], reply: OK('deleted') },
  addTask: {
    name: 'add-task',
    code: 0xa8,
    request: [
      f('startDate', 'date', 8),
      f('endDate', 'date', 12),
      ...weekdays(16),
      f('startTime', 'HHmm', 23),
      f('door', 'uint8', 25),
      f('task', 'uint8', 26),
      f('moreCards', 'uint8', 27),
    ],
    reply: OK('added'),
  },
  refreshTasklist: { name: 'refresh-tasklist', code: 0xac, request: [f('magic', 'magic', 8)], reply: OK('refreshed') },
  clearTasklist: { name: 'clear-tasklist', code: 0xa6, request: [f('magic', 'magic', 8)], reply: OK('cleared') },
  setPCControl: { name: 'set-pc-control', code: 0xa0, request: [f('magic', 'magic', 8), f('enabled', 'bool', 12)], reply: OK() },
  setInterlock: { name: 'set-interlock', code: 0xa2, request: [f('interlock', 'uint8', 8)], reply: OK() },
  activateKeypads: {
    name: 'activate-keypads',
    code: 0xa4,
    request: [f('reader1', 'bool', 8), f('reader2', 'bool', 9), f('reader3', 'bool', 10), f('reader4', 'bool', 11)],
    reply: OK(),
  },
  setDoorPasscodes: {
    name: 'set-door-passcodes',
    code: 0x8c,
    request: [
      f('door', 'uint8', 8),
      f('passcode1', 'pin32', 12),
      f('passcode2', 'pin32', 16),
      f('passcode3', 'pin32', 20),
      f('passcode4', 'pin32', 24),
    ],
    reply: OK(),
  },
  getAntiPassback: { name: 'get-antipassback', code: 0x86, request: [], reply: [f('antipassback', 'uint8', 8, antiPassbackText)] },
  setAntiPassback: { name: 'set-antipassback', code: 0x84, request: [f('antipassback', 'uint8', 8)], reply: OK() },
  restoreDefaultParameters: {
    name: 'restore-default-parameters',
    code: 0xc8,
    request: [f('magic', 'magic', 8)],
    reply: OK('reset'),
  },
  setFirstCard: {
    name: 'set-first-card',
    code: 0xaa,
    request: [
      f('door', 'uint8', 8),
      f('startTime', 'HHmm', 9),
      f('activeMode', 'uint8', 11),
      f('endTime', 'HHmm', 12),
      f('inactiveMode', 'uint8', 14),
      ...weekdays(15),
    ],
    reply: OK(),
  },
} satisfies Record<string, FunctionDef>;

export type FunctionName = keyof typeof FUNCTIONS;

/** Function code -> function name. */
export const BY_CODE: ReadonlyMap<number, FunctionName> = new Map(
  (Object.keys(FUNCTIONS) as FunctionName[]).map((k) => [FUNCTIONS[k].code, k]),
);

/** Function code of event packets (the same code as get-status). */
export const EVENT_CODE = 0x20;
