/**
 * The UHPPOTE engine: one async method per controller function (named after uhppoted-lib-python,
 * camelCase), the record-level calls of uhppoted-lib-python 0.9, and the events listener.
 *
 * ```ts
 * const u = new Uhppote({ broadcast: '192.168.1.255:60000' });
 * const status = await u.getStatus(405419896);
 * const card = await u.getCardRecord({ id: 405419896, address: '192.168.1.100', protocol: 'tcp' }, 8165538);
 * await u.close();
 * ```
 */
import { FieldlinkError, InvalidArgumentError, toFieldlinkError } from '../common/errors';
import { resolveController } from './address';
import { decodeReply, encodeRequest, FUNCTIONS, type FunctionName, type Values } from './codec';
import { UhppoteListener } from './listener';
import {
  fromCardRecord,
  fromDoorPasscodesRecord,
  fromTaskRecord,
  fromTimeProfileRecord,
  toCardRecord,
  toEventRecord,
  toStatusRecord,
  toTimeProfileRecord,
} from './records';
import { Transport } from './transport';
import type * as T from './types';

export const DEFAULT_TIMEOUT = 2500;

function debugLogger(debug: T.UhppoteOptions['debug']): ((line: string) => void) | undefined {
  if (typeof debug === 'function') return debug;
  if (debug === true) return (line) => console.debug(line);
  return undefined;
}

export class Uhppote {
  readonly options: Required<Pick<T.UhppoteOptions, 'bind' | 'broadcast' | 'listen' | 'timeout'>>;
  private readonly debug?: (line: string) => void;
  private readonly transport: Transport;
  private readonly listeners = new Set<UhppoteListener>();

  constructor(options: T.UhppoteOptions = {}) {
    const timeout = options.timeout ?? DEFAULT_TIMEOUT;
    if (!(timeout > 0) || !Number.isFinite(timeout)) throw new InvalidArgumentError(`timeout: expected a positive number of ms, got ${timeout}`);
    this.options = {
      bind: options.bind ?? '0.0.0.0',
      broadcast: options.broadcast ?? '255.255.255.255:60000',
      listen: options.listen ?? '0.0.0.0:60001',
      timeout,
    };
    this.debug = debugLogger(options.debug);
    this.transport = new Transport({ bind: this.options.bind, broadcast: this.options.broadcast, debug: this.debug });
  }

  private timeoutOf(opts?: T.CallOptions): number {
    const t = opts?.timeout ?? this.options.timeout;
    if (!(t > 0) || !Number.isFinite(t)) throw new InvalidArgumentError(`timeout: expected a positive number of ms, got ${t}`);
    return t;
  }

  /** Encodes, sends, waits for and decodes one request; every failure is a FieldlinkError with device and operation. */
  private async call<R>(fn: FunctionName, controller: T.ControllerAddress, values: Values, opts?: T.CallOptions): Promise<R> {
    const def = FUNCTIONS[fn];
    const device = typeof controller === 'object' && controller !== null ? controller.id : controller;
    try {
      const c = resolveController(controller);
      const timeout = this.timeoutOf(opts);
      const request = encodeRequest(fn, c.id, values);
      const ctx = { operation: def.name, device: c.id, timeout };
      const to = c.endpoint ?? this.transport.broadcast;
      const expectReply = def.reply !== null;
      const reply =
        c.protocol === 'tcp' && c.endpoint
          ? await this.transport.tcpRequest(request, to, ctx, expectReply)
          : await this.transport.udpRequest(request, to, ctx, expectReply);
      if (!expectReply || !reply) return { controller: c.id, ok: true } as R;
      return decodeReply<R>(fn, reply);
    } catch (err) {
      const e = toFieldlinkError(err, { device, operation: def.name });
      if (e instanceof FieldlinkError) {
        if (e.device === undefined) (e as { device?: string | number }).device = device;
        if (e.operation === undefined) (e as { operation?: string }).operation = def.name;
      }
      throw e;
    }
  }

  // ------------------------------------------------------------ controller

  /** Every controller that answers a broadcast get-controller before the timeout (de-duplicated by serial). */
  async getControllers(opts?: T.CallOptions): Promise<T.GetControllerResponse[]> {
    const timeout = this.timeoutOf(opts);
    const frames = await this.transport.udpCollect(encodeRequest('getController', 0), this.transport.broadcast, {
      operation: 'get-controllers',
      device: 0,
      timeout,
    });
    const seen = new Map<number, T.GetControllerResponse>();
    for (const frame of frames) {
      try {
        const reply = decodeReply<T.GetControllerResponse>('getController', frame);
        if (!seen.has(reply.controller)) seen.set(reply.controller, reply);
      } catch (err) {
        this.debug?.(`uhppote: get-controllers: dropped bad reply: ${(err as Error).message}`);
      }
    }
    return [...seen.values()];
  }

