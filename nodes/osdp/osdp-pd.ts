/**
 * `osdp-pd`: Node-RED as an OSDP peripheral device (a reader) for a panel. Commands the panel sends
 * come out as messages; card reads, key presses and status changes go in and are reported at the
 * panel's next poll. Owns its channel (serial, TCP server or TCP client) and closes it on redeploy.
 */
import * as path from 'node:path';
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { InvalidArgumentError, toFieldlinkError } from '../../lib/common';
import {
  CapabilityFunction, KeyStore, PeripheralDevice, createPdSessionFactory, type Capability, type LinkStatus, type OsdpCommand, type PdFlagName,
} from '../../lib/osdp';
import { onInput, payloadObject } from '../common/input';
import { SharedStatus, StatusTarget } from '../common/status';
import { linkDownText } from './shared/bus';
import { parseKey } from './shared/commands';
import { commandToJson, parsePdInput } from './shared/pd-map';
import { channelFromDef } from './shared/transport';

interface OsdpPdDef extends NodeDef {
  transport: string;
  serialPort: string;
  baudRate: string | number;
  host: string;
  port: string | number;
  address: string | number;
  vendor: string;
  model: string | number;
  version: string;
  serialNumber: string | number;
  readers: string | number;
  leds: string | number;
  outputs: string | number;
  inputs: string | number;
  buzzer: boolean;
  keypad: boolean;
  display: boolean;
  installMode: boolean;
  enforceSecure: boolean;
}

function count(v: unknown, max = 255): number {
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 && n <= max ? n : 0;
}

function capabilitiesFromDef(def: Partial<OsdpPdDef>): Capability[] {
  const caps: Capability[] = [{ function: CapabilityFunction.CARD_DATA_FORMAT, compliance: 1, numItems: 0 }];
  const add = (fn: number, n: number, compliance = 1): void => {
    if (n > 0) caps.push({ function: fn, compliance, numItems: n });
  };
  add(CapabilityFunction.CONTACT_STATUS_MONITORING, count(def.inputs ?? 1));
  add(CapabilityFunction.OUTPUT_CONTROL, count(def.outputs ?? 1));
  add(CapabilityFunction.READER_LED_CONTROL, count(def.leds ?? 1));
  if (def.buzzer !== false) add(CapabilityFunction.READER_AUDIBLE_OUTPUT, 1);
  if (def.display !== false) add(CapabilityFunction.READER_TEXT_OUTPUT, 1);
  caps.push({ function: CapabilityFunction.READERS, compliance: 0, numItems: count(def.readers ?? 1) });
  return caps;
}

