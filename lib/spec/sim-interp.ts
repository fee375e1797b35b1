/**
 * A small SPEC command interpreter for the simulator: the common macros (`mv`, `umv`, `mvr`,
 * `umvr`, `wm`, `wa`, `ct`, `count`, `p`), assignment (`x = 1`, `a["k"] = 2`, `a[1][2] = 3`,
 * `+=` ...), `delete`, data array declarations (`array d[10]`, `ulong array m[4][8]`), the
 * functions `motor_mne(i)`, `motor_name(i)`, `cnt_mne(i)`, `cnt_name(i)`, `sleep(s)`, `date()`,
 * and the built-ins `A`, `S`, `MOTORS`, `COUNTERS`. Console text goes to `output/tty`.
 */
import { elementOf } from './sim-props';
import { SimError, tidy, type SimModel } from './sim-model';
import { SpecArray, SpecType, type SpecArrayType, type SpecValue } from './types';

type Tok = { t: 'num'; v: number } | { t: 'str'; v: string } | { t: 'id'; v: string } | { t: 'op'; v: string };

const OPS = ['+=', '-=', '*=', '/=', '==', '!=', '<=', '>=', '&&', '||', '+', '-', '*', '/', '%', '(', ')', '[', ']', ',', '=', '<', '>', '!'];

export function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '#') break;
    if (/[0-9.]/.test(c) && /[0-9.]/.test(src[i + 1] ?? '') || /[0-9]/.test(c)) {
      const m = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(src.slice(i));
      if (!m) throw new SimError(`syntax error near "${src.slice(i, i + 10)}"`);
      out.push({ t: 'num', v: Number(m[0]) });
      i += m[0].length;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i)) as RegExpExecArray;
      out.push({ t: 'id', v: m[0] });
      i += m[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      let s = '';
      i++;
      while (i < src.length && src[i] !== c) {
        if (src[i] === '\\' && i + 1 < src.length) {
          const e = src[i + 1];
          s += e === 'n' ? '\n' : e === 't' ? '\t' : e;
          i += 2;
        } else s += src[i++];
      }
      if (src[i] !== c) throw new SimError('syntax error: unterminated string');
      i++;
      out.push({ t: 'str', v: s });
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new SimError(`syntax error near "${src.slice(i, i + 10)}"`);
    out.push({ t: 'op', v: op });
    i += op.length;
  }
  return out;
}

/** Splits a command line into statements at top-level `;` and newlines. */
export function splitStatements(src: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote = '';
  let depth = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (quote) {
      cur += c;
      if (c === '\\') cur += src[++i] ?? '';
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    if (c === '(' || c === '[') depth++;
    if (c === ')' || c === ']') depth--;
    if ((c === ';' || c === '\n') && depth <= 0) {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += c;
  }
  if (quote) throw new SimError('syntax error: unterminated string');
  if (cur.trim()) out.push(cur.trim());
  return out;
}

type Val = SpecValue;

function toNum(v: Val): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const n = Number(v);
    return v.trim() === '' || Number.isNaN(n) ? 0 : n;
  }
  return 0;
}

function isNumeric(v: Val): boolean {
  return typeof v === 'number' || (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)));
}

export function formatValue(v: Val): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return String(tidy(v));
  if (typeof v === 'string') return v;
  if (v instanceof SpecArray) return (v.toJSON() as unknown[]).flat().join(' ');
  const parts: string[] = [];
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === 'object') for (const [k2, y] of Object.entries(x)) parts.push(k2 === '' ? `${k}=${y}` : `${k}][${k2}=${y}`);
    else parts.push(`${k}=${x}`);
  }
  return parts.join(' ');
}

const ARRAY_TYPES: Record<string, SpecArrayType> = {
  double: SpecType.ARR_DOUBLE,
  float: SpecType.ARR_FLOAT,
  long: SpecType.ARR_LONG,
  ulong: SpecType.ARR_ULONG,
  short: SpecType.ARR_SHORT,
  ushort: SpecType.ARR_USHORT,
  byte: SpecType.ARR_CHAR,
  ubyte: SpecType.ARR_UCHAR,
  string: SpecType.ARR_STRING,
  long64: SpecType.ARR_LONG64,
  ulong64: SpecType.ARR_ULONG64,
};

