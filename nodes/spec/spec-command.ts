/**
 * `spec-command`: runs a command or macro (or calls a function) on SPEC and outputs the return
 * value in msg.payload and the console text in msg.output. `msg.abort` sends SPEC's abort.
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { InvalidArgumentError } from '../../lib/common/errors';
import { withTimeout } from '../../lib/common/deadline';
import { toPlain, type SpecValue } from '../../lib/spec';
import { onInput, payloadObject, toNumber, type Msg } from '../common/input';
import { describeValue, isPlainObject } from './plain';
import { attachServer, evaluate, noServer, wantsAbort } from './shared';

interface SpecCommandDef extends NodeDef {
  server: string;
  mode: 'command' | 'function';
  command: string;
  commandType: string;
  timeout: string;
}

type Arg = number | string | boolean;

function toArgs(value: unknown): Arg[] {
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return list.map((a, i) => {
    if (typeof a === 'number' || typeof a === 'string' || typeof a === 'boolean') return a;
    throw new InvalidArgumentError(`function argument ${i + 1} must be a number, string or boolean, got ${a === null ? 'null' : typeof a}`);
  });
}

export = function (RED: NodeAPI): void {
  function SpecCommandNode(this: Node, def: SpecCommandDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const { server, status } = attachServer(RED, node, def.server);
    const mode = def.mode === 'function' ? 'function' : 'command';

    onInput(node, { status, describe: (result, msg) => (msg.aborted ? 'abort sent' : describeValue(result)) }, async (msg: Msg) => {
      if (!server) throw noServer();
      if (wantsAbort(msg)) {
        await server.abort();
        msg.aborted = true;
        return undefined;
      }
      const fields = payloadObject(msg);
      let text: unknown = typeof msg.command === 'string' && msg.command.trim() ? msg.command : fields.command;
      if (text === undefined && def.command !== '' && def.command !== undefined) {
        text = await evaluate(RED, node, def.command, def.commandType || 'str', msg, 'command');
      }
      const fromPayload = text === undefined && typeof msg.payload === 'string';
      if (fromPayload) text = msg.payload;
      if (typeof text !== 'string' || text.trim() === '') {
        throw new InvalidArgumentError(`no ${mode} to run: set it in the editor, or send msg.command or a string msg.payload`);
      }
      const limit = fields.timeout ?? (def.timeout === '' || def.timeout === undefined ? undefined : def.timeout);
      const timeoutMs = limit === undefined ? 0 : Math.round(toNumber(limit, 'timeout', { min: 0 }) * 1000);
      await server.ready();
      status.hold({ fill: 'blue', shape: 'dot', text: 'running…' });
      msg.topic = server.topic(mode === 'function' ? 'function' : 'command');
      if (mode === 'function') {
        const name = text.trim();
        const args = toArgs(fromPayload ? [] : isPlainObject(msg.payload) ? fields.args : msg.payload);
        const call = server.client.call(name, ...args);
        const value: SpecValue = timeoutMs > 0 ? await withTimeout(call, timeoutMs, { device: server.client.device, operation: `call ${name}` }) : await call;
        msg.output = '';
        return toPlain(value);
      }
      const result = await server.client.run(text, { timeout: timeoutMs });
      msg.output = result.output;
      return toPlain(result.value);
    });
  }

  RED.nodes.registerType('spec-command', SpecCommandNode as unknown as (this: Node, def: NodeDef) => void);
};
