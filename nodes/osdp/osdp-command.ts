/**
 * `osdp-command`: one command to one PD per message (LED, buzzer, output, text, status requests,
 * manufacturer command, COMSET, key set, file transfer). The editor's fields are the defaults,
 * `msg.payload` fields override them; the result goes out in `msg.payload`, errors to Catch.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { NotConnectedError } from '../../lib/common';
import { onInput, withOverrides, type Msg } from '../common/input';
import { StatusTarget, type SharedStatus } from '../common/status';
import { BrokenBus, OsdpBus } from './shared/bus';
import { buildRequest } from './shared/commands';
import type { PdConfig } from './shared/pds';
import type { OsdpBusNode } from './shared/types';

interface OsdpCommandDef extends NodeDef {
  bus: string;
  pd: string | number;
  operation: string;
  text: string;
  textType: string;
  file: string;
  fileType: string;
  [field: string]: unknown;
}

/** Editor fields that are plain values (text and file are typedInputs, evaluated per message). */
const FIELDS = [
  'pd', 'operation', 'reader', 'led', 'color', 'offColor', 'pattern', 'onTime', 'offTime', 'mode', 'duration', 'tone', 'beepTime',
  'pauseTime', 'count', 'output', 'action', 'pulseTime', 'row', 'column', 'wrap', 'vendor', 'data', 'address', 'baud', 'fileId',
] as const;

export = function (RED: NodeAPI): void {
  function evaluate(node: Node, value: string, type: string, msg: Msg): Promise<unknown> {
    if (!type || type === 'str') return Promise.resolve(value);
    return new Promise((resolve, reject) => {
      RED.util.evaluateNodeProperty(value, type, node, msg, (err: Error | null, result: unknown) => (err ? reject(err) : resolve(result)));
    });
  }

  function OsdpCommand(this: Node, def: OsdpCommandDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const status = new StatusTarget(node);
    const busNode = RED.nodes.getNode(def.bus) as OsdpBusNode | null;
    const bus = busNode?.osdp;

    // The status to follow: the chosen PD's, or the whole bus's when the PD comes from msg.
    let fixed: PdConfig | undefined;
    let shared: SharedStatus | undefined;
    if (bus instanceof OsdpBus) {
      try {
        fixed = def.pd === '' || def.pd === undefined ? undefined : bus.find(def.pd);
      } catch {
        fixed = undefined;
      }
      shared = bus.statusFor(fixed);
    } else if (bus instanceof BrokenBus) {
      shared = bus.status;
    } else {
      node.status({ fill: 'red', shape: 'ring', text: 'no bus configured' });
    }
    shared?.attach(status);

    const defaults: Record<string, unknown> = {};
    for (const f of FIELDS) defaults[f] = def[f];
    const summaries = new WeakMap<object, string>();

    onInput(node, { status, describe: (_r, msg) => summaries.get(msg) ?? 'ok' }, async (msg, send) => {
      if (!(bus instanceof OsdpBus)) {
        throw bus instanceof BrokenBus ? bus.error : new NotConnectedError('no OSDP bus configured for this node', { operation: 'command' });
      }
      const values = withOverrides<Record<string, unknown>>(
        {
          ...defaults,
          text: await evaluate(node, def.text ?? '', def.textType, msg),
          file: await evaluate(node, def.file ?? '', def.fileType, msg),
        },
        msg,
      );
      if (Buffer.isBuffer(msg.payload)) values.file = msg.payload;
      const pd = bus.find(values.pd);
      const request = buildRequest(values);
      summaries.set(msg, request.summary);
      const result = await bus.run(pd, request, (progress) => {
        const update = RED.util.cloneMessage(msg) as Msg;
        update.payload = { pd: pd.name, address: pd.address, operation: request.operation, progress };
        if (!update.topic) update.topic = `osdp/${pd.name}/${request.operation}`;
        send(update as NodeMessage);
        if (typeof progress.percent === 'number') status.hold({ fill: 'blue', shape: 'dot', text: `${request.summary} ${Math.floor(progress.percent)} %` });
      });
      if (!msg.topic) msg.topic = `osdp/${pd.name}/${request.operation}`;
      return result;
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      shared?.detach(status);
      status.close();
      done();
    });
  }

  RED.nodes.registerType('osdp-command', OsdpCommand as unknown as (this: Node, def: NodeDef) => void);
};