  getController(controller: T.ControllerAddress, opts?: T.CallOptions): Promise<T.GetControllerResponse> {
    return this.call('getController', controller, {}, opts);
  }

  /** Sets IP address, netmask and gateway. The controller does not reply: resolves once sent. */
  setIPv4(controller: T.ControllerAddress, request: T.SetIPv4Request, opts?: T.CallOptions): Promise<T.SetIPv4Response> {
    return this.call('setIPv4', controller, { ...request }, opts);
  }

  getTime(controller: T.ControllerAddress, opts?: T.CallOptions): Promise<T.GetTimeResponse> {
    return this.call('getTime', controller, {}, opts);
  }

  setTime(controller: T.ControllerAddress, datetime: T.DateTimeInput, opts?: T.CallOptions): Promise<T.SetTimeResponse> {
    return this.call('setTime', controller, { datetime }, opts);
  }

  getStatus(controller: T.ControllerAddress, opts?: T.CallOptions): Promise<T.GetStatusResponse> {
    return this.call('getStatus', controller, {}, opts);
  }

  getListener(controller: T.ControllerAddress, opts?: T.CallOptions): Promise<T.GetListenerResponse> {
    return this.call('getListener', controller, {}, opts);
  }

  setListener(controller: T.ControllerAddress, request: T.SetListenerRequest, opts?: T.CallOptions): Promise<T.SetListenerResponse> {
    return this.call('setListener', controller, { ...request }, opts);
  }

  getDoor(controller: T.ControllerAddress, door: number, opts?: T.CallOptions): Promise<T.GetDoorResponse> {
    return this.call('getDoor', controller, { door: checkDoor(door) }, opts);
  }

  setDoor(controller: T.ControllerAddress, request: T.SetDoorRequest, opts?: T.CallOptions): Promise<T.SetDoorResponse> {
    return this.call('setDoor', controller, { ...request, door: checkDoor(request?.door) }, opts);
  }

  openDoor(controller: T.ControllerAddress, door: number, opts?: T.CallOptions): Promise<T.OpenDoorResponse> {
    return this.call('openDoor', controller, { door: checkDoor(door) }, opts);
  }

  getCards(controller: T.ControllerAddress, opts?: T.CallOptions): Promise<T.GetCardsResponse> {
    return this.call('getCards', controller, {}, opts);
  }

  /** The raw reply: card 0 = not found, 0xFFFFFFFF = deleted. See getCardRecord for the typed errors. */
  getCard(controller: T.ControllerAddress, card: number, opts?: T.CallOptions): Promise<T.GetCardResponse> {
    return this.call('getCard', controller, { card }, opts);
  }

  /** `index` counts from 1. */
  getCardAtIndex(controller: T.ControllerAddress, index: number, opts?: T.CallOptions): Promise<T.GetCardAtIndexResponse> {
    return this.call('getCardAtIndex', controller, { index }, opts);
  }

  putCard(controller: T.ControllerAddress, request: T.PutCardRequest, opts?: T.CallOptions): Promise<T.PutCardResponse> {
    return this.call('putCard', controller, { ...request }, opts);
  }

  deleteCard(controller: T.ControllerAddress, card: number, opts?: T.CallOptions): Promise<T.DeleteCardResponse> {
    return this.call('deleteCard', controller, { card }, opts);
  }

  deleteAllCards(controller: T.ControllerAddress, opts?: T.CallOptions): Promise<T.DeleteAllCardsResponse> {
    return this.call('deleteAllCards', controller, {}, opts);
  }

  getEventIndex(controller: T.ControllerAddress, opts?: T.CallOptions): Promise<T.GetEventIndexResponse> {
    return this.call('getEventIndex', controller, {}, opts);
  }

  setEventIndex(controller: T.ControllerAddress, index: number, opts?: T.CallOptions): Promise<T.SetEventIndexResponse> {
    return this.call('setEventIndex', controller, { index }, opts);
  }

