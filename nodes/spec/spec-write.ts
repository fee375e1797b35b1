/**
 * `spec-write`: writes a value to a SPEC property (CHAN_SEND, confirmed), from the editor's
 * typedInput or msg.payload; plain arrays become SPEC data arrays, objects associative arrays.
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { onInput, payloadObject, type Msg } from '../common/input';
import { checkProperty, describeValue, toSpecValue } from './plain';
import { attachServer, evaluate, noServer } from './shared';

interface SpecWriteDef extends NodeDef {
  server: string;
  property: string;
  propertyType: string;
  value: string;
  valueType: string;
}

export = function (RED: NodeAPI): void {
  function SpecWriteNode(this: Node, def: SpecWriteDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const { server, status } = attachServer(RED, node, def.server);

    onInput(node, { status, describe: (result, msg) => `${String(msg.property)} = ${describeValue(result)}` }, async (msg: Msg) => {
      if (!server) throw noServer();
      const fields = payloadObject(msg);
      const asPair = fields.property !== undefined;
      const property = checkProperty(asPair ? fields.property : await evaluate(RED, node, def.property ?? '', def.propertyType || 'str', msg, 'property'));
      const raw = asPair ? fields.value : await evaluate(RED, node, def.value ?? 'payload', def.valueType || 'msg', msg, 'value');
      const value = toSpecValue(raw);
      await server.ready();
      await server.client.write(property, value);
      msg.topic = server.topic(property);
      msg.property = property;
      return raw;
    });
  }

  RED.nodes.registerType('spec-write', SpecWriteNode as unknown as (this: Node, def: NodeDef) => void);
};
