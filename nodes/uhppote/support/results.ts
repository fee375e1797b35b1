/**
 * Engine replies as the plain JSON payloads the nodes send: controller-local date/times as
 * `YYYY-MM-DD HH:mm:ss`, codes next to their readable text, the four doors alike.
 */
import type {
  ControllerEvent, EventRecord, GetCardResponse, GetControllerResponse, GetEventResponse, GetStatusResponse,
  GetTimeProfileResponse, CardRecord, TimeProfileRecord,
} from '../../../lib/uhppote';
import { RejectedError } from '../../../lib/common/errors';
import { weekdayList } from './values';

export interface ControllerJson {
  controller: number;
  address: string;
  netmask: string;
  gateway: string;
  mac: string;
  version: string;
  date: string | null;
}

export function controllerJson(r: GetControllerResponse): ControllerJson {
  return {
    controller: r.controller,
    address: r.ipAddress,
    netmask: r.subnetMask,
    gateway: r.gateway,
    mac: r.macAddress,
    version: r.version,
    date: r.date,
  };
}

export interface EventJson {
  controller: number;
  index: number;
  /** `swipe`, `door`, `alarm`, `overwritten`, `none` or `unknown (N)` */
  type: string;
  typeCode: number;
  accessGranted: boolean;
  door: number;
  direction: string;
  directionCode: number;
  card: number;
  timestamp: string | null;
  /** Readable reason text, e.g. `no access rights`. */
  reason: string;
  reasonCode: number;
}

/** The event of a get-event reply or of an event record. */
export function eventJson(controller: number, e: GetEventResponse | EventRecord): EventJson {
  const isRecord = 'kind' in e;
  return {
    controller,
    index: e.index,
    type: isRecord ? e.kindText : e.eventTypeText,
    typeCode: isRecord ? e.kind : e.eventType,
    accessGranted: e.accessGranted,
    door: e.door,
    direction: e.directionText,
    directionCode: e.direction,
    card: e.card,
    timestamp: e.timestamp,
    reason: e.reasonText,
    reasonCode: e.reason,
  };
}

/** The event carried by a status reply or an event packet, or null when the controller has none. */
export function statusEventJson(s: GetStatusResponse): EventJson | null {
  if (s.eventIndex === 0 && s.eventType === 0) return null;
  return {
    controller: s.controller,
    index: s.eventIndex,
    type: s.eventTypeText,
    typeCode: s.eventType,
    accessGranted: s.eventAccessGranted,
    door: s.eventDoor,
    direction: s.eventDirectionText,
    directionCode: s.eventDirection,
    card: s.eventCard,
    timestamp: s.eventTimestamp,
    reason: s.eventReasonText,
    reasonCode: s.eventReason,
  };
}

export interface DoorJson {
  door: number;
  open: boolean;
  button: boolean;
  /** The door's relay is energised (lock released). */
  unlocked: boolean;
  /** The door's input bit. */
  input: boolean;
}

/** Door n's state from its own open/button flags and the engine's per-door relay and input bits: every door alike. */
export function doorsJson(s: GetStatusResponse): DoorJson[] {
  const open = [s.door1Open, s.door2Open, s.door3Open, s.door4Open];
  const button = [s.door1Button, s.door2Button, s.door3Button, s.door4Button];
  return ([1, 2, 3, 4] as const).map((door) => ({
    door,
    open: open[door - 1] === true,
    button: button[door - 1] === true,
    unlocked: s.relayStates[door] === true,
    input: s.inputStates[door] === true,
  }));
}

export function joinDateTime(date: string | null, time: string | null): string | null {
  if (!date) return null;
  return `${date} ${time ?? '00:00:00'}`;
}

export function statusJson(s: GetStatusResponse | ControllerEvent): Record<string, unknown> {
  return {
    controller: s.controller,
    datetime: joinDateTime(s.systemDate, s.systemTime),
    doors: doorsJson(s),
    relays: s.relays,
    inputs: s.inputs,
    alarms: { fire: (s.inputs & 0x01) !== 0, lockForced: (s.inputs & 0x02) !== 0 },
    systemError: s.systemError,
    specialInfo: s.specialInfo,
    sequenceNo: s.sequenceNo,
    event: statusEventJson(s),
  };
}

/** A card as the put-card inputs take it back: door1..door4 are 0 none, 1 always or a time profile id. */
export function cardJson(controller: number, c: GetCardResponse | CardRecord): Record<string, unknown> {
  const doors = 'permissions' in c ? c.permissions : { 1: c.door1, 2: c.door2, 3: c.door3, 4: c.door4 };
  return {
    controller,
    card: c.card,
    startDate: c.startDate,
    endDate: c.endDate,
    door1: doors[1],
    door2: doors[2],
    door3: doors[3],
    door4: doors[4],
    pin: c.pin,
  };
}

/** A time profile as set-time-profile takes it back. */
export function timeProfileJson(controller: number, p: GetTimeProfileResponse | TimeProfileRecord): Record<string, unknown> {
  if ('profileId' in p) {
    return {
      controller,
      profile: p.profileId,
      startDate: p.startDate,
      endDate: p.endDate,
      weekdays: weekdayList(p),
      segment1Start: p.segment1Start,
      segment1End: p.segment1End,
      segment2Start: p.segment2Start,
      segment2End: p.segment2End,
      segment3Start: p.segment3Start,
      segment3End: p.segment3End,
      linkedProfile: p.linkedProfileId,
    };
  }
  return {
    controller,
    profile: p.id,
    startDate: p.startDate,
    endDate: p.endDate,
    weekdays: weekdayList(p.weekdays),
    segment1Start: p.segments[1].start,
    segment1End: p.segments[1].end,
    segment2Start: p.segments[2].start,
    segment2End: p.segments[2].end,
    segment3Start: p.segments[3].start,
    segment3End: p.segments[3].end,
    linkedProfile: p.linkedProfile,
  };
}

/** A set operation the controller answered with false (it refused): a RejectedError for the Catch path. */
export function accepted<T>(flag: boolean, what: string, value: T): T {
  if (!flag) throw new RejectedError(`the controller refused to ${what}`);
  return value;
}
