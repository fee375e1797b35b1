/**
 * The simulated diffractometer behind the SPEC simulator: motors that move at a finite speed
 * between limits (with limit switches), scalers that count, variables and associative arrays,
 * status flags and the console. Every change is announced as `change` (property, value, flags)
 * so the server can send EVENTs to the clients that registered the property.
 */
import { EventEmitter } from 'node:events';
import { SpecArray, SpecType, SV_DELETED, type SpecAssoc, type SpecValue } from './types';

export class SimError extends Error {}

export interface SimMotorConfig {
  mne: string;
  name: string;
  position?: number;
  offset?: number;
  low: number;
  high: number;
  /** Units per second. */
  speed?: number;
  /** Hardware limit switches (user units), inside or outside the soft limits. */
  switchLow?: number;
  switchHigh?: number;
}

export interface SimMotor {
  mne: string;
  name: string;
  position: number;
  offset: number;
  low: number;
  high: number;
  speed: number;
  switchLow: number;
  switchHigh: number;
  target: number;
  moving: boolean;
  lowHit: boolean;
  highHit: boolean;
  emergencyStop: boolean;
  fault: boolean;
}

export interface SimCounter {
  mne: string;
  name: string;
  value: number;
}

export interface SimModelOptions {
  motors?: SimMotorConfig[];
  /** Speed of every motor without its own, units per second. Default 20. */
  motorSpeed?: number;
  /** Simulation step in ms. Default 20. */
  tickMs?: number;
}

export const DEFAULT_MOTORS: SimMotorConfig[] = [
  { mne: 'tth', name: 'Two Theta', low: -10, high: 170, position: 0 },
  { mne: 'th', name: 'Theta', low: -10, high: 90, position: 0 },
  { mne: 'chi', name: 'Chi', low: -100, high: 100, position: 0 },
  { mne: 'phi', name: 'Phi', low: -180, high: 180, position: 0 },
  { mne: 'tx', name: 'Table X', low: -50, high: 50, position: 0 },
  // A limit switch inside the soft range: a move past 20 stops on it (high_lim_hit).
  { mne: 'ty', name: 'Table Y', low: -50, high: 50, position: 0, switchHigh: 20 },
];

const DEFAULT_COUNTERS: Array<[string, string]> = [
  ['sec', 'Seconds'],
  ['mon', 'Monitor'],
  ['det', 'Detector'],
];

/** Numbers with up to 10 significant decimals, as SPEC's %g shows them, avoiding 0.30000000000000004. */
export function tidy(n: number): number {
  return Number.isFinite(n) ? Number(n.toPrecision(12)) : n;
}

export class SimModel extends EventEmitter {
  readonly motors: SimMotor[];
  readonly counters: SimCounter[];
  readonly variables = new Map<string, SpecValue>();
  private readonly tickMs: number;
  private timer: NodeJS.Timeout | undefined;
  private lastTick = 0;
  private prestart = false;
  private readonly queued = new Map<string, number>();
  /** Preset count time while counting, 0 when idle. */
  countPreset = 0;
  private countElapsed = 0;
  private countBase = { mon: 0, det: 0 };
  busy = 0;
  simulate = 0;
  lastError = '';
  private rngState = 12345;

  constructor(options: SimModelOptions = {}) {
    super();
    this.setMaxListeners(0);
    const speed = options.motorSpeed ?? 20;
    this.tickMs = options.tickMs ?? 20;
    this.motors = (options.motors ?? DEFAULT_MOTORS).map((m) => ({
      mne: m.mne,
      name: m.name,
      position: m.position ?? 0,
      offset: m.offset ?? 0,
      low: m.low,
      high: m.high,
      speed: m.speed ?? speed,
      switchLow: m.switchLow ?? -Infinity,
      switchHigh: m.switchHigh ?? Infinity,
      target: m.position ?? 0,
      moving: false,
      lowHit: false,
      highHit: false,
      emergencyStop: false,
      fault: false,
    }));
    this.counters = DEFAULT_COUNTERS.map(([mne, name]) => ({ mne, name, value: 0 }));
  }

  // -------------------------------------------------------------------------------------------
  // change notification

  changed(property: string, value: SpecValue, flags = 0): void {
    this.emit('change', property, value, flags);
  }

  print(text: string): void {
    if (text) this.changed('output/tty', text);
  }

  setError(text: string): void {
    this.lastError = text;
    this.changed('error', text);
  }

  setBusy(delta: number): void {
    const before = this.ready;
    this.busy += delta;
    if (this.ready !== before) this.changed('status/ready', this.ready);
  }

  get ready(): number {
    return this.busy === 0 ? 1 : 0;
  }

  // -------------------------------------------------------------------------------------------
  // motors

  motor(mne: string): SimMotor | undefined {
    return this.motors.find((m) => m.mne === mne);
  }

