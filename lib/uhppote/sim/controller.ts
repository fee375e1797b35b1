/**
 * One simulated UT0311-L0x controller: its state (network, clock, listener, doors, cards, time
 * profiles, tasks, event log, flags) and the semantics of every function. No sockets here: the
 * simulator feeds decoded requests in and sends the replies and event packets out.
 *
 * Semantics (as the real controller, where documented; choices of this simulator marked "sim"):
 * - Requests that need the magic word 0x55AAAA55 and lack it are ignored (no reply).
 * - Cards live in slots; deleting a card leaves a deleted slot (card 0xFFFFFFFF by index) until
 *   delete-all-cards; get-cards counts slots, so walking indexes 1..count visits every card (sim).
 *   get-card by number answers 0 for unknown and deleted cards.
 * - The event log keeps `eventCapacity` events; older indexes read as overwritten (type 0xFF),
 *   indexes beyond the last as not found (an all-zero reply: index 0, type 0); index 0 reads the
 *   oldest event held and 0xFFFFFFFF the newest.
 * - Door open/close and pushbutton events are logged only with record-special-events on.
 * - Swipes are decided from the card, its dates, the door mode, the time profile (sim: weekdays,
 *   segments, linked profiles), interlock (another door of the group open or unlocked: reason 12)
 *   and PC control (the host decides: denied with reason 5).
 * - Refreshed tasks run at their start minute (door modes, trigger once, pushbutton on/off).
 */
import { parseDate, parseDateTime, parseHHmm, type FunctionName, type Values } from '../codec';

export interface SimControllerConfig {
  serial: number;
  /** IP address the controller reports (get-controller). Default 192.168.1.100. */
  ipAddress?: string;
  subnetMask?: string;
  gateway?: string;
  macAddress?: string;
  version?: string;
  /** Event listener 'ip:port' (the controller's own set-listener setting). */
  listener?: string;
  /** Events kept before the oldest are overwritten. Default 1000. */
  eventCapacity?: number;
  /** 0x19 mimics firmware v6.62 event packets. Default 0x17. */
  eventStartByte?: number;
}

export interface SimCard {
  card: number;
  startDate: string;
  endDate: string;
  doors: [number, number, number, number];
  pin: number;
}

export interface SimEvent {
  index: number;
  type: number;
  accessGranted: boolean;
  door: number;
  direction: number;
  card: number;
  timestamp: string;
  reason: number;
}

interface DoorState {
  mode: number;
  delay: number;
  open: boolean;
  button: boolean;
  unlockedUntil: number;
  passcodes: [number, number, number, number];
  firstCard?: Values;
  pushbuttonDisabled?: boolean;
}

interface Task extends Values {}

const pad2 = (n: number): string => String(n).padStart(2, '0');

export function formatLocal(d: Date): { date: string; time: string; datetime: string } {
  const date = `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
  const time = `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
  return { date, time, datetime: `${date} ${time}` };
}

const DEFAULT_DOOR = (): DoorState => ({ mode: 3, delay: 5, open: false, button: false, unlockedUntil: 0, passcodes: [0, 0, 0, 0] });
const DELETED = 0xffffffff;
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

function dateKey(value: unknown): string {
  const [y, m, d] = parseDate(value as string, 'date');
  return `${y}-${pad2(m)}-${pad2(d)}`;
}

export class SimController {
  readonly serial: number;
  ipAddress: string;
  subnetMask: string;
  gateway: string;
  readonly macAddress: string;
  readonly version: string;
  readonly releaseDate = '2018-11-05';
  listenerAddress = '0.0.0.0';
  listenerPort = 0;
  listenerInterval = 0;
  eventCapacity: number;
  eventStartByte: number;
  /** Clock offset from the host clock, ms (set-time). */
  clockOffset = 0;
  doors: [DoorState, DoorState, DoorState, DoorState] = [DEFAULT_DOOR(), DEFAULT_DOOR(), DEFAULT_DOOR(), DEFAULT_DOOR()];
  cards: SimCard[] = [];
  timeProfiles = new Map<number, Values>();
  tasks: Task[] = [];
  pendingTasks: Task[] = [];
  events: SimEvent[] = [];
  lastEventIndex = 0;
  downloadedEventIndex = 0;
  recordSpecialEvents = false;
  pcControl = false;
  interlock = 0;
  keypads: [boolean, boolean, boolean, boolean] = [false, false, false, false];
  antipassback = 0;
  systemError = 0;
  specialInfo = 0;
  inputs = 0;
  sequenceNo = 0;
  private lastTaskMinute = '';