  /** The raw reply: eventType 0 = not found, 0xFF = overwritten. See getEventRecord for the typed errors. */
  getEvent(controller: T.ControllerAddress, index: number, opts?: T.CallOptions): Promise<T.GetEventResponse> {
    return this.call('getEvent', controller, { index }, opts);
  }

  recordSpecialEvents(controller: T.ControllerAddress, enabled: boolean, opts?: T.CallOptions): Promise<T.RecordSpecialEventsResponse> {
    return this.call('recordSpecialEvents', controller, { enabled }, opts);
  }

  /** The raw reply: profileId 0 = not found. See getTimeProfileRecord for the typed error. */
  getTimeProfile(controller: T.ControllerAddress, profileId: number, opts?: T.CallOptions): Promise<T.GetTimeProfileResponse> {
    return this.call('getTimeProfile', controller, { profileId: checkProfile(profileId) }, opts);
  }

  setTimeProfile(controller: T.ControllerAddress, request: T.SetTimeProfileRequest, opts?: T.CallOptions): Promise<T.SetTimeProfileResponse> {
    return this.call('setTimeProfile', controller, { ...request, profileId: checkProfile(request?.profileId) }, opts);
  }

  clearTimeProfiles(controller: T.ControllerAddress, opts?: T.CallOptions): Promise<T.ClearTimeProfilesResponse> {
    return this.call('clearTimeProfiles', controller, {}, opts);
  }

  addTask(controller: T.ControllerAddress, request: T.AddTaskRequest, opts?: T.CallOptions): Promise<T.AddTaskResponse> {
    return this.call('addTask', controller, { ...request, door: checkDoor(request?.door) }, opts);
  }

  refreshTasklist(controller: T.ControllerAddress, opts?: T.CallOptions): Promise<T.RefreshTasklistResponse> {
    return this.call('refreshTasklist', controller, {}, opts);
  }

  clearTasklist(controller: T.ControllerAddress, opts?: T.CallOptions): Promise<T.ClearTasklistResponse> {
    return this.call('clearTasklist', controller, {}, opts);
  }

  setPCControl(controller: T.ControllerAddress, enabled: boolean, opts?: T.CallOptions): Promise<T.SetPCControlResponse> {
    return this.call('setPCControl', controller, { enabled }, opts);
  }

  /** Interlock mode: 0 none, 1 doors 1&2, 2 doors 3&4, 3 1&2 and 3&4, 4 doors 1&2&3, 8 doors 1&2&3&4. */
  setInterlock(controller: T.ControllerAddress, interlock: number, opts?: T.CallOptions): Promise<T.SetInterlockResponse> {
    if (![0, 1, 2, 3, 4, 8].includes(interlock)) throw new InvalidArgumentError(`interlock: expected 0, 1, 2, 3, 4 or 8, got ${JSON.stringify(interlock)}`, { operation: 'set-interlock' });
    return this.call('setInterlock', controller, { interlock }, opts);
  }

  activateKeypads(controller: T.ControllerAddress, request: T.ActivateKeypadsRequest, opts?: T.CallOptions): Promise<T.ActivateKeypadsResponse> {
    return this.call('activateKeypads', controller, { ...request }, opts);
  }

  setDoorPasscodes(controller: T.ControllerAddress, request: T.SetDoorPasscodesRequest, opts?: T.CallOptions): Promise<T.SetDoorPasscodesResponse> {
    return this.call('setDoorPasscodes', controller, { ...request, door: checkDoor(request?.door) }, opts);
  }

  getAntiPassback(controller: T.ControllerAddress, opts?: T.CallOptions): Promise<T.GetAntiPassbackResponse> {
    return this.call('getAntiPassback', controller, {}, opts);
  }

  /** Anti-passback mode 0..4 (see AntiPassback). */
  setAntiPassback(controller: T.ControllerAddress, antipassback: number, opts?: T.CallOptions): Promise<T.SetAntiPassbackResponse> {
    if (!Number.isInteger(antipassback) || antipassback < 0 || antipassback > 4) {
      throw new InvalidArgumentError(`antipassback: expected 0..4, got ${JSON.stringify(antipassback)}`, { operation: 'set-antipassback' });
    }
    return this.call('setAntiPassback', controller, { antipassback }, opts);
  }

  restoreDefaultParameters(controller: T.ControllerAddress, opts?: T.CallOptions): Promise<T.RestoreDefaultParametersResponse> {
    return this.call('restoreDefaultParameters', controller, {}, opts);
  }

