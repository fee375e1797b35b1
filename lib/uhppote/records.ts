/** Conversions between function-level replies and the record forms of uhppoted-lib-python 0.9. */
import type { ErrorContext } from '../common/errors';
import { directionText, eventTypeText, reasonText } from './enums';
import { CardDeleted, CardNotFound, EventNotFound, EventOverwritten, TimeProfileNotFound } from './errors';
import type {
  CardRecord,
  CardRecordInput,
  DoorPasscodesRecord,
  GetCardResponse,
  GetEventResponse,
  GetStatusResponse,
  GetTimeProfileResponse,
  PutCardRequest,
  SetDoorPasscodesRequest,
  SetTimeProfileRequest,
  StatusRecord,
  TaskRecord,
  AddTaskRequest,
  TimeProfileRecord,
  TimeProfileRecordInput,
  EventRecord,
} from './types';

export function toCardRecord(reply: GetCardResponse, ctx: ErrorContext): CardRecord {
  if (reply.card === 0) throw new CardNotFound(`${ctx.operation ?? 'get-card'} (${ctx.device}): card not found`, ctx);
  if (reply.card === 0xffffffff) throw new CardDeleted(`${ctx.operation ?? 'get-card'} (${ctx.device}): card deleted`, ctx);
  return {
    card: reply.card,
    startDate: reply.startDate,
    endDate: reply.endDate,
    permissions: { 1: reply.door1, 2: reply.door2, 3: reply.door3, 4: reply.door4 },
    pin: reply.pin,
  };
}

export function fromCardRecord(record: CardRecordInput): PutCardRequest {
  const p = record.permissions ?? {};
  return {
    card: record.card,
    startDate: record.startDate,
    endDate: record.endDate,
    door1: p[1] ?? 0,
    door2: p[2] ?? 0,
    door3: p[3] ?? 0,
    door4: p[4] ?? 0,
    pin: record.pin ?? 0,
  };
}

export function toEventRecord(reply: GetEventResponse, ctx: ErrorContext): EventRecord {
  if (reply.eventType === 0) throw new EventNotFound(`get-event (${ctx.device}): no event at index ${reply.index}`, ctx);
  if (reply.eventType === 0xff) throw new EventOverwritten(`get-event (${ctx.device}): event ${reply.index} overwritten`, ctx);
  return {
    index: reply.index,
    kind: reply.eventType,
    kindText: reply.eventTypeText,
    timestamp: reply.timestamp,
    card: reply.card,
    door: reply.door,
    direction: reply.direction,
    directionText: reply.directionText,
    accessGranted: reply.accessGranted,
    reason: reply.reason,
    reasonText: reply.reasonText,
  };
}

export function toStatusRecord(reply: GetStatusResponse): StatusRecord {
  const door = (n: 1 | 2 | 3 | 4): StatusRecord['doors'][1] => ({
    unlocked: (reply.relays & (1 << (n - 1))) !== 0,
    open: reply[`door${n}Open`],
    button: reply[`door${n}Button`],
  });
  return {
    system: {
      datetime: reply.systemDate && reply.systemTime ? `${reply.systemDate} ${reply.systemTime}` : null,
      info: reply.specialInfo,
      error: reply.systemError,
    },
    doors: { 1: door(1), 2: door(2), 3: door(3), 4: door(4) },
    inputs: { ...reply.inputStates },
    alarms: { fire: (reply.inputs & 0x01) !== 0, lockForced: (reply.inputs & 0x02) !== 0, flags: reply.inputs },
    event:
      reply.eventIndex === 0
        ? null
        : {
            index: reply.eventIndex,
            kind: reply.eventType,
            kindText: eventTypeText(reply.eventType),
            timestamp: reply.eventTimestamp,
            card: reply.eventCard,
            door: reply.eventDoor,
            direction: reply.eventDirection,
            directionText: directionText(reply.eventDirection),
            accessGranted: reply.eventAccessGranted,
            reason: reply.eventReason,
            reasonText: reasonText(reply.eventReason),
          },
  };
}

export function toTimeProfileRecord(reply: GetTimeProfileResponse, ctx: ErrorContext & { profile: number }): TimeProfileRecord {
  if (reply.profileId === 0) throw new TimeProfileNotFound(`get-time-profile (${ctx.device}): time profile ${ctx.profile} not found`, ctx);
  return {
    id: reply.profileId,
    startDate: reply.startDate,
    endDate: reply.endDate,
    weekdays: {
      monday: reply.monday,
      tuesday: reply.tuesday,
      wednesday: reply.wednesday,
      thursday: reply.thursday,
      friday: reply.friday,
      saturday: reply.saturday,
      sunday: reply.sunday,
    },
    segments: {
      1: { start: reply.segment1Start, end: reply.segment1End },
      2: { start: reply.segment2Start, end: reply.segment2End },
      3: { start: reply.segment3Start, end: reply.segment3End },
    },
    linkedProfile: reply.linkedProfileId,
  };
}

export function fromTimeProfileRecord(record: TimeProfileRecordInput): SetTimeProfileRequest {
  const s = record.segments ?? {};
  return {
    profileId: record.id,
    startDate: record.startDate,
    endDate: record.endDate,
    ...record.weekdays,
    segment1Start: s[1]?.start ?? undefined,
    segment1End: s[1]?.end ?? undefined,
    segment2Start: s[2]?.start ?? undefined,
    segment2End: s[2]?.end ?? undefined,
    segment3Start: s[3]?.start ?? undefined,
    segment3End: s[3]?.end ?? undefined,
    linkedProfileId: record.linkedProfile ?? 0,
  };
}

export function fromTaskRecord(record: TaskRecord): AddTaskRequest {
  return {
    task: record.task,
    startDate: record.startDate,
    endDate: record.endDate,
    ...record.weekdays,
    startTime: record.startTime,
    door: record.door,
    moreCards: record.moreCards ?? 0,
  };
}

export function fromDoorPasscodesRecord(record: DoorPasscodesRecord): SetDoorPasscodesRequest {
  const p = Array.isArray(record.passcodes) ? record.passcodes : [];
  return { door: record.door, passcode1: p[0] ?? 0, passcode2: p[1] ?? 0, passcode3: p[2] ?? 0, passcode4: p[3] ?? 0 };
}
