/**
 * Named codes of the UHPPOTE UT0311-L0x protocol with readable text. Each `xxxText(code)` never
 * throws: unknown codes read `unknown (N)`.
 */

type TextOf = (code: number) => string;

/** A lookup from a code table that reads `unknown (N)` for a code the table does not have. */
function textOf(table: Record<number, string>): TextOf {
  return (code) => table[code] ?? `unknown (${code})`;
}

/** Event type of a status/event record (byte 12 of get-status, get-event and event packets). */
export enum EventType {
  None = 0,
  Swipe = 1,
  Door = 2,
  Alarm = 3,
  Overwritten = 0xff,
}

const EVENT_TYPE_TEXT: Record<number, string> = {
  0: 'none',
  1: 'swipe',
  2: 'door',
  3: 'alarm',
  0xff: 'overwritten',
};

export const eventTypeText: TextOf = textOf(EVENT_TYPE_TEXT);

/** Direction of a swipe or door event. */
export enum Direction {
  In = 1,
  Out = 2,
}

export function directionText(code: number): string {
  return code === 1 ? 'in' : code === 2 ? 'out' : `unknown (${code})`;
}

/** Reason code of an event: why access was granted or denied, or what happened at a door. */
export enum Reason {
  None = 0,
  Swipe = 1,
  SwipeOpen = 2,
  SwipeClose = 3,
  DeniedBySystem = 5,
  NoAccessRights = 6,
  IncorrectPassword = 7,
  AntiPassback = 8,
  MoreCards = 9,
  FirstCardOpen = 10,
  DoorNormallyClosed = 11,
  Interlock = 12,
  NotInAllowedTimePeriod = 13,
  InvalidTimezone = 15,
  AccessDenied = 18,
  PushButtonOk = 20,
  DoorOpened = 23,
  DoorClosed = 24,
  DoorOpenedSupervisorPassword = 25,
  ControllerPowerOn = 28,
  ControllerReset = 29,
  PushButtonInvalidDoorLocked = 31,
  PushButtonInvalidOffline = 32,
  PushButtonInvalidInterlock = 33,
  PushButtonInvalidThreat = 34,
  DoorOpenTooLong = 37,
  ForcedOpen = 38,
  Fire = 39,
  ForcedClosed = 40,
  TheftPrevention = 41,
  Zone24x7 = 42,
  Emergency = 43,
  RemoteOpenDoor = 44,
  RemoteOpenDoorUsbReader = 45,
}

const REASON_TEXT: Record<number, string> = {
  0: 'none',
  1: 'swipe',
  2: 'swipe open',
  3: 'swipe close',
  5: 'swipe denied (system)',
  6: 'no access rights',
  7: 'incorrect password',
  8: 'anti-passback',
  9: 'more cards',
  10: 'first card open',
  11: 'door is normally closed',
  12: 'interlock',
  13: 'not in allowed time period',
  15: 'invalid timezone',
  18: 'access denied',
  20: 'push button ok',
  23: 'door opened',
  24: 'door closed',
  25: 'door opened (supervisor password)',
  28: 'controller power on',
  29: 'controller reset',
  31: 'pushbutton invalid (door locked)',
  32: 'pushbutton invalid (offline)',
  33: 'pushbutton invalid (interlock)',
  34: 'pushbutton invalid (threat)',
  37: 'door open too long',
  38: 'forced open',
  39: 'fire',
  40: 'forced closed',
  41: 'theft prevention',
  42: '24x7 zone',
  43: 'emergency',
  44: 'remote open door',
  45: 'remote open door (USB reader)',
};

export const reasonText: TextOf = textOf(REASON_TEXT);

/** Door control mode (get/set door). */
export enum DoorMode {
  NormallyOpen = 1,
  NormallyClosed = 2,
  Controlled = 3,
}

const DOOR_MODE_TEXT: Record<number, string> = { 1: 'normally open', 2: 'normally closed', 3: 'controlled' };

export const doorModeText: TextOf = textOf(DOOR_MODE_TEXT);

/** Door interlock mode (set interlock). */
export enum Interlock {
  None = 0,
  Doors12 = 1,
  Doors34 = 2,
  Doors12And34 = 3,
  Doors123 = 4,
  Doors1234 = 8,
}

const INTERLOCK_TEXT: Record<number, string> = {
  0: 'disabled',
  1: 'doors 1&2',
  2: 'doors 3&4',
  3: 'doors 1&2, 3&4',
  4: 'doors 1&2&3',
  8: 'doors 1&2&3&4',
};

export const interlockText: TextOf = textOf(INTERLOCK_TEXT);

/** Anti-passback mode (get/set anti-passback). */
export enum AntiPassback {
  Disabled = 0,
  Doors12_34 = 1,
  Doors13_24 = 2,
  Door1_23 = 3,
  Door1_234 = 4,
}

const ANTIPASSBACK_TEXT: Record<number, string> = {
  0: 'disabled',
  1: '(1:2);(3:4)',
  2: '(1,3):(2,4)',
  3: '1:(2,3)',
  4: '1:(2,3,4)',
};

export const antiPassbackText: TextOf = textOf(ANTIPASSBACK_TEXT);

/** Task type (add task). */
export enum TaskType {
  DoorControlled = 0,
  DoorNormallyOpen = 1,
  DoorNormallyClosed = 2,
  DisableTimeProfile = 3,
  EnableTimeProfile = 4,
  CardNoPassword = 5,
  CardInPassword = 6,
  CardInOutPassword = 7,
  EnableMoreCards = 8,
  DisableMoreCards = 9,
  TriggerOnce = 10,
  DisablePushbutton = 11,
  EnablePushbutton = 12,
}

const TASK_TEXT: Record<number, string> = {
  0: 'door controlled',
  1: 'door normally open',
  2: 'door normally closed',
  3: 'disable time profile',
  4: 'enable time profile',
  5: 'card, no password',
  6: 'card + IN password',
  7: 'card + password',
  8: 'enable more cards',
  9: 'disable more cards',
  10: 'trigger once',
  11: 'disable pushbutton',
  12: 'enable pushbutton',
};

export const taskTypeText: TextOf = textOf(TASK_TEXT);
