/**
 * `spec-motor`: moves one motor, or several together (SPEC's synchronised start), to positions or
 * by amounts. Output 1 gets the positions while moving, output 2 the final positions once every
 * `move_done` is back to 0. `msg.abort` sends SPEC's abort; the move then ends with `msg.aborted`.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { InvalidArgumentError } from '../../lib/common/errors';
import type { SpecMoveProgress } from '../../lib/spec';
import { onInput, payloadObject, toNumber, type Msg } from '../common/input';
import { shorten } from '../common/status';
import { checkMnemonic, isPlainObject } from './plain';
import { attachServer, evaluate, noServer, wantsAbort } from './shared';

interface SpecMotorDef extends NodeDef {
  server: string;
  motor: string;
  mode: string;
  target: string;
  targetType: string;
}

type Mode = 'absolute' | 'relative';

interface MovePlan {
  mode: Mode;
  /** Target (absolute) or amount (relative) by mnemonic. */
  amounts: Record<string, number>;
  /** One motor: msg.payload is its position; several: an object. */
  single: boolean;
}

function checkMode(v: unknown): Mode {
  if (v === 'absolute' || v === 'relative') return v;
  throw new InvalidArgumentError(`mode must be "absolute" or "relative", got ${JSON.stringify(v)}`);
}

function targetMap(value: Record<string, unknown>, what: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'mode') continue;
    out[checkMnemonic(k)] = toNumber(v, `${what} of ${k}`);
  }
  if (Object.keys(out).length === 0) throw new InvalidArgumentError(`no motors in ${what}: send { "tth": 20, "th": 10 }`);
  return out;
}

/** What to move, from msg.payload fields on top of the editor (see the help text). */
function planMove(fields: Record<string, unknown>, evaluated: () => Promise<unknown>, editorMotor: string, editorMode: string): Promise<MovePlan> {
  return (async () => {
    const mode = checkMode(fields.mode ?? (editorMode || 'absolute'));
    const what = mode === 'relative' ? 'amount' : 'target';
    if (fields.motors !== undefined) {
      if (!isPlainObject(fields.motors)) throw new InvalidArgumentError('msg.payload.motors must be an object such as { "tth": 20, "th": 10 }');
      return { mode, amounts: targetMap(fields.motors, what), single: false };
    }
    const motorName = (): string => {
      const m = fields.motor ?? editorMotor;
      if (m === undefined || m === '') throw new InvalidArgumentError('no motor: set one in the editor or send msg.payload.motor');
      return checkMnemonic(m);
    };
    if (fields.position !== undefined) return { mode, amounts: { [motorName()]: toNumber(fields.position, what) }, single: true };
    const value = await evaluated();
    if (isPlainObject(value)) return { mode, amounts: targetMap(value, what), single: false };
    if (typeof value === 'number' || (typeof value === 'string' && value.trim() !== '')) return { mode, amounts: { [motorName()]: toNumber(value, what) }, single: true };
    throw new InvalidArgumentError(`the ${what} must be a number, or an object of motor positions such as { "tth": 20 }, got ${JSON.stringify(value) ?? 'nothing'}`);
  })();
}

function round(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}

export = function (RED: NodeAPI): void {
  function SpecMotorNode(this: Node, def: SpecMotorDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const { server, status } = attachServer(RED, node, def.server);

    const describe = (_r: unknown, msg: Msg): string => {
      if (msg.aborted === true && msg.positions === undefined) return 'abort sent';
      const pos = (msg.positions ?? {}) as Record<string, number>;
      const text = Object.entries(pos).map(([m, p]) => `${m} ${round(p)}`).join(', ');
      return shorten(`${msg.aborted ? 'aborted: ' : 'at '}${text}`);
    };

    onInput(node, { status, describe }, async (msg: Msg, send) => {
      if (!server) throw noServer();
      if (wantsAbort(msg)) {
        await server.abort();
        msg.aborted = true;
        return undefined;
      }
      const plan = await planMove(payloadObject(msg), () => evaluate(RED, node, def.target ?? 'payload', def.targetType || 'msg', msg, 'target'), def.motor, def.mode);
      await server.ready();
      const client = server.client;
      const op = server.track();
      try {
        const mnes = Object.keys(plan.amounts);
        const current: Record<string, number> = {};
        for (const mne of mnes) current[mne] = await client.motor(mne).position();
        const targets: Record<string, number> = {};
        for (const mne of mnes) targets[mne] = plan.mode === 'relative' ? current[mne] + plan.amounts[mne] : plan.amounts[mne];
        const topic = server.topic('motor');
        let shown = 0;
        const show = (force = false): void => {
          const now = Date.now();
          if (!force && now - shown < 250) return;
          shown = now;
          const text = mnes.length === 1 ? `${mnes[0]} ${round(current[mnes[0]])} → ${round(targets[mnes[0]])}` : `moving ${mnes.map((m) => `${m} ${round(current[m])}`).join(', ')}`;
          status.hold({ fill: 'blue', shape: 'dot', text: shorten(text) });
        };
        show(true);
        const onProgress = (p: SpecMoveProgress): void => {
          current[p.mne] = p.position;
          show();
          const progress = RED.util.cloneMessage(msg) as Msg;
          progress.payload = { ...current };
          progress.targets = { ...targets };
          progress.topic = `${topic}/progress`;
          send([progress as NodeMessage, null]);
        };
        let final: Record<string, number>;
        try {
          final = await client.moveMotors(targets, { onProgress });
        } catch (err) {
          // Stopped by an abort: report where the motors are, on the done output.
          if (!op.aborted) throw err;
          final = {};
          for (const mne of mnes) final[mne] = await client.motor(mne).position();
        }
        msg.payload = plan.single ? final[mnes[0]] : final;
        msg.positions = final;
        msg.targets = targets;
        msg.topic = `${topic}/done`;
        if (op.aborted) msg.aborted = true;
        send([null, msg as NodeMessage]);
        return undefined;
      } finally {
        op.end();
      }
    });
  }

  RED.nodes.registerType('spec-motor', SpecMotorNode as unknown as (this: Node, def: NodeDef) => void);
};