  constructor(config: SimControllerConfig) {
    this.serial = config.serial;
    this.ipAddress = config.ipAddress ?? '192.168.1.100';
    this.subnetMask = config.subnetMask ?? '255.255.255.0';
    this.gateway = config.gateway ?? '192.168.1.1';
    this.macAddress = config.macAddress ?? ['00', '12', '23', ...[16, 8, 0].map((sh) => ((config.serial >>> sh) & 0xff).toString(16).padStart(2, '0'))].join(':');
    this.version = config.version ?? 'v8.92';
    this.eventCapacity = Math.max(1, config.eventCapacity ?? 1000);
    this.eventStartByte = config.eventStartByte ?? 0x17;
    if (config.listener) {
      const [a, p] = config.listener.split(':');
      this.listenerAddress = a;
      this.listenerPort = Number(p ?? 60001);
    }
  }

  now(): Date {
    return new Date(Date.now() + this.clockOffset);
  }

  private relays(): number {
    const t = Date.now();
    let bits = 0;
    this.doors.forEach((d, i) => {
      if (d.mode === 1 || d.unlockedUntil > t) bits |= 1 << i;
    });
    return bits;
  }

  /** The get-status / event-packet values. */
  status(): Values {
    const now = formatLocal(this.now());
    const last = this.events.length > 0 ? this.events[this.events.length - 1] : undefined;
    const values: Values = {
      systemDate: now.date,
      systemTime: now.time,
      systemError: this.systemError,
      specialInfo: this.specialInfo,
      relays: this.relays(),
      inputs: this.inputs,
      sequenceNo: this.sequenceNo,
    };
    this.doors.forEach((d, i) => {
      values[`door${i + 1}Open`] = d.open;
      values[`door${i + 1}Button`] = d.button;
    });
    if (last) {
      Object.assign(values, {
        eventIndex: last.index,
        eventType: last.type,
        eventAccessGranted: last.accessGranted,
        eventDoor: last.door,
        eventDirection: last.direction,
        eventCard: last.card,
        eventTimestamp: last.timestamp,
        eventReason: last.reason,
      });
    } else {
      values.eventTimestamp = null;
    }
    return values;
  }

  /** Appends an event to the log (dropping the oldest beyond capacity) and returns it. */
  logEvent(e: Omit<SimEvent, 'index' | 'timestamp'>): SimEvent {
    const event: SimEvent = { ...e, index: ++this.lastEventIndex, timestamp: formatLocal(this.now()).datetime };
    this.events.push(event);
    if (this.events.length > this.eventCapacity) this.events.splice(0, this.events.length - this.eventCapacity);
    return event;
  }

  private findCard(card: number): SimCard | undefined {
    return this.cards.find((c) => c.card === card);
  }

  private profileAllows(profileId: number, at: Date, depth = 0): boolean {
    const p = this.timeProfiles.get(profileId);
    if (!p || depth > 8) return false;
    const today = formatLocal(at);
    const inDates = p.startDate !== null && p.endDate !== null && today.date >= (p.startDate as string) && today.date <= (p.endDate as string);
    if (inDates && p[WEEKDAYS[at.getDay()]] === true) {
      const hhmm = today.time.slice(0, 5);
      for (const s of [1, 2, 3]) {
        const start = p[`segment${s}Start`] as string | null;
        const end = p[`segment${s}End`] as string | null;
        if (start && end && start !== end && hhmm >= start && hhmm <= end) return true;
      }
    }
    const linked = p.linkedProfileId as number;
    return linked >= 2 ? this.profileAllows(linked, at, depth + 1) : false;
  }

