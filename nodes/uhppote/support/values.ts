/**
 * Reading node inputs (editor strings or msg.payload values) into the values the engine takes,
 * with an InvalidArgumentError that names the field for anything unusable.
 */
import { InvalidArgumentError } from '../../../lib/common/errors';
import { toNumber } from '../../common/input';

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export type WeekdayFlags = Record<Weekday, boolean>;

/** True when the value was not given (absent, null or an empty string). */
export function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

export function required(value: unknown, name: string): unknown {
  if (isBlank(value)) throw new InvalidArgumentError(`${name} is required`);
  return value;
}

export function int(value: unknown, name: string, min: number, max: number): number {
  return toNumber(required(value, name), name, { integer: true, min, max });
}

/** An integer with a default when blank. */
export function optInt(value: unknown, name: string, min: number, max: number, fallback: number): number {
  return isBlank(value) ? fallback : toNumber(value, name, { integer: true, min, max });
}

export function door(value: unknown, name = 'door'): number {
  return int(value, name, 1, 4);
}

/** A card number: any 32-bit number but 0 and 0xFFFFFFFF (not validated as Wiegand-26). */
export function card(value: unknown, name = 'card'): number {
  return int(value, name, 1, 0xfffffffe);
}

export function bool(value: unknown, name: string, fallback?: boolean): boolean {
  if (isBlank(value)) {
    if (fallback !== undefined) return fallback;
    throw new InvalidArgumentError(`${name} is required`);
  }
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  if (typeof value === 'string') {
    const s = value.trim().toLowerCase();
    if (['true', 'yes', 'on', '1', 'enabled'].includes(s)) return true;
    if (['false', 'no', 'off', '0', 'disabled'].includes(s)) return false;
  }
  throw new InvalidArgumentError(`${name} must be true or false, got ${JSON.stringify(value)}`);
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function ipv4(value: unknown, name: string): string {
  const s = String(required(value, name)).trim();
  const m = IPV4.exec(s);
  if (!m || m.slice(1).some((o) => Number(o) > 255)) throw new InvalidArgumentError(`${name} must be an IPv4 address, got ${JSON.stringify(value)}`);
  return s;
}

/** `ip:port` split into its parts. */
export function ipPort(value: unknown, name: string): { address: string; port: number } {
  const s = String(required(value, name)).trim();
  const i = s.lastIndexOf(':');
  if (i < 0) throw new InvalidArgumentError(`${name} must be ip:port, got ${JSON.stringify(value)}`);
  return { address: ipv4(s.slice(0, i), name), port: toNumber(s.slice(i + 1), `${name} port`, { integer: true, min: 1, max: 65535 }) };
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

function checkDate(y: number, m: number, d: number, name: string, value: unknown): void {
  const dt = new Date(y, m - 1, d);
  if (y < 2000 || y > 2099 || dt.getFullYear() !== y || dt.getMonth() !== m - 1 || dt.getDate() !== d) {
    throw new InvalidArgumentError(`${name} is not a valid date between 2000 and 2099: ${JSON.stringify(value)}`);
  }
}

/** `YYYY-MM-DD` from a string, a Date (its local fields) or a date/time string (date part). */
export function date(value: unknown, name: string): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new InvalidArgumentError(`${name} is an invalid Date`);
    return localDate(value);
  }
  const s = String(required(value, name)).trim();
  if (s.toLowerCase() === 'today') return localDate(new Date());
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$/.exec(s);
  if (!m) throw new InvalidArgumentError(`${name} must be YYYY-MM-DD, got ${JSON.stringify(value)}`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  checkDate(y, mo, d, name, value);
  return `${y}-${pad(mo)}-${pad(d)}`;
}

/** `YYYY-MM-DD HH:mm:ss`; `now` (or blank when `nowIfBlank`) is the host's local clock. */
export function dateTime(value: unknown, name: string, nowIfBlank = false): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new InvalidArgumentError(`${name} is an invalid Date`);
    return localDateTime(value);
  }
  if (isBlank(value) && nowIfBlank) return localDateTime(new Date());
  const s = String(required(value, name)).trim();
  if (s.toLowerCase() === 'now') return localDateTime(new Date());
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(s);
  if (!m) throw new InvalidArgumentError(`${name} must be YYYY-MM-DD HH:mm:ss (controller local time) or "now", got ${JSON.stringify(value)}`);
  const [y, mo, d, h, mi, se] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [number, number, number, number, number, number];
  checkDate(y, mo, d, name, value);
  if (h > 23 || mi > 59 || se > 59) throw new InvalidArgumentError(`${name} has an invalid time: ${JSON.stringify(value)}`);
  return `${y}-${pad(mo)}-${pad(d)} ${pad(h)}:${pad(mi)}:${pad(se)}`;
}