function makeArray(type: SpecArrayType, rows: number, cols: number): SpecArray {
  const n = rows * cols;
  switch (type) {
    case SpecType.ARR_FLOAT: return new SpecArray(type, rows, cols, new Float32Array(n));
    case SpecType.ARR_LONG: return new SpecArray(type, rows, cols, new Int32Array(n));
    case SpecType.ARR_ULONG: return new SpecArray(type, rows, cols, new Uint32Array(n));
    case SpecType.ARR_SHORT: return new SpecArray(type, rows, cols, new Int16Array(n));
    case SpecType.ARR_USHORT: return new SpecArray(type, rows, cols, new Uint16Array(n));
    case SpecType.ARR_CHAR: return new SpecArray(type, rows, cols, new Int8Array(n));
    case SpecType.ARR_UCHAR: return new SpecArray(type, rows, cols, new Uint8Array(n));
    case SpecType.ARR_LONG64: return new SpecArray(type, rows, cols, new BigInt64Array(n));
    case SpecType.ARR_ULONG64: return new SpecArray(type, rows, cols, new BigUint64Array(n));
    case SpecType.ARR_STRING: return new SpecArray(type, rows, Math.max(cols, 1), new Array<string>(rows).fill(''));
    default: return new SpecArray(SpecType.ARR_DOUBLE, rows, cols, new Float64Array(n));
  }
}

/** What the interpreter needs from the running server besides the model. */
export interface InterpContext {
  /** Resolves when every motor has stopped or counting ended; rejects when aborted. */
  waitIdle(what: 'move' | 'count'): Promise<void>;
  /** Resolves after `ms`; rejects when aborted. */
  sleep(ms: number): Promise<void>;
}

class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}
  peek(): Tok | undefined {
    return this.toks[this.i];
  }
  next(): Tok {
    const t = this.toks[this.i++];
    if (!t) throw new SimError('syntax error: unexpected end of line');
    return t;
  }
  atEnd(): boolean {
    return this.i >= this.toks.length;
  }
  isOp(v: string): boolean {
    const t = this.peek();
    return t?.t === 'op' && t.v === v;
  }
  expectOp(v: string): void {
    const t = this.next();
    if (t.t !== 'op' || t.v !== v) throw new SimError(`syntax error: expected "${v}"`);
  }
}

type Node =
  | { k: 'lit'; v: Val }
  | { k: 'var'; name: string }
  | { k: 'idx'; base: Node; keys: Node[] }
  | { k: 'call'; name: string; args: Node[] }
  | { k: 'un'; op: string; a: Node }
  | { k: 'bin'; op: string; a: Node; b: Node };

const PREC: Record<string, number> = { '||': 1, '&&': 2, '==': 3, '!=': 3, '<': 4, '>': 4, '<=': 4, '>=': 4, '+': 5, '-': 5, '*': 6, '/': 6, '%': 6 };

function parseExpr(p: Parser, min = 1): Node {
  let a = parseUnary(p);
  for (;;) {
    const t = p.peek();
    if (!t || t.t !== 'op' || !(t.v in PREC) || PREC[t.v] < min) return a;
    p.next();
    const b = parseExpr(p, PREC[t.v] + 1);
    a = { k: 'bin', op: t.v, a, b };
  }
}

function parseUnary(p: Parser): Node {
  if (p.isOp('-') || p.isOp('!') || p.isOp('+')) {
    const op = (p.next() as { v: string }).v;
    return { k: 'un', op, a: parseUnary(p) };
  }
  let n = parsePrimary(p);
  while (p.isOp('[')) {
    const keys: Node[] = [];
    while (p.isOp('[')) {
      p.next();
      keys.push(parseExpr(p));
      p.expectOp(']');
    }
    n = { k: 'idx', base: n, keys };
  }
  return n;
}

function parsePrimary(p: Parser): Node {
  const t = p.next();
  if (t.t === 'num') return { k: 'lit', v: t.v };
  if (t.t === 'str') return { k: 'lit', v: t.v };
  if (t.t === 'id') {
    if (p.isOp('(')) {
      p.next();
      const args: Node[] = [];
      if (!p.isOp(')')) {
        args.push(parseExpr(p));
        while (p.isOp(',')) {
          p.next();
          args.push(parseExpr(p));
        }
      }
      p.expectOp(')');
      return { k: 'call', name: t.v, args };
    }
    return { k: 'var', name: t.v };
  }
  if (t.t === 'op' && t.v === '(') {
    const e = parseExpr(p);
    p.expectOp(')');
    return e;
  }
  throw new SimError(`syntax error near "${t.v}"`);
}

