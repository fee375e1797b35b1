/**
 * `osdp-bus`: the config node that owns one OSDP ControlPanel (a serial port or a TCP link to a
 * serial device server, and the PDs on it), pushes link and per-PD state to every node using it,
 * reopens the link with capped back-off (in the engine), and closes everything on redeploy.
 * Secure Channel keys are credentials, one password credential per possible address.
 * Also answers the editor's serial port picker.
 */
import * as path from 'node:path';
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { toFieldlinkError } from '../../lib/common';
import { KeyStore, listSerialPorts } from '../../lib/osdp';
import { adminGet } from '../common/admin';
import { toNumber } from '../common/input';
import { BrokenBus, OsdpBus } from './shared/bus';
import { MAX_ADDRESS, parsePds } from './shared/pds';
import { channelFromDef } from './shared/transport';
import type { OsdpBusNode } from './shared/types';

interface OsdpBusDef extends NodeDef {
  transport: string;
  serialPort: string;
  baudRate: string | number;
  host: string;
  port: string | number;
  pollInterval: string | number;
  offlineBackoff: string | number;
  pds: unknown;
}

type Credentials = Record<string, string | undefined>;

/** One password credential per address: `scbk0` .. `scbk126`. */
const CREDENTIALS: Record<string, { type: 'password' }> = {};
for (let a = 0; a <= MAX_ADDRESS; a++) CREDENTIALS[`scbk${a}`] = { type: 'password' };

export = function (RED: NodeAPI): void {
  function OsdpBusNodeCtor(this: Node<Credentials> & OsdpBusNode, def: OsdpBusDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const credentials: Credentials = node.credentials ?? {};
    // Keys set by KEYSET (install-mode provisioning, rotation) are written at once to a key store in the
    // user directory, and into the credentials (saved with the next deploy). A PD without a key in the
    // credentials uses the stored one, so a provisioned reader survives a restart before any deploy.
    const userDir = (RED.settings as { userDir?: string }).userDir;
    const keystore = userDir ? new KeyStore(path.join(userDir, 'fieldlink', 'osdp-keys')) : undefined;
    const keyName = (address: number): string => `${node.id.replace(/[^A-Za-z0-9._-]/g, '_')}-${address}`;
    const storedKey = (address: number): string | undefined => {
      try {
        return keystore?.loadSync(keyName(address))?.toString('hex');
      } catch (err) {
        node.warn(`key store: ${(err as Error).message}`);
        return undefined;
      }
    };
    let bus: OsdpBus | BrokenBus;
    try {
      const pds = parsePds(def.pds, (address) => credentials[`scbk${address}`] || storedKey(address));
      const channel = channelFromDef(def);
      const options = {
        channel,
        pds,
        pollInterval: toNumber(def.pollInterval ?? 50, 'poll interval', { min: 5, max: 10_000 }),
        offlineBackoff: Math.round(toNumber(def.offlineBackoff ?? 30, 'offline retry', { min: 0.1, max: 3600 }) * 1000),
      };
      bus = new OsdpBus({
        ...options,
        onKeyChange: (pd, key) => {
          const hex = key.toString('hex');
          Promise.resolve(RED.nodes.addCredentials(node.id, { ...(RED.nodes.getCredentials(node.id) ?? {}), [`scbk${pd.address}`]: hex }))
            .catch((err: unknown) => node.warn(`${pd.name}: could not store the new key in the credentials: ${(err as Error).message}`));
          if (keystore) {
            keystore.set(keyName(pd.address), key).catch((err: unknown) => node.warn(`${pd.name}: could not write the key store: ${(err as Error).message}`));
          }
          node.log(`${pd.name}: new Secure Channel key set by KEYSET, kept in the bus credentials${keystore ? ' and key store' : ''}`);
        },
      }, (message) => node.debug(message));
    } catch (err) {
      const error = toFieldlinkError(err);
      node.error(`OSDP bus: ${error.message}`);
      bus = new BrokenBus(error);
    }
    node.osdp = bus;
    if (bus instanceof OsdpBus) {
      const b = bus;
      b.cp.on('online', (info: { name: string }) => node.log(`${info.name} online`));
      b.cp.on('offline', (info: { name: string }, error: Error) => node.warn(`${info.name} offline: ${error.message}`));
      void b.start();
    }

    node.on('close', (_removed: boolean, done: () => void) => {
      const closing = bus instanceof OsdpBus ? bus.close() : Promise.resolve();
      closing
        .catch((err: unknown) => node.debug(`close: ${(err as Error).message}`))
        .finally(() => {
          bus.status.set('disconnected');
          done();
        });
    });
  }

  RED.nodes.registerType('osdp-bus', OsdpBusNodeCtor as unknown as (this: Node, def: NodeDef) => void, {
    credentials: CREDENTIALS,
  });

  // The editor's serial port picker (osdp-bus and osdp-pd). Never spawns udevadm when it is missing.
  adminGet(RED, '/fieldlink/osdp/ports', 'osdp-bus.read', async () => listSerialPorts());
};