/** `HH:mm` (24 h). */
export function hhmm(value: unknown, name: string, fallback?: string): string {
  if (isBlank(value) && fallback !== undefined) return fallback;
  const s = String(required(value, name)).trim();
  const m = /^(\d{1,2}):(\d{2})$/.exec(s);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) throw new InvalidArgumentError(`${name} must be HH:mm, got ${JSON.stringify(value)}`);
  return `${pad(Number(m[1]))}:${m[2]}`;
}

export function localDate(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function localDateTime(d: Date): string {
  return `${localDate(d)} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * Weekdays from a comma-separated list (`monday,tue,...`), an array of names, or an object of
 * booleans (`{ monday: true }`). `all`/`weekdays`/`weekend` are shorthands.
 */
export function weekdays(value: unknown, name = 'weekdays'): WeekdayFlags {
  const out = Object.fromEntries(WEEKDAYS.map((d) => [d, false])) as WeekdayFlags;
  if (isBlank(value)) return out;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[weekday(k, name)] = bool(v, `${name}.${k}`);
    return out;
  }
  const items = Array.isArray(value) ? value : String(value).split(/[\s,;]+/);
  for (const item of items) {
    const s = String(item).trim().toLowerCase();
    if (s === '') continue;
    if (s === 'all' || s === 'every day' || s === 'daily') WEEKDAYS.forEach((d) => (out[d] = true));
    else if (s === 'weekdays' || s === 'workdays') WEEKDAYS.slice(0, 5).forEach((d) => (out[d] = true));
    else if (s === 'weekend') WEEKDAYS.slice(5).forEach((d) => (out[d] = true));
    else out[weekday(s, name)] = true;
  }
  return out;
}

function weekday(s: string, name: string): Weekday {
  const key = s.trim().toLowerCase();
  const day = WEEKDAYS.find((d) => d === key || (key.length >= 3 && d.startsWith(key)));
  if (!day) throw new InvalidArgumentError(`${name}: unknown weekday ${JSON.stringify(s)}`);
  return day;
}

/** The chosen weekdays as an array of names (the output form, which the inputs accept back). */
export function weekdayList(flags: Partial<WeekdayFlags>): Weekday[] {
  return WEEKDAYS.filter((d) => flags[d]);
}

/** A code of a named enum, from its number or its text (case, `-`, `_` and spaces ignored). */
export function enumCode(value: unknown, name: string, texts: Record<number, string>): number {
  const raw = required(value, name);
  const norm = (s: string): string => s.toLowerCase().replace(/[\s_-]+/g, ' ').trim();
  if (typeof raw === 'number' || (typeof raw === 'string' && /^\s*\d+\s*$/.test(raw))) {
    const n = Number(raw);
    if (Object.prototype.hasOwnProperty.call(texts, n)) return n;
  } else if (typeof raw === 'string') {
    const wanted = norm(raw);
    for (const [code, text] of Object.entries(texts)) if (norm(text) === wanted) return Number(code);
  }
  const allowed = Object.entries(texts).map(([c, t]) => `${c} (${t})`).join(', ');
  throw new InvalidArgumentError(`${name} must be one of ${allowed}; got ${JSON.stringify(raw)}`);
}

/** A door permission of a card: false/0 none, true/1 always, 2..254 a time profile id. */
export function permission(value: unknown, name: string): number {
  if (isBlank(value) || value === false) return 0;
  if (value === true) return 1;
  if (typeof value === 'string') {
    const s = value.trim().toLowerCase();
    if (s === 'none' || s === 'no' || s === 'false') return 0;
    if (s === 'always' || s === 'yes' || s === 'true') return 1;
  }
  return toNumber(value, `${name} (0 none, 1 always, 2-254 time profile)`, { integer: true, min: 0, max: 254 });
}

/** Up to four door passcodes (PINs 0..999999) from an array or a comma-separated list. */
export function passcodes(value: unknown, name = 'passcodes'): number[] {
  if (isBlank(value)) return [];
  const items = Array.isArray(value) ? value : typeof value === 'number' ? [value] : String(value).split(/[\s,;]+/).filter((s) => s !== '');
  if (items.length > 4) throw new InvalidArgumentError(`${name}: at most 4 passcodes, got ${items.length}`);
  return items.map((p, i) => toNumber(p, `${name}[${i + 1}]`, { integer: true, min: 0, max: 999999 }));
}