const COMMANDS = new Set(['mv', 'umv', 'mvr', 'umvr', 'wm', 'wa', 'ct', 'count', 'p', 'print', 'delete', 'array', 'set', 'return']);

export class Interpreter {
  constructor(
    private readonly model: SimModel,
    private readonly ctx: InterpContext,
  ) {}

  /** Runs a command line; resolves with the value of its last expression (or ''). */
  async execute(src: string): Promise<Val> {
    let result: Val = '';
    for (const stmt of splitStatements(src)) result = await this.statement(stmt);
    return result;
  }

  /** Evaluates a function call text (`name(args)`) for FUNC / FUNC_WITH_RETURN. */
  async callText(src: string): Promise<Val> {
    return this.execute(src);
  }

  private async statement(src: string): Promise<Val> {
    const toks = tokenize(src);
    if (toks.length === 0) return '';
    const first = toks[0];
    if (first.t === 'id' && COMMANDS.has(first.v) && !(toks[1]?.t === 'op' && ['=', '+=', '-=', '*=', '/=', '['].includes(toks[1].v))) {
      return this.command(first.v, toks.slice(1));
    }
    if (first.t === 'id' && ARRAY_TYPES[first.v] && toks[1]?.t === 'id' && toks[1].v === 'array') {
      return this.declare(ARRAY_TYPES[first.v], toks.slice(2));
    }
    // assignment?
    const p = new Parser(toks);
    const lhs = parseUnary(p);
    const t = p.peek();
    if (t?.t === 'op' && ['=', '+=', '-=', '*=', '/='].includes(t.v) && (lhs.k === 'var' || lhs.k === 'idx')) {
      p.next();
      const rhs = parseExpr(p);
      if (!p.atEnd()) throw new SimError('syntax error after assignment');
      let v = await this.eval(rhs);
      if (t.v !== '=') {
        const old = await this.eval(lhs).catch(() => 0 as Val);
        v = this.binary(t.v[0], old, v);
      }
      this.assign(lhs, v);
      return v;
    }
    const p2 = new Parser(toks);
    const e = parseExpr(p2);
    if (!p2.atEnd()) throw new SimError(`syntax error near "${(p2.peek() as Tok).v}"`);
    return this.eval(e);
  }

  private assign(lhs: Node, v: Val): void {
    if (lhs.k === 'var') {
      this.model.setVar(lhs.name, v);
      return;
    }
    if (lhs.k === 'idx' && lhs.base.k === 'var' && lhs.keys.length <= 2) {
      const keys = lhs.keys.map((k) => formatValue(this.evalSync(k)));
      if (typeof v !== 'number' && typeof v !== 'string') throw new SimError('an array element takes a number or a string');
      this.model.setElement(lhs.base.name, keys[0], keys[1], v);
      return;
    }
    throw new SimError('syntax error: cannot assign to that');
  }

  private evalSync(n: Node): Val {
    if (n.k === 'lit') return n.v;
    if (n.k === 'var') return this.lookup(n.name);
    if (n.k === 'un') return n.op === '-' ? -toNum(this.evalSync(n.a)) : n.op === '!' ? (toNum(this.evalSync(n.a)) ? 0 : 1) : toNum(this.evalSync(n.a));
    if (n.k === 'bin') return this.binary(n.op, this.evalSync(n.a), this.evalSync(n.b));
    if (n.k === 'idx') {
      const base = this.evalSync(n.base);
      const keys = n.keys.map((k) => formatValue(this.evalSync(k)));
      const v = elementOf(base, keys[0], keys[1]);
      return v === undefined ? 0 : v;
    }
    return this.func(n.name, n.args.map((a) => this.evalSync(a)));
  }

  private async eval(n: Node): Promise<Val> {
    if (n.k === 'call' && n.name === 'sleep') {
      await this.ctx.sleep(toNum(await this.eval(n.args[0] ?? { k: 'lit', v: 0 })) * 1000);
      return 1;
    }
    return this.evalSync(n);
  }

