/**
 * osdp-event's output side: an engine event of one PD turned into the message an integrator
 * expects: `msg.topic = osdp/<pd name>/<event>` and a JSON-safe `msg.payload`.
 */
import { toHex } from '../../../lib/common';
import { decodeWiegand, keysToString } from '../../../lib/osdp';
import type { BusEvent } from './bus';
import { vendorHex } from './commands';

/** The event kinds an osdp-event node filters on (its editor checkboxes). */
export type EventKind = 'card' | 'keypad' | 'status' | 'online' | 'mfg' | 'secure' | 'file';

export interface BusEventMessage {
  kind: EventKind;
  /** The last part of the topic: card, keypad, status, online, offline, mfg, secure, insecure, file. */
  event: string;
  payload: Record<string, unknown>;
  /** A short text for the node status ("card 4660"). */
  summary: string;
}

const STATUS_KINDS: Record<string, string> = { local: 'local', input: 'input', output: 'output', reader: 'reader' };

/** Maps one engine event to a message, or undefined for events no osdp-event node reports. */
export function eventToMessage(pd: { address: number; name: string }, event: BusEvent): BusEventMessage | undefined {
  const base = { pd: pd.name, address: pd.address };
  switch (event.event) {
    case 'card': {
      if (event.format === 'ascii') {
        const card = event.data.toString('latin1');
        return {
          kind: 'card', event: 'card', summary: `card ${card}`,
          payload: { ...base, event: 'card', card, format: 'ascii', direction: event.direction === 1 ? 'reverse' : 'forward', reader: event.reader },
        };
      }
      const w = decodeWiegand(event.data, event.bitCount);
      const payload: Record<string, unknown> = { ...base, event: 'card', card: w.card ?? null, format: w.format };
      if (w.facility !== undefined) payload.facility = w.facility;
      if (w.parityOk !== undefined) payload.parityOk = w.parityOk;
      Object.assign(payload, { bits: event.bitCount, raw: toHex(event.data, ''), reader: event.reader });
      return { kind: 'card', event: 'card', payload, summary: `card ${w.card ?? payload.raw}` };
    }
    case 'keypress': {
      const keys = keysToString(event.keys);
      return { kind: 'keypad', event: 'keypad', payload: { ...base, event: 'keypad', keys, reader: event.reader }, summary: `keys ${keys}` };
    }
    case 'status': {
      const kind = STATUS_KINDS[event.type] ?? event.type;
      const payload: Record<string, unknown> = { ...base, event: 'status', kind };
      if (event.type === 'local') Object.assign(payload, { tamper: event.report[0] !== 0, power: event.report[1] !== 0 });
      else if (event.type === 'input') payload.inputs = event.report.map((s) => s !== 0);
      else if (event.type === 'output') payload.outputs = event.report.map((s) => s !== 0);
      else payload.readers = event.report.map((s) => (s === 0 ? 'normal' : s === 1 ? 'not connected' : s === 2 ? 'tamper' : `status ${s}`));
      return { kind: 'status', event: 'status', payload, summary: `${kind} status` };
    }
    case 'mfgrep':
      return {
        kind: 'mfg', event: 'mfg', summary: 'mfg reply',
        payload: { ...base, event: 'mfg', vendor: vendorHex(event.vendorCode), data: toHex(event.data, '') },
      };
    case 'file': {
      const payload: Record<string, unknown> = { ...base, event: 'file', fileId: event.fileId, size: event.size, sent: event.offset, percent: event.percent };
      if (event.outcome) payload.outcome = event.outcome;
      if (event.error) payload.error = event.error;
      return { kind: 'file', event: 'file', payload, summary: event.outcome ? `file ${event.outcome}` : `file ${event.percent} %` };
    }
    case 'notification':
      if (event.type === 'pd-status') {
        const online = event.what === 'online';
        return { kind: 'online', event: online ? 'online' : 'offline', payload: { ...base, event: online ? 'online' : 'offline', online }, summary: online ? 'online' : 'offline' };
      }
      if (event.type === 'sc-status') {
        const secure = event.what === 'active';
        const payload: Record<string, unknown> = { ...base, event: secure ? 'secure' : 'insecure', secure };
        if (event.detail) payload.reason = event.detail;
        return { kind: 'secure', event: secure ? 'secure' : 'insecure', payload, summary: secure ? 'secure' : 'not secure' };
      }
      return undefined;
  }
  return undefined;
}
