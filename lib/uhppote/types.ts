/**
 * Public types of the UHPPOTE engine: how a controller is addressed, what every function takes and
 * returns, the record-level forms of uhppoted-lib-python 0.9, and controller events.
 *
 * Dates and times are controller-local wall-clock values, as strings:
 * date `YYYY-MM-DD`, date/time `YYYY-MM-DD HH:mm:ss`, time `HH:mm:ss`, clock time `HH:mm`.
 * Where a value may be absent (a never-set card date, an empty event timestamp) it is `null`.
 * Inputs also accept a JS `Date` (its local fields are used).
 */

/** A controller: its serial number, or the serial with an address ('ip' or 'ip:port', default port 60000) and protocol. */
export type ControllerAddress = number | ControllerSpec;

export interface ControllerSpec {
  /** Serial number (device id), e.g. 405419896. */
  id: number;
  /** 'ip' or 'ip:port'. Without it the controller is reached by UDP broadcast. */
  address?: string;
  /** 'udp' (default) or 'tcp' (only with an address). */
  protocol?: 'udp' | 'tcp';
}

/** A date `YYYY-MM-DD` or a JS Date (local fields). */
export type DateInput = string | Date;
/** A date/time `YYYY-MM-DD HH:mm:ss` (or `YYYY-MM-DDTHH:mm:ss`) or a JS Date (local fields). */
export type DateTimeInput = string | Date;

export interface UhppoteOptions {
  /** Local address to send requests from: 'ip' or 'ip:port'. Default '0.0.0.0' (any port). */
  bind?: string;
  /** Where requests to controllers without an address go: 'ip:port'. Default '255.255.255.255:60000'. */
  broadcast?: string;
  /** Where the events listener binds: 'ip:port'. Default '0.0.0.0:60001'. */
  listen?: string;
  /** Default per-call timeout in ms. Default 2500. */
  timeout?: number;
  /** Debug output: `true` logs to console.debug, or a function that receives each line (hex dumps included). */
  debug?: boolean | ((line: string) => void);
}

/** Per-call options. */
export interface CallOptions {
  /** Timeout in ms for this call (default: the engine's `timeout`). */
  timeout?: number;
}

// ---------------------------------------------------------------- replies (function level)

export interface GetControllerResponse {
  controller: number;
  ipAddress: string;
  subnetMask: string;
  gateway: string;
  /** `00:12:23:34:45:56` */
  macAddress: string;
  /** `v8.92` */
  version: string;
  /** Firmware release date `YYYY-MM-DD` (null if unset). */
  date: string | null;
}

export interface SetIPv4Response {
  controller: number;
  /** The controller never answers set-address: true means the request was sent. */
  ok: boolean;
}

export interface GetTimeResponse {
  controller: number;
  datetime: string | null;
}
export type SetTimeResponse = GetTimeResponse;

/** One flag per door 1..4. */
export interface DoorBits {
  1: boolean;
  2: boolean;
  3: boolean;
  4: boolean;
}

/** Fields common to get-status replies and event packets (function 0x20). */
export interface GetStatusResponse {
  controller: number;
  systemDate: string | null;
  systemTime: string | null;
  door1Open: boolean;
  door2Open: boolean;
  door3Open: boolean;
  door4Open: boolean;
  door1Button: boolean;
  door2Button: boolean;
  door3Button: boolean;
  door4Button: boolean;
  /** Relay bits: bit n = door n+1 unlocked. */
  relays: number;
  /** Input bits (bit n = door n+1; uhppoted-lib-python reads bit 0 as fire alarm, bit 1 as lock forced). */
  inputs: number;
  /** `relays` per door: true = relay energised (door unlocked). */
  relayStates: DoorBits;
  /** `inputs` per door. */
  inputStates: DoorBits;
  systemError: number;
  specialInfo: number;
  eventIndex: number;
  eventType: number;
  eventTypeText: string;
  eventAccessGranted: boolean;
  eventDoor: number;
  eventDirection: number;
  eventDirectionText: string;
  eventCard: number;
  eventTimestamp: string | null;
  eventReason: number;
  eventReasonText: string;
  sequenceNo: number;
}

export interface GetListenerResponse {
  controller: number;
  address: string;
  port: number;
  /** Auto-send interval in seconds (0 = events only). */
  interval: number;
}
export interface SetListenerResponse {
  controller: number;
  ok: boolean;
}