  private lookup(name: string): Val {
    const v = this.model.getVar(name);
    if (v !== undefined) return v;
    const mi = this.model.motors.findIndex((m) => m.mne === name);
    if (mi >= 0) return mi;
    const ci = this.model.counters.findIndex((c) => c.mne === name);
    if (ci >= 0) return ci;
    throw new SimError(`Unbound variable "${name}".`);
  }

  private binary(op: string, a: Val, b: Val): Val {
    if (op === '+' && (!isNumeric(a) || !isNumeric(b)) && (typeof a === 'string' || typeof b === 'string')) return formatValue(a) + formatValue(b);
    if ((op === '==' || op === '!=') && (typeof a === 'string' || typeof b === 'string') && !(isNumeric(a) && isNumeric(b))) {
      return (formatValue(a) === formatValue(b)) === (op === '==') ? 1 : 0;
    }
    const x = toNum(a);
    const y = toNum(b);
    switch (op) {
      case '+': return tidy(x + y);
      case '-': return tidy(x - y);
      case '*': return tidy(x * y);
      case '/':
        if (y === 0) throw new SimError('Divide by zero.');
        return tidy(x / y);
      case '%':
        if (y === 0) throw new SimError('Divide by zero.');
        return x % y;
      case '==': return x === y ? 1 : 0;
      case '!=': return x !== y ? 1 : 0;
      case '<': return x < y ? 1 : 0;
      case '>': return x > y ? 1 : 0;
      case '<=': return x <= y ? 1 : 0;
      case '>=': return x >= y ? 1 : 0;
      case '&&': return x && y ? 1 : 0;
      case '||': return x || y ? 1 : 0;
    }
    throw new SimError(`syntax error near "${op}"`);
  }

  private index(v: Val, list: 'motors' | 'counters', fn: string): number {
    const i = toNum(v);
    const n = list === 'motors' ? this.model.motors.length : this.model.counters.length;
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new SimError(`${fn}: ${list === 'motors' ? 'motor' : 'counter'} number ${formatValue(v)} out of range.`);
    return i;
  }

  private func(name: string, args: Val[]): Val {
    switch (name) {
      case 'motor_mne': return this.model.motors[this.index(args[0], 'motors', name)].mne;
      case 'motor_name': return this.model.motors[this.index(args[0], 'motors', name)].name;
      case 'cnt_mne': return this.model.counters[this.index(args[0], 'counters', name)].mne;
      case 'cnt_name': return this.model.counters[this.index(args[0], 'counters', name)].name;
      case 'date': return new Date().toString().slice(0, 24);
      case 'time': return Date.now() / 1000;
      case 'int': return Math.trunc(toNum(args[0]));
      case 'fabs': return Math.abs(toNum(args[0]));
      case 'sqrt': return Math.sqrt(toNum(args[0]));
      case 'length': return formatValue(args[0]).length;
      case 'sprintf': return formatValue(args[0]).replace(/%[-0-9.]*[dfgs]/g, () => formatValue(args.splice(1, 1)[0] ?? ''));
    }
    throw new SimError(`Function "${name}" is not defined.`);
  }

  private wordArgs(toks: Tok[]): Val[] {
    // Macro arguments are space-separated words; a parenthesised expression or a signed number is one word.
    const p = new Parser(toks);
    const out: Val[] = [];
    while (!p.atEnd()) {
      if (p.isOp(',')) {
        p.next();
        continue;
      }
      out.push(this.evalSync(parseUnary(p)));
    }
    return out;
  }

