/**
 * Motor helpers mirroring what beamline users do: read a motor's figures fresh (never a cached,
 * late-bound position), move absolute or relative and resolve when `move_done` returns to 0,
 * synchronised multi-motor moves, abort.
 */
import { EventEmitter } from 'node:events';
import { AbortedError, InvalidArgumentError, TimeoutError } from '../common';
import type { SpecEvent, SpecMotorStatus, SpecMoveOptions, SpecMoveProgress, SpecRequestOptions } from './api';
import type { SpecClient } from './client';
import { SpecLimitError } from './errors';
import type { SpecValue } from './types';
import type { SpecWatch } from './watch';

const MNE = /^[A-Za-z_][A-Za-z0-9_]*$/;

function num(v: SpecValue, what: string): number {
  const n = typeof v === 'number' ? v : Number(v);
  if (Number.isNaN(n) && v !== 'nan') throw new InvalidArgumentError(`${what} is not a number: ${String(v)}`, { operation: 'motor' });
  return n;
}

/**
 * Follows a busy flag (move_done, scaler count) from now on: `done` resolves once the flag was
 * seen busy and then idle. `settle()` handles a cycle that finished before the first event.
 */
export class BusyTracker {
  private sawBusy = false;
  private finished = false;
  private resolveDone!: () => void;
  readonly done: Promise<void>;
  private readonly onEvent: (ev: SpecEvent) => void;

  constructor(
    private readonly watch: SpecWatch,
    private readonly isBusy: (v: SpecValue) => boolean,
  ) {
    this.done = new Promise((r) => (this.resolveDone = r));
    this.onEvent = (ev) => this.note(ev.value);
    watch.on('event', this.onEvent);
  }

  /** Feeds a value (from an event or a fresh read). */
  note(v: SpecValue): void {
    if (this.finished) return;
    if (this.isBusy(v)) this.sawBusy = true;
    else if (this.sawBusy) {
      this.finished = true;
      this.resolveDone();
    }
  }

  /**
   * After the start request was confirmed: if no busy event came yet, a fresh read decides
   * (busy -> wait for idle; idle -> the action never started or already ended).
   */
  async settle(readNow: () => Promise<SpecValue>): Promise<void> {
    if (this.sawBusy) return;
    const v = await readNow();
    if (this.isBusy(v)) this.note(v);
    else {
      this.finished = true;
      this.resolveDone();
    }
  }

  stop(): void {
    this.watch.off('event', this.onEvent);
  }
}

/** Waits for `p`, with an optional time-out (0 = none) and abort signal. */
export function waitWith<T>(p: Promise<T>, options: SpecRequestOptions, what: string, onAbort?: () => void): Promise<T> {
  const { timeout = 0, signal } = options;
  if (!timeout && !signal) return p;
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const cleanup = (): void => {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', aborted);
    };
    const aborted = (): void => {
      cleanup();
      onAbort?.();
      reject(new AbortedError(`${what} aborted`, { operation: what }));
    };
    if (signal?.aborted) return aborted();
    signal?.addEventListener('abort', aborted, { once: true });
    if (timeout > 0) {
      timer = setTimeout(() => {
        cleanup();
        reject(new TimeoutError(`${what} timed out after ${timeout} ms`, { operation: what }));
      }, timeout);
    }
    p.then(
      (v) => {
        cleanup();
        resolve(v);
      },
      (e) => {
        cleanup();
        reject(e);
      },
    );
  });
}

interface MoveWatch {
  mne: string;
  target: number;
  position: SpecWatch;
  done: SpecWatch;
  tracker: BusyTracker;
}

async function startWatches(client: SpecClient, targets: Record<string, number>, options: SpecMoveOptions, emitter?: EventEmitter): Promise<MoveWatch[]> {
  const list: MoveWatch[] = [];
  for (const [mne, target] of Object.entries(targets)) {
    const position = client.watch(`motor/${mne}/position`);
    const done = client.watch(`motor/${mne}/move_done`);
    const tracker = new BusyTracker(done, (v) => Number(v) !== 0);
    position.on('event', (ev: SpecEvent) => {
      if (typeof ev.value !== 'number') return;
      const p: SpecMoveProgress = { mne, position: ev.value, target };
      options.onProgress?.(p);
      emitter?.emit('progress', p);
    });
    list.push({ mne, target, position, done, tracker });
  }
  return list;
}

function stopWatches(list: MoveWatch[]): void {
  for (const w of list) {
    w.tracker.stop();
    w.position.close();
    w.done.close();
  }
}

async function finish(client: SpecClient, list: MoveWatch[], options: SpecMoveOptions, aborted: () => boolean): Promise<Record<string, number>> {
  for (const w of list) await w.tracker.settle(() => client.read(`motor/${w.mne}/move_done`));
  await client.whileConnected(
    waitWith(
      Promise.all(list.map((w) => w.tracker.done)),
      options,
      'move',
      () => {
        for (const w of list) void client.write(`motor/${w.mne}/abort_one`, 1, { confirm: false }).catch(() => undefined);
      },
    ),
    'move',
  );
  const out: Record<string, number> = {};
  for (const w of list) {
    out[w.mne] = num(await client.read(`motor/${w.mne}/position`), `${w.mne} position`);
  }
  if (aborted()) throw new AbortedError(`move of ${list.map((w) => w.mne).join(', ')} aborted`, { device: client.device, operation: 'move' });
  for (const w of list) {
    const [hi, lo] = await Promise.all([client.read(`motor/${w.mne}/high_lim_hit`), client.read(`motor/${w.mne}/low_lim_hit`)]);
    if (Number(hi) || Number(lo)) {
      throw new SpecLimitError(`${w.mne} stopped at its ${Number(hi) ? 'high' : 'low'} limit switch at ${out[w.mne]} (target ${w.target})`, { device: client.device, operation: 'move' });
    }
  }
  return out;
}