export interface GetDoorResponse {
  controller: number;
  door: number;
  mode: number;
  modeText: string;
  /** Unlock time in seconds. */
  delay: number;
}
export type SetDoorResponse = GetDoorResponse;

export interface OpenDoorResponse {
  controller: number;
  opened: boolean;
}

export interface GetCardsResponse {
  controller: number;
  cards: number;
}

/** Raw card reply: card 0 = not found, 0xFFFFFFFF = deleted (the record-level calls throw instead). */
export interface GetCardResponse {
  controller: number;
  card: number;
  startDate: string | null;
  endDate: string | null;
  /** Door permissions: 0 none, 1 always, 2..254 time profile id. */
  door1: number;
  door2: number;
  door3: number;
  door4: number;
  /** Keypad PIN 0..999999 (0 = none). */
  pin: number;
}
export type GetCardAtIndexResponse = GetCardResponse;

export interface PutCardResponse {
  controller: number;
  stored: boolean;
}
export interface DeleteCardResponse {
  controller: number;
  deleted: boolean;
}
export type DeleteAllCardsResponse = DeleteCardResponse;

/** Raw event reply: eventType 0 = not found, 0xFF = overwritten (getEventRecord throws instead). */
export interface GetEventResponse {
  controller: number;
  index: number;
  eventType: number;
  eventTypeText: string;
  accessGranted: boolean;
  door: number;
  direction: number;
  directionText: string;
  card: number;
  timestamp: string | null;
  reason: number;
  reasonText: string;
}

export interface GetEventIndexResponse {
  controller: number;
  eventIndex: number;
}
export interface SetEventIndexResponse {
  controller: number;
  updated: boolean;
}
export interface RecordSpecialEventsResponse {
  controller: number;
  updated: boolean;
}

/** Raw time profile reply: profileId 0 = not found (getTimeProfileRecord throws instead). */
export interface GetTimeProfileResponse {
  controller: number;
  profileId: number;
  startDate: string | null;
  endDate: string | null;
  monday: boolean;
  tuesday: boolean;
  wednesday: boolean;
  thursday: boolean;
  friday: boolean;
  saturday: boolean;
  sunday: boolean;
  /** `HH:mm` or null when the segment is unset. */
  segment1Start: string | null;
  segment1End: string | null;
  segment2Start: string | null;
  segment2End: string | null;
  segment3Start: string | null;
  segment3End: string | null;
  linkedProfileId: number;
}

export interface SetTimeProfileResponse {
  controller: number;
  stored: boolean;
}
export interface ClearTimeProfilesResponse {
  controller: number;
  deleted: boolean;
}
export interface AddTaskResponse {
  controller: number;
  added: boolean;
}
export interface RefreshTasklistResponse {
  controller: number;
  refreshed: boolean;
}
export interface ClearTasklistResponse {
  controller: number;
  cleared: boolean;
}
export interface OkResponse {
  controller: number;
  ok: boolean;
}
export type SetPCControlResponse = OkResponse;
export type SetInterlockResponse = OkResponse;
export type ActivateKeypadsResponse = OkResponse;
export type SetDoorPasscodesResponse = OkResponse;
export type SetAntiPassbackResponse = OkResponse;
export type SetFirstCardResponse = OkResponse;

export interface GetAntiPassbackResponse {
  controller: number;
  antipassback: number;
  antipassbackText: string;
}

export interface RestoreDefaultParametersResponse {
  controller: number;
  reset: boolean;
}

// ---------------------------------------------------------------- requests (function level)

export interface SetIPv4Request {
  address: string;
  netmask: string;
  gateway: string;
}

export interface SetListenerRequest {
  address: string;
  port: number;
  /** Auto-send interval in seconds, 0..255 (default 0: events only). */
  interval?: number;
}

export interface SetDoorRequest {
  door: number;
  /** DoorMode: 1 normally open, 2 normally closed, 3 controlled. */
  mode: number;
  /** Unlock time in seconds. */
  delay: number;
}

export interface PutCardRequest {
  card: number;
  startDate: DateInput;
  endDate: DateInput;
  door1?: number;
  door2?: number;
  door3?: number;
  door4?: number;
  /** Keypad PIN 0..999999 (default 0 = none). */
  pin?: number;
}