  requireMotor(mne: string): SimMotor {
    const m = this.motor(mne);
    if (!m) throw new SimError(`Motor "${mne}" is not configured.`);
    return m;
  }

  dial(m: SimMotor): number {
    return tidy(m.position - m.offset);
  }

  /** Refuses a target beyond the soft limits as SPEC does, before anything moves. */
  checkTarget(m: SimMotor, target: number): void {
    if (!Number.isFinite(target)) throw new SimError(`${m.mne}: bad position ${target}.`);
    if (target > m.high) throw new SimError(`${m.mne} will hit high limit at ${m.high}.`);
    if (target < m.low) throw new SimError(`${m.mne} will hit low limit at ${m.low}.`);
  }

  startMove(m: SimMotor, target: number): void {
    this.checkTarget(m, target);
    if (m.emergencyStop) throw new SimError(`${m.mne}: emergency stop is set.`);
    if (m.moving) throw new SimError(`${m.mne} is already moving.`);
    target = tidy(target);
    if (target === m.position) return;
    m.target = target;
    m.moving = true;
    if (m.lowHit) {
      m.lowHit = false;
      this.changed(`motor/${m.mne}/low_lim_hit`, 0);
    }
    if (m.highHit) {
      m.highHit = false;
      this.changed(`motor/${m.mne}/high_lim_hit`, 0);
    }
    this.changed(`motor/${m.mne}/move_done`, 1);
    this.ensureTicking();
  }

  prestartAll(): void {
    this.prestart = true;
    this.queued.clear();
  }

  startOne(m: SimMotor, target: number): void {
    if (this.prestart) {
      this.checkTarget(m, target);
      this.queued.set(m.mne, target);
    } else this.startMove(m, target);
  }

  startAll(): void {
    const moves = [...this.queued.entries()];
    this.prestart = false;
    this.queued.clear();
    for (const [mne, t] of moves) this.checkTarget(this.requireMotor(mne), t);
    for (const [mne, t] of moves) this.startMove(this.requireMotor(mne), t);
  }

  stopMotor(m: SimMotor): void {
    if (!m.moving) return;
    m.moving = false;
    m.target = m.position;
    this.changed(`motor/${m.mne}/move_done`, 0);
  }

  abortAll(): void {
    this.prestart = false;
    this.queued.clear();
    for (const m of this.motors) this.stopMotor(m);
    this.stopCount();
  }

  setPosition(m: SimMotor, user: number): void {
    // `set` semantics: change the user position by changing the offset.
    m.offset = tidy(m.offset + (user - m.position));
    m.position = tidy(user);
    this.changed(`motor/${m.mne}/offset`, m.offset);
    this.changed(`motor/${m.mne}/position`, m.position);
  }

  get anyMoving(): boolean {
    return this.motors.some((m) => m.moving);
  }

  // -------------------------------------------------------------------------------------------
  // counting

  counter(mne: string): SimCounter | undefined {
    return this.counters.find((c) => c.mne === mne);
  }

  private rand(): number {
    // xorshift32: deterministic noise for counts.
    let x = this.rngState;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rngState = x >>> 0;
    return this.rngState / 0x100000000;
  }

  /** Detector rate (counts/s) from the geometry: a Bragg peak at tth 20, th 10. */
  private detRate(): number {
    const tth = this.motor('tth')?.position ?? 0;
    const th = this.motor('th')?.position ?? 0;
    const chi = this.motor('chi')?.position ?? 0;
    const d = (tth - 20) ** 2 / 0.5 + (th - 10) ** 2 / 0.2 + chi ** 2 / 50;
    return 200 + 50000 * Math.exp(-d);
  }

  startCount(seconds: number): void {
    if (!(seconds > 0) || !Number.isFinite(seconds)) throw new SimError(`count: bad preset ${seconds}.`);
    if (this.countPreset > 0) throw new SimError('count: already counting.');
    this.countPreset = seconds;
    this.countElapsed = 0;
    this.countBase = { mon: 1e5 * (1 + 0.002 * (this.rand() - 0.5)), det: this.detRate() * (1 + 0.02 * (this.rand() - 0.5)) };
    for (const c of this.counters) this.setCounter(c, 0);
    this.changed('scaler/.all./count', seconds);
    this.ensureTicking();
  }

  private setCounter(c: SimCounter, v: number): void {
    if (c.value === v) return;
    c.value = v;
    this.changed(`scaler/${c.mne}/value`, v);
  }

  private updateCounters(t: number): void {
    for (const c of this.counters) {
      const v = c.mne === 'sec' ? tidy(t) : c.mne === 'mon' ? Math.floor(this.countBase.mon * t) : Math.floor(this.countBase.det * t);
      this.setCounter(c, v);
    }
  }

  stopCount(): void {
    if (this.countPreset === 0) return;
    this.updateCounters(this.countElapsed);
    this.countPreset = 0;
    this.changed('scaler/.all./count', 0);
  }