function checkTargets(targets: Record<string, number>): void {
  const entries = Object.entries(targets ?? {});
  if (entries.length === 0) throw new InvalidArgumentError('no motors to move', { operation: 'move' });
  for (const [mne, t] of entries) {
    if (!MNE.test(mne)) throw new InvalidArgumentError(`not a motor mnemonic: ${mne}`, { operation: 'move' });
    if (typeof t !== 'number' || !Number.isFinite(t)) throw new InvalidArgumentError(`target of ${mne} must be a finite number, got ${String(t)}`, { operation: 'move' });
  }
}

/**
 * Synchronised move: `motor/../prestart_all`, `motor/<mne>/start_one` = target for each, then
 * `motor/../start_all`; resolves with the final positions (read fresh) once every `move_done` is 0.
 */
export async function moveMotors(
  client: SpecClient,
  targets: Record<string, number>,
  options: SpecMoveOptions = {},
  emitter?: EventEmitter,
  isAborted?: () => boolean,
): Promise<Record<string, number>> {
  checkTargets(targets);
  const list = await startWatches(client, targets, options, emitter);
  let abortedBySignal = false;
  const onAbort = (): void => {
    abortedBySignal = true;
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const single = list.length === 1;
    if (single) {
      await client.write(`motor/${list[0].mne}/position`, list[0].target, options);
    } else {
      await client.write('motor/../prestart_all', 0, options);
      for (const w of list) await client.write(`motor/${w.mne}/start_one`, w.target, options);
      await client.write('motor/../start_all', 0, options);
    }
    return await finish(client, list, options, () => abortedBySignal || (isAborted?.() ?? false));
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    stopWatches(list);
  }
}

/**
 * One motor. `progress` events ({mne, position, target}) while it moves and `done` when a move
 * ends. Positions and limits are read from the server on every call.
 */
export class SpecMotor extends EventEmitter {
  private abortRequested = false;

  constructor(
    readonly client: SpecClient,
    readonly mne: string,
  ) {
    super();
    if (!MNE.test(mne)) throw new InvalidArgumentError(`not a motor mnemonic: ${mne}`, { operation: 'motor' });
  }

  private prop(name: string): string {
    return `motor/${this.mne}/${name}`;
  }

  private async n(name: string, options?: SpecRequestOptions): Promise<number> {
    return num(await this.client.read(this.prop(name), options), `${this.mne} ${name}`);
  }

  /** User position, read now. */
  position(options?: SpecRequestOptions): Promise<number> {
    return this.n('position', options);
  }

  dialPosition(options?: SpecRequestOptions): Promise<number> {
    return this.n('dial_position', options);
  }

  offset(options?: SpecRequestOptions): Promise<number> {
    return this.n('offset', options);
  }

  async limits(options?: SpecRequestOptions): Promise<{ low: number; high: number }> {
    const [low, high] = await Promise.all([this.n('low_limit', options), this.n('high_limit', options)]);
    return { low, high };
  }

  /** Sets the user limits (`low_limit`, `high_limit`). */
  async setLimits(low: number, high: number): Promise<void> {
    await this.client.write(this.prop('low_limit'), low);
    await this.client.write(this.prop('high_limit'), high);
  }

  async isMoving(options?: SpecRequestOptions): Promise<boolean> {
    return (await this.n('move_done', options)) !== 0;
  }

  /** Every flag and figure, read now. */
  async status(options?: SpecRequestOptions): Promise<SpecMotorStatus> {
    const names = ['position', 'dial_position', 'offset', 'low_limit', 'high_limit', 'move_done', 'low_lim_hit', 'high_lim_hit', 'emergency_stop', 'motor_fault'];
    const v = await Promise.all(names.map((k) => this.n(k, options)));
    return {
      mne: this.mne,
      position: v[0],
      dialPosition: v[1],
      offset: v[2],
      lowLimit: v[3],
      highLimit: v[4],
      moving: v[5] !== 0,
      lowLimitHit: v[6] !== 0,
      highLimitHit: v[7] !== 0,
      emergencyStop: v[8] !== 0,
      fault: v[9] !== 0,
    };
  }

  /**
   * Moves to `target` (writes `position`) and resolves with the final position once `move_done`
   * is back to 0. Emits `progress` on each position change and `done` at the end. A target
   * beyond the limits rejects (SpecError from the server); stopping on a limit switch rejects
   * with SpecLimitError; abort() or the signal reject with AbortedError.
   */
  async move(target: number, options: SpecMoveOptions = {}): Promise<number> {
    this.abortRequested = false;
    const result = await moveMotors(this.client, { [this.mne]: target }, options, this, () => this.abortRequested);
    const position = result[this.mne];
    this.emit('done', { mne: this.mne, position, target });
    return position;
  }

  /** Moves by `delta` from the position read now (never from a cached one). */
  async moveBy(delta: number, options: SpecMoveOptions = {}): Promise<number> {
    if (typeof delta !== 'number' || !Number.isFinite(delta)) throw new InvalidArgumentError(`delta must be a finite number, got ${String(delta)}`, { operation: 'move' });
    const from = await this.position(options);
    return this.move(from + delta, options);
  }

  /** Stops this motor (`motor/<mne>/abort_one`); a running move() rejects with AbortedError. */
  async abort(): Promise<void> {
    this.abortRequested = true;
    await this.client.write(this.prop('abort_one'), 1);
  }
}