export interface Weekdays {
  monday: boolean;
  tuesday: boolean;
  wednesday: boolean;
  thursday: boolean;
  friday: boolean;
  saturday: boolean;
  sunday: boolean;
}

export interface SetTimeProfileRequest extends Partial<Weekdays> {
  profileId: number;
  startDate: DateInput;
  endDate: DateInput;
  /** `HH:mm` (default 00:00). */
  segment1Start?: string;
  segment1End?: string;
  segment2Start?: string;
  segment2End?: string;
  segment3Start?: string;
  segment3End?: string;
  linkedProfileId?: number;
}

export interface AddTaskRequest extends Partial<Weekdays> {
  /** TaskType 0..12. */
  task: number;
  startDate: DateInput;
  endDate: DateInput;
  /** `HH:mm` */
  startTime: string;
  door: number;
  moreCards?: number;
}

export interface ActivateKeypadsRequest {
  reader1: boolean;
  reader2: boolean;
  reader3: boolean;
  reader4: boolean;
}

export interface SetDoorPasscodesRequest {
  door: number;
  /** PINs 0..999999 (0 = unused). */
  passcode1?: number;
  passcode2?: number;
  passcode3?: number;
  passcode4?: number;
}

export interface SetFirstCardRequest extends Partial<Weekdays> {
  door: number;
  /** `HH:mm` */
  startTime: string;
  /** `HH:mm` */
  endTime: string;
  activeMode: number;
  inactiveMode: number;
}

// ---------------------------------------------------------------- record level (uhppoted-lib-python 0.9)

/** A card record; `permissions` maps door 1..4 to 0 (none), 1 (always) or a time profile id 2..254. */
export interface CardRecord {
  card: number;
  startDate: string | null;
  endDate: string | null;
  permissions: { 1: number; 2: number; 3: number; 4: number };
  pin: number;
}

/** Input form of a card record. */
export interface CardRecordInput {
  card: number;
  startDate: DateInput;
  endDate: DateInput;
  permissions?: Partial<Record<1 | 2 | 3 | 4, number>>;
  pin?: number;
}

export interface EventRecord {
  index: number;
  /** EventType */
  kind: number;
  kindText: string;
  timestamp: string | null;
  card: number;
  door: number;
  direction: number;
  directionText: string;
  accessGranted: boolean;
  reason: number;
  reasonText: string;
}

export interface DoorState {
  /** Relay energised (bit n of relays for door n+1). */
  unlocked: boolean;
  open: boolean;
  button: boolean;
}

export interface StatusRecord {
  system: {
    /** Controller date/time `YYYY-MM-DD HH:mm:ss`. */
    datetime: string | null;
    info: number;
    error: number;
  };
  doors: { 1: DoorState; 2: DoorState; 3: DoorState; 4: DoorState };
  /** Input bits per door (bit n = door n+1). */
  inputs: DoorBits;
  alarms: { fire: boolean; lockForced: boolean; flags: number };
  /** The most recent event, or null when the controller has none. */
  event: EventRecord | null;
}

export interface TimeSegment {
  /** `HH:mm` */
  start: string | null;
  end: string | null;
}

export interface TimeProfileRecord {
  id: number;
  startDate: string | null;
  endDate: string | null;
  weekdays: Weekdays;
  segments: { 1: TimeSegment; 2: TimeSegment; 3: TimeSegment };
  linkedProfile: number;
}

export interface TimeProfileRecordInput {
  id: number;
  startDate: DateInput;
  endDate: DateInput;
  weekdays?: Partial<Weekdays>;
  segments?: Partial<Record<1 | 2 | 3, { start?: string | null; end?: string | null }>>;
  linkedProfile?: number;
}

export interface TaskRecord {
  /** TaskType 0..12. */
  task: number;
  startDate: DateInput;
  endDate: DateInput;
  weekdays?: Partial<Weekdays>;
  /** `HH:mm` */
  startTime: string;
  door: number;
  moreCards?: number;
}

export interface DoorPasscodesRecord {
  door: number;
  /** Up to four PINs 0..999999. */
  passcodes: number[];
}

// ---------------------------------------------------------------- events

/**
 * A decoded event/status packet from a controller (function 0x20, start byte 0x17 or 0x19).
 * Same fields as a get-status reply.
 */
export type ControllerEvent = GetStatusResponse;