  /** A card presented at a door: decides access as the controller would, logs and returns the event. */
  swipe(card: number, door: number, direction = 1): SimEvent {
    const at = this.now();
    const today = formatLocal(at).date;
    const d = this.doors[door - 1];
    const record = card !== DELETED ? this.findCard(card) : undefined;
    let granted = false;
    let reason = 6; // no access rights
    if (record && record.startDate <= today && today <= record.endDate) {
      const permission = record.doors[door - 1];
      if (d.mode === 2) reason = 11;
      else if (permission === 1) granted = true;
      else if (permission >= 2) {
        if (this.profileAllows(permission, at)) granted = true;
        else reason = 13;
      }
    }
    if (granted && this.pcControl) {
      // under PC control the controller leaves the decision to the host (which opens the door remotely)
      granted = false;
      reason = 5;
    } else if (granted && this.interlocked(door)) {
      granted = false;
      reason = 12;
    }
    if (granted) {
      reason = 1;
      d.unlockedUntil = Date.now() + d.delay * 1000;
    }
    return this.logEvent({ type: 1, accessGranted: granted, door, direction, card, reason });
  }

  /** True when another door of `door`'s interlock group is open or unlocked. */
  interlocked(door: number): boolean {
    const groups: Record<number, number[][]> = { 1: [[1, 2]], 2: [[3, 4]], 3: [[1, 2], [3, 4]], 4: [[1, 2, 3]], 8: [[1, 2, 3, 4]] };
    const now = Date.now();
    for (const group of groups[this.interlock] ?? []) {
      if (!group.includes(door)) continue;
      for (const other of group) {
        if (other === door) continue;
        const o = this.doors[other - 1];
        if (o.open || o.mode === 1 || o.unlockedUntil > now) return true;
      }
    }
    return false;
  }

  /**
   * Runs the task list for the controller-local minute of `at`: every refreshed task whose dates,
   * weekday and start time match is applied once (door modes, pushbutton, trigger once; the
   * card/password/time-profile task types are recorded but have no effect in the simulator).
   */
  runTasks(at: Date): void {
    const local = formatLocal(at);
    const minute = `${local.date} ${local.time.slice(0, 5)}`;
    if (minute === this.lastTaskMinute) return;
    this.lastTaskMinute = minute;
    const weekday = WEEKDAYS[at.getDay()];
    for (const t of this.tasks) {
      if (t.startDate === null || t.endDate === null || local.date < (t.startDate as string) || local.date > (t.endDate as string)) continue;
      if (t[weekday] !== true || t.startTime !== local.time.slice(0, 5)) continue;
      const d = this.doors[(t.door as number) - 1];
      if (!d) continue;
      switch (t.task as number) {
        case 0:
          d.mode = 3;
          break;
        case 1:
          d.mode = 1;
          break;
        case 2:
          d.mode = 2;
          break;
        case 10:
          d.unlockedUntil = Date.now() + d.delay * 1000;
          break;
        case 11:
          d.pushbuttonDisabled = true;
          break;
        case 12:
          d.pushbuttonDisabled = false;
          break;
      }
    }
  }

  /** Door sensor change; logged only with record-special-events on. */
  doorSensor(door: number, open: boolean): SimEvent | undefined {
    this.doors[door - 1].open = open;
    if (!this.recordSpecialEvents) return undefined;
    return this.logEvent({ type: 2, accessGranted: true, door, direction: 1, card: 0, reason: open ? 23 : 24 });
  }

  /** Pushbutton press; unlocks the door; logged only with record-special-events on. */
  button(door: number): SimEvent | undefined {
    const d = this.doors[door - 1];
    const locked = d.mode === 2 || d.pushbuttonDisabled === true;
    const interlocked = !locked && this.interlocked(door);
    const ok = !locked && !interlocked;
    if (ok) d.unlockedUntil = Date.now() + d.delay * 1000;
    if (!this.recordSpecialEvents) return undefined;
    return this.logEvent({ type: 2, accessGranted: ok, door, direction: 1, card: 0, reason: ok ? 20 : interlocked ? 33 : 31 });
  }

