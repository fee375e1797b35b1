/** The simulator's property table: what CHAN_READ, CHAN_SEND and REGISTER see. */
import { SimError, tidy, type SimModel } from './sim-model';
import { SpecArray, type SpecValue } from './types';

function num(v: SpecValue, prop: string): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (Number.isNaN(n)) throw new SimError(`${prop}: a number is required.`);
  return n;
}

/** `name`, `name[k]` or `name[k][j]` from a `var/` property. */
export function parseVarProperty(rest: string): { name: string; key?: string; key2?: string } {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:\[([^\]]*)\])?(?:\[([^\]]*)\])?$/.exec(rest);
  if (!m) throw new SimError(`bad variable property "var/${rest}".`);
  const unq = (s: string | undefined): string | undefined => (s === undefined ? undefined : s.replace(/^["'](.*)["']$/, '$1'));
  return { name: m[1], key: unq(m[2]), key2: unq(m[3]) };
}

export function elementOf(value: SpecValue | undefined, key: string, key2?: string): SpecValue | undefined {
  if (value instanceof SpecArray) {
    const i = key2 === undefined ? Number(key) : Number(key) * value.cols + Number(key2);
    const v = (value.data as ArrayLike<number | string | bigint>)[i];
    return typeof v === 'bigint' ? Number(v) : v;
  }
  if (value && typeof value === 'object') {
    const v = value[key];
    if (key2 === undefined) return v !== undefined && typeof v === 'object' ? (v[''] ?? undefined) : v;
    return v !== undefined && typeof v === 'object' ? v[key2] : undefined;
  }
  return undefined;
}

/** Whether a property exists (an unregistered `var/x` may come to exist later). */
export function isKnownProperty(model: SimModel, prop: string): boolean {
  try {
    readProperty(model, prop);
    return true;
  } catch {
    return prop.startsWith('var/') || prop === 'error' || prop.startsWith('output/');
  }
}

export function readProperty(model: SimModel, prop: string): SpecValue {
  const parts = prop.split('/');
  if (parts[0] === 'motor' && parts.length === 3) {
    const m = model.requireMotor(parts[1]);
    switch (parts[2]) {
      case 'position': return m.position;
      case 'dial_position': return model.dial(m);
      case 'offset': return m.offset;
      case 'move_done': return m.moving ? 1 : 0;
      case 'high_lim_hit': return m.highHit ? 1 : 0;
      case 'low_lim_hit': return m.lowHit ? 1 : 0;
      case 'emergency_stop': return m.emergencyStop ? 1 : 0;
      case 'motor_fault': return m.fault ? 1 : 0;
      case 'high_limit': return m.high;
      case 'low_limit': return m.low;
      case 'step_size': return 1000;
      case 'sign': return 1;
      case 'unusable': return 0;
      case 'name': return m.name;
      case 'start_one':
      case 'search':
      case 'abort_one':
        return 0;
    }
  }
  if (parts[0] === 'motor' && parts[1] === '..' && parts.length === 3 && ['prestart_all', 'start_all', 'abort_all'].includes(parts[2])) return 0;
  if (parts[0] === 'scaler' && parts.length === 3) {
    if (parts[1] === '.all.' && parts[2] === 'count') return model.countPreset;
    const c = model.counter(parts[1]);
    if (!c) throw new SimError(`Counter "${parts[1]}" is not configured.`);
    if (parts[2] === 'value') return c.value;
    if (parts[2] === 'name') return c.name;
  }
  if (parts[0] === 'var' && parts.length >= 2) {
    const { name, key, key2 } = parseVarProperty(prop.slice(4));
    const v = model.getVar(name);
    if (v === undefined) throw new SimError(`Variable "${name}" is not defined.`);
    if (key === undefined) return v;
    // In SPEC a motor or counter mnemonic is that motor's number: A[tth], S[det].
    const index = (k: string | undefined): string | undefined => {
      if (k === undefined || !(v instanceof SpecArray) || /^\d+$/.test(k)) return k;
      const mi = model.motors.findIndex((m) => m.mne === k);
      if (mi >= 0) return String(mi);
      const ci = model.counters.findIndex((c) => c.mne === k);
      return ci >= 0 ? String(ci) : k;
    };
    const e = elementOf(v, index(key) as string, index(key2));
    if (e === undefined) throw new SimError(`${prop.slice(4)}: no such element.`);
    return e;
  }
  if (parts[0] === 'status' && parts.length === 2) {
    switch (parts[1]) {
      case 'ready': return model.ready;
      case 'shell': return 0;
      case 'simulate': return model.simulate;
      case 'quit': return 0;
    }
  }
  if (prop === 'error') return model.lastError;
  if (prop === 'output/tty') return '';
  throw new SimError(`Unknown property "${prop}".`);
}

export function writeProperty(model: SimModel, prop: string, value: SpecValue): void {
  const parts = prop.split('/');
  if (parts[0] === 'motor' && parts[1] === '..' && parts.length === 3) {
    switch (parts[2]) {
      case 'prestart_all': return model.prestartAll();
      case 'start_all': return model.startAll();
      case 'abort_all': return model.abortAll();
    }
  }
  if (parts[0] === 'motor' && parts.length === 3) {
    const m = model.requireMotor(parts[1]);
    switch (parts[2]) {
      case 'position': return model.startMove(m, num(value, prop));
      case 'dial_position': return model.startMove(m, tidy(num(value, prop) + m.offset));
      case 'start_one': return model.startOne(m, num(value, prop));
      case 'offset': {
        m.offset = num(value, prop);
        model.changed(`motor/${m.mne}/offset`, m.offset);
        model.changed(`motor/${m.mne}/position`, m.position);
        return;
      }
      case 'high_limit':
      case 'low_limit': {
        const v = num(value, prop);
        if (parts[2] === 'high_limit') m.high = v;
        else m.low = v;
        model.changed(prop, v);
        return;
      }
      case 'abort_one': return model.stopMotor(m);
      case 'search': return model.startMove(m, m.offset); // home: dial 0
      case 'emergency_stop': {
        m.emergencyStop = num(value, prop) !== 0;
        if (m.emergencyStop) model.stopMotor(m);
        model.changed(prop, m.emergencyStop ? 1 : 0);
        return;
      }
    }
    throw new SimError(`${prop} is read-only or unknown.`);
  }
  if (parts[0] === 'scaler' && parts[1] === '.all.' && parts[2] === 'count' && parts.length === 3) {
    const t = num(value, prop);
    if (t === 0) return model.stopCount();
    return model.startCount(t);
  }
  if (parts[0] === 'var' && parts.length >= 2) {
    const { name, key, key2 } = parseVarProperty(prop.slice(4));
    if (key === undefined) return model.setVar(name, value);
    if (typeof value !== 'number' && typeof value !== 'string') throw new SimError(`${prop}: an element takes a number or a string.`);
    return model.setElement(name, key, key2, value);
  }
  if (prop === 'status/simulate') {
    model.simulate = num(value, prop) ? 1 : 0;
    model.changed(prop, model.simulate);
    return;
  }
  throw new SimError(`${prop} is read-only or unknown.`);
}