  private motorArg(v: Val, toksWord: string): ReturnType<SimModel['requireMotor']> {
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < this.model.motors.length) return this.model.motors[v];
    return this.model.requireMotor(typeof v === 'string' ? v : toksWord);
  }

  private pairs(toks: Tok[], cmd: string): Array<[ReturnType<SimModel['requireMotor']>, number]> {
    const words = toks.map((t) => String(t.v));
    const vals = this.wordArgs(toks);
    if (vals.length === 0 || vals.length % 2 !== 0) throw new SimError(`Usage:  ${cmd} motor position [motor position ...]`);
    const out: Array<[ReturnType<SimModel['requireMotor']>, number]> = [];
    for (let i = 0; i < vals.length; i += 2) out.push([this.motorArg(vals[i], words[0]), toNum(vals[i + 1])]);
    return out;
  }

  private showPositions(motors: Array<ReturnType<SimModel['requireMotor']>>): string {
    const w = 12;
    const head = motors.map((m) => m.mne.padStart(w)).join('');
    const row = (label: string, f: (m: (typeof motors)[number]) => number): string => label.padEnd(8) + motors.map((m) => tidy(f(m)).toFixed(4).padStart(w)).join('');
    return [
      '',
      ' '.repeat(8) + head,
      'User',
      row(' High', (m) => m.high),
      row(' Current', (m) => m.position),
      row(' Low', (m) => m.low),
      'Dial',
      row(' High', (m) => m.high - m.offset),
      row(' Current', (m) => m.position - m.offset),
      row(' Low', (m) => m.low - m.offset),
      '',
    ].join('\n');
  }

  private async command(cmd: string, toks: Tok[]): Promise<Val> {
    const model = this.model;
    switch (cmd) {
      case 'mv':
      case 'umv':
      case 'mvr':
      case 'umvr': {
        const rel = cmd.endsWith('r');
        const pairs = this.pairs(toks, cmd).map(([m, v]) => [m, rel ? tidy(m.position + v) : v] as const);
        for (const [m, t] of pairs) model.checkTarget(m, t);
        model.prestartAll();
        for (const [m, t] of pairs) model.startOne(m, t);
        model.startAll();
        if (cmd.startsWith('u')) {
          await this.ctx.waitIdle('move');
          model.print('\n' + pairs.map(([m]) => m.mne.padStart(12)).join('') + '\n' + pairs.map(([m]) => m.position.toFixed(4).padStart(12)).join('') + '\n');
        }
        return '';
      }
      case 'wm': {
        const words = toks.map((t) => String(t.v));
        const vals = this.wordArgs(toks);
        if (vals.length === 0) throw new SimError('Usage:  wm motor [motor ...]');
        model.print(this.showPositions(vals.map((v, i) => this.motorArg(v, words[i]))));
        return '';
      }
      case 'wa': {
        model.print(this.showPositions(model.motors));
        return '';
      }
      case 'ct':
      case 'count': {
        const vals = this.wordArgs(toks);
        const t = vals.length ? toNum(vals[0]) : 1;
        model.startCount(t);
        await this.ctx.waitIdle('count');
        if (cmd === 'ct') {
          const lines = ['', new Date().toString().slice(0, 24), ''];
          for (const c of model.counters) lines.push(`${c.name.padStart(12)} = ${c.value}`);
          model.print(lines.join('\n') + '\n');
        }
        return model.counter('det')?.value ?? 0;
      }
      case 'p':
      case 'print': {
        const p = new Parser(toks);
        const vals: Val[] = [];
        while (!p.atEnd()) {
          vals.push(await this.eval(parseExpr(p)));
          if (p.isOp(',')) p.next();
          else if (!p.atEnd()) throw new SimError('syntax error in print');
        }
        model.print(vals.map(formatValue).join(' ') + '\n');
        return '';
      }
      case 'delete': {
        for (const t of toks) if (t.t === 'id') model.deleteVar(t.v);
        return '';
      }
      case 'array':
        return this.declare(SpecType.ARR_DOUBLE, toks);
      case 'set': {
        const pairs = this.pairs(toks, 'set');
        for (const [m, v] of pairs) model.setPosition(m, v);
        return '';
      }
      case 'return': {
        if (toks.length === 0) return '';
        const p = new Parser(toks);
        return this.eval(parseExpr(p));
      }
    }
    throw new SimError(`syntax error near "${cmd}"`);
  }

  private declare(type: SpecArrayType, toks: Tok[]): Val {
    const name = toks[0];
    if (!name || name.t !== 'id') throw new SimError('Usage:  [type] array name[rows][cols]');
    const dims: number[] = [];
    const p = new Parser(toks.slice(1));
    while (p.isOp('[')) {
      p.next();
      dims.push(toNum(this.evalSync(parseExpr(p))));
      p.expectOp(']');
    }
    if (dims.length < 1 || dims.length > 2 || dims.some((d) => !Number.isInteger(d) || d < 1 || d > 1e7)) throw new SimError('array: bad dimensions');
    const arr = type === SpecType.ARR_STRING ? makeArray(type, dims.length === 2 ? dims[0] : 1, dims[dims.length - 1]) : dims.length === 2 ? makeArray(type, dims[0], dims[1]) : makeArray(type, 1, dims[0]);
    this.model.setVar(name.v, arr);
    return '';
  }
}