  setFirstCard(controller: T.ControllerAddress, request: T.SetFirstCardRequest, opts?: T.CallOptions): Promise<T.SetFirstCardResponse> {
    return this.call('setFirstCard', controller, { ...request, door: checkDoor(request?.door) }, opts);
  }

  // ------------------------------------------------------------ record level (uhppoted-lib-python 0.9)

  /** Throws CardNotFound / CardDeleted. */
  async getCardRecord(controller: T.ControllerAddress, card: number, opts?: T.CallOptions): Promise<T.CardRecord> {
    const reply = await this.getCard(controller, card, opts);
    return toCardRecord(reply, { device: reply.controller, operation: 'get-card' });
  }

  /** Throws CardNotFound / CardDeleted. */
  async getCardRecordAtIndex(controller: T.ControllerAddress, index: number, opts?: T.CallOptions): Promise<T.CardRecord> {
    const reply = await this.getCardAtIndex(controller, index, opts);
    return toCardRecord(reply, { device: reply.controller, operation: 'get-card-at-index' });
  }

  putCardRecord(controller: T.ControllerAddress, record: T.CardRecordInput, opts?: T.CallOptions): Promise<T.PutCardResponse> {
    return this.putCard(controller, fromCardRecord(record), opts);
  }

  async getStatusRecord(controller: T.ControllerAddress, opts?: T.CallOptions): Promise<T.StatusRecord> {
    return toStatusRecord(await this.getStatus(controller, opts));
  }

  /** Throws EventNotFound / EventOverwritten. */
  async getEventRecord(controller: T.ControllerAddress, index: number, opts?: T.CallOptions): Promise<T.EventRecord> {
    const reply = await this.getEvent(controller, index, opts);
    return toEventRecord(reply, { device: reply.controller, operation: 'get-event' });
  }

  /** Throws TimeProfileNotFound. */
  async getTimeProfileRecord(controller: T.ControllerAddress, profileId: number, opts?: T.CallOptions): Promise<T.TimeProfileRecord> {
    const reply = await this.getTimeProfile(controller, profileId, opts);
    return toTimeProfileRecord(reply, { device: reply.controller, operation: 'get-time-profile', profile: profileId });
  }

  setTimeProfileRecord(controller: T.ControllerAddress, record: T.TimeProfileRecordInput, opts?: T.CallOptions): Promise<T.SetTimeProfileResponse> {
    return this.setTimeProfile(controller, fromTimeProfileRecord(record), opts);
  }

  addTaskRecord(controller: T.ControllerAddress, record: T.TaskRecord, opts?: T.CallOptions): Promise<T.AddTaskResponse> {
    return this.addTask(controller, fromTaskRecord(record), opts);
  }

  setDoorPasscodesRecord(controller: T.ControllerAddress, record: T.DoorPasscodesRecord, opts?: T.CallOptions): Promise<T.SetDoorPasscodesResponse> {
    if (!record || !Array.isArray(record.passcodes) || record.passcodes.length > 4) {
      throw new InvalidArgumentError('passcodes: expected an array of up to 4 PINs', { operation: 'set-door-passcodes' });
    }
    return this.setDoorPasscodes(controller, fromDoorPasscodesRecord(record), opts);
  }

  // ------------------------------------------------------------ events

  /**
   * Starts an events listener on the `listen` address (or `listen` given here). Rejects with
   * NotConnectedError when the address cannot be bound. The listener is closed by `close()` too.
   */
  async listen(listen?: string): Promise<UhppoteListener> {
    const listener = new UhppoteListener({ listen: listen ?? this.options.listen, debug: this.debug });
    this.listeners.add(listener);
    listener.once('close', () => this.listeners.delete(listener));
    try {
      await listener.start();
    } catch (err) {
      this.listeners.delete(listener);
      await listener.close();
      throw err;
    }
    return listener;
  }

  /** Closes the sockets and every listener started by listen(); pending calls reject with AbortedError. */
  async close(): Promise<void> {
    await Promise.all([...this.listeners].map((l) => l.close()));
    this.listeners.clear();
    await this.transport.close();
  }
}

function checkDoor(door: unknown): number {
  const n = typeof door === 'string' ? Number(door) : door;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 4) throw new InvalidArgumentError(`door: expected 1..4, got ${JSON.stringify(door)}`);
  return n;
}

function checkProfile(profile: unknown): number {
  const n = typeof profile === 'string' ? Number(profile) : profile;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 2 || n > 254) throw new InvalidArgumentError(`time profile: expected 2..254, got ${JSON.stringify(profile)}`);
  return n;
}
