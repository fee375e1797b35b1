/**
 * `spec-count`: counts for N seconds (`scaler/.all./count`) and outputs every scaler by mnemonic.
 * `msg.abort` sends SPEC's abort; the count then ends with `msg.aborted` and the values so far.
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { onInput, payloadObject, toNumber, type Msg } from '../common/input';
import { shorten } from '../common/status';
import { attachServer, evaluate, noServer, wantsAbort } from './shared';

interface SpecCountDef extends NodeDef {
  server: string;
  seconds: string;
  secondsType: string;
}

export = function (RED: NodeAPI): void {
  function SpecCountNode(this: Node, def: SpecCountDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const { server, status } = attachServer(RED, node, def.server);

    const describe = (result: unknown, msg: Msg): string => {
      if (msg.aborted === true && msg.seconds === undefined) return 'abort sent';
      const text = Object.entries((result ?? {}) as Record<string, number>).map(([k, v]) => `${k} ${v}`).join(', ');
      return shorten(`${msg.aborted ? 'aborted: ' : ''}${text}`);
    };

    onInput(node, { status, describe }, async (msg: Msg) => {
      if (!server) throw noServer();
      if (wantsAbort(msg)) {
        await server.abort();
        msg.aborted = true;
        return undefined;
      }
      const fields = payloadObject(msg);
      const raw = fields.seconds !== undefined ? fields.seconds : await evaluate(RED, node, def.seconds ?? '1', def.secondsType || 'num', msg, 'seconds');
      const seconds = toNumber(raw, 'seconds', { min: Number.MIN_VALUE });
      await server.ready();
      const op = server.track();
      try {
        status.hold({ fill: 'blue', shape: 'dot', text: `counting ${seconds} s` });
        const values = await server.client.count(seconds);
        msg.seconds = seconds;
        msg.topic = server.topic('count');
        if (op.aborted) msg.aborted = true;
        return values;
      } finally {
        op.end();
      }
    });
  }

  RED.nodes.registerType('spec-count', SpecCountNode as unknown as (this: Node, def: NodeDef) => void);
};
