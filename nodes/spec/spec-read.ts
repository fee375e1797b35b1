/**
 * `spec-read`: reads one SPEC property (CHAN_READ) and outputs its value as plain JSON.
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { toPlain } from '../../lib/spec';
import { onInput, payloadObject, type Msg } from '../common/input';
import { checkProperty, describeValue } from './plain';
import { attachServer, evaluate, noServer } from './shared';

interface SpecReadDef extends NodeDef {
  server: string;
  property: string;
  propertyType: string;
}

export = function (RED: NodeAPI): void {
  function SpecReadNode(this: Node, def: SpecReadDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const { server, status } = attachServer(RED, node, def.server);

    onInput(node, { status, describe: (result) => describeValue(result) }, async (msg: Msg) => {
      if (!server) throw noServer();
      const fields = payloadObject(msg);
      const property = checkProperty(
        fields.property !== undefined ? fields.property : await evaluate(RED, node, def.property ?? '', def.propertyType || 'str', msg, 'property'),
      );
      await server.ready();
      const value = await server.client.read(property);
      msg.topic = server.topic(property);
      msg.property = property;
      return toPlain(value);
    });
  }

  RED.nodes.registerType('spec-read', SpecReadNode as unknown as (this: Node, def: NodeDef) => void);
};