export = function (RED: NodeAPI): void {
  function OsdpPd(this: Node<{ scbk?: string }>, def: OsdpPdDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const link = new SharedStatus();
    const status = new StatusTarget(node);
    link.attach(status);
    const name = (def.name || '').trim() || `pd-${def.address}`;
    let pd: PeripheralDevice | undefined;
    let configError: Error | undefined;
    let channelState: LinkStatus | undefined;

    const refresh = (): void => {
      if (!pd) return;
      const s = channelState;
      if (!s || s.state === 'connecting' || s.state === 'closed') link.set('connecting', 'opening the panel link');
      else if (s.state === 'waiting') {
        link.set('error', linkDownText(s));
      } else if (pd.isOnline) link.set('connected', pd.isSecure ? 'polled, secure' : 'polled');
      else link.set('waiting', 'waiting for the panel');
    };

    try {
      const address = Number(def.address);
      if (!Number.isInteger(address) || address < 0 || address > 126) throw new InvalidArgumentError(`address must be 0-126, got ${def.address}`);
      const version = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(String(def.version ?? '1.0.0').trim());
      if (!version) throw new InvalidArgumentError(`firmware version must look like 1.2.3, got ${def.version}`);
      const vendor = String(def.vendor ?? '').trim();
      if (vendor && !/^[0-9a-fA-F]{6}$/.test(vendor)) throw new InvalidArgumentError(`vendor must be 6 hex digits, got ${vendor}`);
      const flags: PdFlagName[] = [];
      if (def.installMode) flags.push('InstallMode');
      if (def.enforceSecure) flags.push('EnforceSecure');
      // A key the panel set by KEYSET is kept in the credentials (saved with the next deploy) and at once in a
      // key store in the user directory, used when the credentials have none.
      const userDir = (RED.settings as { userDir?: string }).userDir;
      const keystore = userDir ? new KeyStore(path.join(userDir, 'fieldlink', 'osdp-keys')) : undefined;
      const keyName = `pd-${node.id.replace(/[^A-Za-z0-9._-]/g, '_')}`;
      let stored: Buffer | undefined;
      try {
        stored = keystore?.loadSync(keyName);
      } catch (err) {
        node.warn(`key store: ${(err as Error).message}`);
      }
      const scbk = node.credentials?.scbk ? parseKey(node.credentials.scbk, 'the Secure Channel key') : stored;
      const session = createPdSessionFactory({
        onKeyChange: (key: Buffer) => {
          Promise.resolve(RED.nodes.addCredentials(node.id, { ...(RED.nodes.getCredentials(node.id) ?? {}), scbk: key.toString('hex') }))
            .catch((err: unknown) => node.warn(`could not store the new key in the credentials: ${(err as Error).message}`));
          keystore?.set(keyName, key).catch((err: unknown) => node.warn(`could not write the key store: ${(err as Error).message}`));
          node.log('the panel set a new Secure Channel key (KEYSET)');
        },
        onStatus: () => refresh(),
      });
      pd = new PeripheralDevice({
        address,
        channel: channelFromDef(def),
        id: {
          ...(vendor ? { vendorCode: parseInt(vendor, 16) } : {}),
          model: count(def.model),
          serialNumber: Math.max(0, Math.min(0xffffffff, Math.round(Number(def.serialNumber) || 0))),
          firmware: { major: Number(version[1]) & 0xff, minor: Number(version[2]) & 0xff, build: Number(version[3]) & 0xff },
        },
        capabilities: capabilitiesFromDef(def),
        flags,
        session,
        ...(scbk ? { scbk } : {}),
        handler: (cmd: OsdpCommand) => {
          if (cmd.command === 'filetransfer') return { reply: 'nak', code: 3 };
          const payload: Record<string, unknown> = { ...commandToJson(cmd), address: pd?.address ?? address };
          node.send({ topic: `osdp/${name}/${payload.command}`, payload } as NodeMessage);
          status.flash({ fill: 'blue', shape: 'dot', text: String(payload.command) });
          return undefined;
        },
      });
      pd.on('channel', (s: LinkStatus) => {
        channelState = s;
        refresh();
      });
      pd.on('online', refresh);
      pd.on('offline', refresh);
      pd.on('warning', (err: Error) => node.debug(err.message));
      pd.on('comset', (c: { address: number; baudRate: number }) => node.log(`the panel moved this reader to address ${c.address} at ${c.baudRate} baud`));
      refresh();
      pd.start().catch((err: unknown) => {
        link.set('error', toFieldlinkError(err).message);
      });
    } catch (err) {
      configError = toFieldlinkError(err);
      node.error(`OSDP reader: ${configError.message}`);
      link.set('error', `config: ${configError.message}`);
    }

    const summaries = new WeakMap<object, string>();
    onInput(node, { status, describe: (_r, msg) => summaries.get(msg) ?? 'queued' }, async (msg) => {
      if (!pd) throw configError ?? new InvalidArgumentError('the reader is not configured');
      if (payloadObject(msg) !== msg.payload) throw new InvalidArgumentError('msg.payload must be an object such as {"event": "card", "card": 1234, "facility": 18}');
      const input = parsePdInput(payloadObject(msg));
      if (input.kind === 'event' && input.event.event === 'keypress' && def.keypad === false) throw new InvalidArgumentError('this reader has no keypad (see its settings)');
      if (input.kind === 'event') pd.notifyEvent(input.event);
      else pd.setStatus(input.update, true);
      summaries.set(msg, `${input.summary} queued`);
      return undefined;
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      status.close();
      link.detach(status);
      const stopping = pd ? pd.stop() : Promise.resolve();
      stopping
        .catch((err: unknown) => node.debug(`close: ${(err as Error).message}`))
        .finally(() => {
          pd?.removeAllListeners();
          done();
        });
    });
  }

  RED.nodes.registerType('osdp-pd', OsdpPd as unknown as (this: Node, def: NodeDef) => void, {
    credentials: { scbk: { type: 'password' } },
  });
};