  private restoreDefaults(): void {
    this.doors = [DEFAULT_DOOR(), DEFAULT_DOOR(), DEFAULT_DOOR(), DEFAULT_DOOR()];
    this.recordSpecialEvents = false;
    this.pcControl = false;
    this.interlock = 0;
    this.keypads = [false, false, false, false];
    this.antipassback = 0;
    this.tasks = [];
    this.pendingTasks = [];
  }

  /**
   * Applies a decoded request. Returns the reply values, or null when the controller does not
   * answer (set-address, a missing magic word). `onEvent` receives events logged by the request
   * (remote open door) so the simulator can send them to the listener.
   */
  handle(fn: FunctionName, v: Values, onEvent: (e: SimEvent) => void): Values | null {
    const needsMagic = 'magic' in v;
    if (needsMagic && v.magic !== true) return null;
    const door = (): DoorState | undefined => (typeof v.door === 'number' && v.door >= 1 && v.door <= 4 ? this.doors[v.door - 1] : undefined);
    switch (fn) {
      case 'getController':
        return {
          ipAddress: this.ipAddress,
          subnetMask: this.subnetMask,
          gateway: this.gateway,
          macAddress: this.macAddress,
          version: this.version,
          date: this.releaseDate,
        };
      case 'setIPv4':
        this.ipAddress = v.address as string;
        this.subnetMask = v.netmask as string;
        this.gateway = v.gateway as string;
        return null;
      case 'getTime':
        return { datetime: formatLocal(this.now()).datetime };
      case 'setTime': {
        if (v.datetime === null) return { datetime: formatLocal(this.now()).datetime };
        const [y, mo, d, h, mi, s] = parseDateTime(v.datetime as string, 'datetime');
        this.clockOffset = new Date(y, mo - 1, d, h, mi, s).getTime() - Date.now();
        return { datetime: formatLocal(this.now()).datetime };
      }
      case 'getStatus':
        return this.status();
      case 'getListener':
        return { address: this.listenerAddress, port: this.listenerPort, interval: this.listenerInterval };
      case 'setListener':
        this.listenerAddress = v.address as string;
        this.listenerPort = v.port as number;
        this.listenerInterval = v.interval as number;
        return { ok: true };
      case 'getDoor': {
        const d = door();
        return d ? { door: v.door, mode: d.mode, delay: d.delay } : { door: v.door, mode: 0, delay: 0 };
      }
      case 'setDoor': {
        const d = door();
        if (!d || ![1, 2, 3].includes(v.mode as number)) return { door: v.door, mode: 0, delay: 0 };
        d.mode = v.mode as number;
        d.delay = v.delay as number;
        return { door: v.door, mode: d.mode, delay: d.delay };
      }
      case 'openDoor': {
        const d = door();
        if (!d) return { opened: false };
        d.unlockedUntil = Date.now() + d.delay * 1000;
        onEvent(this.logEvent({ type: 2, accessGranted: true, door: v.door as number, direction: 1, card: 0, reason: 44 }));
        return { opened: true };
      }
      case 'getCards':
        return { cards: this.cards.length };
      case 'getCard': {
        const c = this.findCard(v.card as number);
        return c && c.card !== DELETED ? this.cardValues(c) : { card: 0, startDate: null, endDate: null };
      }
      case 'getCardAtIndex': {
        const i = v.index as number;
        const c = i >= 1 && i <= this.cards.length ? this.cards[i - 1] : undefined;
        if (!c) return { card: 0, startDate: null, endDate: null };
        return c.card === DELETED ? { card: DELETED, startDate: null, endDate: null } : this.cardValues(c);
      }
      case 'putCard': {
        const card = v.card as number;
        if (card === 0 || card === DELETED || v.startDate === null || v.endDate === null) return { stored: false };
        const record: SimCard = {
          card,
          startDate: dateKey(v.startDate),
          endDate: dateKey(v.endDate),
          doors: [v.door1 as number, v.door2 as number, v.door3 as number, v.door4 as number],
          pin: v.pin as number,
        };
        const existing = this.cards.findIndex((c) => c.card === card);
        if (existing >= 0) this.cards[existing] = record;
        else this.cards.push(record);
        return { stored: true };
      }
      case 'deleteCard': {
        const c = this.findCard(v.card as number);
        if (!c || c.card === DELETED) return { deleted: false };
        c.card = DELETED;
        return { deleted: true };
      }
      case 'deleteAllCards':
        this.cards = [];
        return { deleted: true };
      case 'getEvent': {
        // index 0 reads the oldest event still held, 0xFFFFFFFF the newest (as the controller does)
        const oldest = this.events.length > 0 ? this.events[0].index : this.lastEventIndex + 1;
        let index = v.index as number;
        if (index === 0 && this.events.length > 0) index = oldest;
        if (index === 0xffffffff && this.events.length > 0) index = this.lastEventIndex;
        if (index === 0 || index > this.lastEventIndex) return { index: 0, eventType: 0, timestamp: null };
        if (index < oldest) return { index, eventType: 0xff, timestamp: null };
        const e = this.events[index - oldest];
        return {
          index: e.index,
          eventType: e.type,
          accessGranted: e.accessGranted,
          door: e.door,
          direction: e.direction,
          card: e.card,
          timestamp: e.timestamp,
          reason: e.reason,
        };
      }
      case 'getEventIndex':
        return { eventIndex: this.downloadedEventIndex };
      case 'setEventIndex':
        this.downloadedEventIndex = v.index as number;
        return { updated: true };
      case 'recordSpecialEvents':
        this.recordSpecialEvents = v.enabled === true;
        return { updated: true };
      case 'getTimeProfile': {
        const p = this.timeProfiles.get(v.profileId as number);
        return p ? { ...p } : { profileId: 0, startDate: null, endDate: null };
      }
      case 'setTimeProfile': {
        const id = v.profileId as number;
        if (id < 2 || id > 254 || v.startDate === null || v.endDate === null) return { stored: false };
        const { controller: _c, ...profile } = v;
        this.timeProfiles.set(id, profile);
        return { stored: true };
      }
      case 'clearTimeProfiles':
        this.timeProfiles.clear();
        return { deleted: true };
      case 'addTask': {
        if (!door() || (v.task as number) > 12 || v.startDate === null || v.endDate === null) return { added: false };
        const { controller: _c, ...task } = v;
        this.pendingTasks.push(task);
        return { added: true };
      }
      case 'refreshTasklist':
        this.tasks.push(...this.pendingTasks);
        this.pendingTasks = [];
        return { refreshed: true };
      case 'clearTasklist':
        this.tasks = [];
        this.pendingTasks = [];
        return { cleared: true };
      case 'setPCControl':
        this.pcControl = v.enabled === true;
        return { ok: true };
      case 'setInterlock': {
        const ok = [0, 1, 2, 3, 4, 8].includes(v.interlock as number);
        if (ok) this.interlock = v.interlock as number;
        return { ok };
      }
      case 'activateKeypads':
        this.keypads = [v.reader1 === true, v.reader2 === true, v.reader3 === true, v.reader4 === true];
        return { ok: true };
      case 'setDoorPasscodes': {
        const d = door();
        const codes = [v.passcode1, v.passcode2, v.passcode3, v.passcode4].map((p) => ((p as number) <= 999999 ? (p as number) : 0));
        if (!d) return { ok: false };
        d.passcodes = codes as DoorState['passcodes'];
        return { ok: true };
      }
      case 'getAntiPassback':
        return { antipassback: this.antipassback };
      case 'setAntiPassback': {
        const ok = (v.antipassback as number) <= 4;
        if (ok) this.antipassback = v.antipassback as number;
        return { ok };
      }
      case 'restoreDefaultParameters':
        this.restoreDefaults();
        return { reset: true };
      case 'setFirstCard': {
        const d = door();
        if (!d || v.startTime === null || v.endTime === null) return { ok: false };
        parseHHmm(v.startTime as string, 'start');
        const { controller: _c, ...fc } = v;
        d.firstCard = fc;
        return { ok: true };
      }
    }
  }

  private cardValues(c: SimCard): Values {
    return { card: c.card, startDate: c.startDate, endDate: c.endDate, door1: c.doors[0], door2: c.doors[1], door3: c.doors[2], door4: c.doors[3], pin: c.pin };
  }
}