  // -------------------------------------------------------------------------------------------
  // time

  private ensureTicking(): void {
    if (this.timer) return;
    this.lastTick = Date.now();
    this.timer = setInterval(() => this.tick(), this.tickMs);
    this.timer.unref(); // motion alone never keeps a process alive; the server's socket does
  }

  private tick(): void {
    const now = Date.now();
    const dt = Math.max(0, (now - this.lastTick) / 1000);
    this.lastTick = now;
    for (const m of this.motors) {
      if (!m.moving) continue;
      const dir = Math.sign(m.target - m.position);
      let next = m.position + dir * m.speed * dt;
      let done = dir > 0 ? next >= m.target : next <= m.target;
      if (done) next = m.target;
      let hit: 'high' | 'low' | undefined;
      if (dir > 0 && next >= m.switchHigh) {
        next = m.switchHigh;
        hit = 'high';
      } else if (dir < 0 && next <= m.switchLow) {
        next = m.switchLow;
        hit = 'low';
      }
      if (hit) done = true;
      const before = m.position;
      m.position = tidy(next);
      if (m.position !== before) {
        this.changed(`motor/${m.mne}/position`, m.position);
        this.changed(`motor/${m.mne}/dial_position`, this.dial(m));
      }
      if (hit === 'high') {
        m.highHit = true;
        this.changed(`motor/${m.mne}/high_lim_hit`, 1);
      } else if (hit === 'low') {
        m.lowHit = true;
        this.changed(`motor/${m.mne}/low_lim_hit`, 1);
      }
      if (done) {
        m.moving = false;
        m.target = m.position;
        this.changed(`motor/${m.mne}/move_done`, 0);
      }
    }
    if (this.countPreset > 0) {
      this.countElapsed += dt;
      if (this.countElapsed >= this.countPreset) {
        this.countElapsed = this.countPreset;
        this.stopCount();
      } else this.updateCounters(this.countElapsed);
    }
    if (!this.anyMoving && this.countPreset === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    this.emit('tick');
  }

  // -------------------------------------------------------------------------------------------
  // variables

  getVar(name: string): SpecValue | undefined {
    if (name === 'A') return new SpecArray(SpecType.ARR_DOUBLE, 1, this.motors.length, Float64Array.from(this.motors.map((m) => m.position)));
    if (name === 'S') return new SpecArray(SpecType.ARR_DOUBLE, 1, this.counters.length, Float64Array.from(this.counters.map((c) => c.value)));
    if (name === 'MOTORS') return this.motors.length;
    if (name === 'COUNTERS') return this.counters.length;
    return this.variables.get(name);
  }

  setVar(name: string, value: SpecValue): void {
    if (['A', 'S', 'MOTORS', 'COUNTERS'].includes(name)) throw new SimError(`${name} is a built-in and cannot be assigned.`);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new SimError(`bad variable name "${name}".`);
    this.variables.set(name, value);
    this.changed(`var/${name}`, value);
  }

  /** Sets `name[key]` (or `name[key][key2]`), making `name` an associative array if needed. */
  setElement(name: string, key: string, key2: string | undefined, value: number | string): void {
    let cur = this.variables.get(name);
    if (cur instanceof SpecArray) {
      const data = cur.data as unknown as Array<number | string | bigint>;
      const r = Number(key);
      const i = key2 === undefined ? r : r * cur.cols + Number(key2);
      if (!Number.isInteger(i) || i < 0 || i >= cur.data.length) throw new SimError(`${name}: index out of range.`);
      data[i] = typeof data[i] === 'bigint' ? BigInt(Math.trunc(Number(value))) : cur.type === SpecType.ARR_STRING ? String(value) : Number(value);
      // A new wrapper object: the server's cache of encoded bodies is keyed by it.
      const next = new SpecArray(cur.type, cur.rows, cur.cols, cur.data);
      this.variables.set(name, next);
      this.changed(`var/${name}`, next);
      return;
    }
    if (cur === undefined || typeof cur !== 'object' || cur === null) cur = {};
    const assoc = cur as SpecAssoc;
    if (key2 === undefined) {
      const ex = assoc[key];
      if (ex !== undefined && typeof ex === 'object') ex[''] = value;
      else assoc[key] = value;
    } else {
      let inner = assoc[key];
      if (inner === undefined || typeof inner !== 'object') {
        const nested: Record<string, number | string> = {};
        if (inner !== undefined) nested[''] = inner;
        assoc[key] = inner = nested;
      }
      inner[key2] = value;
    }
    this.setVar(name, assoc);
  }

  deleteVar(name: string): boolean {
    if (!this.variables.delete(name)) return false;
    this.changed(`var/${name}`, null, SV_DELETED);
    return true;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.removeAllListeners();
  }
}
