/**
 * The UHPPOTE controller simulator: one or more SimControllers served on UDP and TCP on one port
 * (127.0.0.1 by default), answering every function with the controller's semantics, sending event
 * packets to each controller's listener (on demand through the API, on an optional timer, and as
 * auto-send status packets when a listener interval is set).
 *
 * ```ts
 * const sim = new UhppoteSimulator({ port: 0, controllers: [405419896], listener: '127.0.0.1:60001' });
 * const { port } = await sim.start();
 * await sim.swipe(405419896, 8165538, 1);
 * await sim.close();
 * ```
 */
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { hexdump } from '../common/hexdump';
import { decodeRequest, encodeEvent, encodeReply, FRAME_SIZE } from './codec';
import { directionText, eventTypeText, reasonText } from './enums';
import { SimController, type SimControllerConfig, type SimEvent } from './sim/controller';

export { SimController, type SimControllerConfig, type SimEvent, type SimCard } from './sim/controller';

export type MalformKind = 'short' | 'long' | 'bad-start' | 'wrong-function' | 'garbage';

export interface UhppoteSimulatorOptions {
  /** Address to bind. Default 127.0.0.1. */
  host?: string;
  /** UDP and TCP port. Default 60000; 0 picks a free port (the same for both). */
  port?: number;
  /** Serials or full configurations. Default one controller, 405419896. */
  controllers?: Array<number | SimControllerConfig>;
  /** 'ip:port' every controller sends events to (overrides each controller's own listener). */
  listener?: string;
  /** Generate a swipe every N seconds (round robin over the controllers). */
  eventsEvery?: number;
  /** Log lines (requests, events) go here. */
  log?: (line: string) => void;
  /** Hex dumps of every frame to `log`. */
  debug?: boolean;
}

export interface SimulatorStats {
  /** Requests received (UDP and TCP) and decoded. */
  requests: number;
  /** Replies sent. */
  replies: number;
  /** Frames that did not decode (dropped). */
  dropped: number;
  /** Event packets sent. */
  events: number;
}

export class UhppoteSimulator {
  readonly host: string;
  private requestedPort: number;
  private readonly byserial = new Map<number, SimController>();
  private readonly log?: (line: string) => void;
  private readonly debug: boolean;
  private readonly eventsEvery?: number;
  private udp?: dgram.Socket;
  private tcp?: net.Server;
  private readonly connections = new Set<net.Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly malform = new Map<number, MalformKind>();
  private readonly lastAutoSend = new Map<number, number>();
  private roundRobin = 0;
  private boundPort = 0;
  readonly stats: SimulatorStats = { requests: 0, replies: 0, dropped: 0, events: 0 };

  constructor(options: UhppoteSimulatorOptions = {}) {
    this.host = options.host ?? '127.0.0.1';
    this.requestedPort = options.port ?? 60000;
    this.log = options.log;
    this.debug = options.debug === true;
    this.eventsEvery = options.eventsEvery;
    for (const [i, c] of (options.controllers ?? [405419896]).entries()) {
      const config: SimControllerConfig = typeof c === 'number' ? { serial: c } : { ...c };
      // distinct addresses for discovery: 192.168.1.100, .101, ...
      config.ipAddress ??= `192.168.${1 + Math.floor((100 + i) / 250)}.${(100 + i) % 250}`;
      if (options.listener) config.listener = options.listener;
      if (!Number.isInteger(config.serial) || config.serial <= 0 || config.serial > 0xffffffff) throw new RangeError(`bad controller serial ${config.serial}`);
      this.byserial.set(config.serial, new SimController(config));
    }
  }

  /** The bound port (UDP and TCP), once started. */
  get port(): number {
    return this.boundPort;
  }

  get controllers(): SimController[] {
    return [...this.byserial.values()];
  }

  /** The simulated controller with that serial; throws RangeError if there is none. */
  controller(serial: number): SimController {
    const c = this.byserial.get(serial);
    if (!c) throw new RangeError(`no simulated controller ${serial}`);
    return c;
  }

  /** Binds UDP and TCP on the same port. */
  async start(): Promise<{ host: string; port: number }> {
    if (this.udp) return { host: this.host, port: this.boundPort };
    let lastError: unknown;
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        const tcp = await this.listenTcp(this.requestedPort);
        const port = (tcp.address() as net.AddressInfo).port;
        try {
          this.udp = await this.bindUdp(port);
        } catch (err) {
          await new Promise<void>((resolve) => tcp.close(() => resolve()));
          throw err;
        }
        this.tcp = tcp;
        this.boundPort = port;
        break;
      } catch (err) {
        lastError = err;
        if (this.requestedPort !== 0) throw err;
      }
    }
    if (!this.udp) throw lastError;
    this.startTimers();
    this.log?.(`UHPPOTE simulator: ${this.byserial.size} controller(s) [${[...this.byserial.keys()].join(', ')}] on udp+tcp ${this.host}:${this.boundPort}`);
    return { host: this.host, port: this.boundPort };
  }

  private listenTcp(port: number): Promise<net.Server> {
    return new Promise((resolve, reject) => {
      const server = net.createServer((socket) => this.onConnection(socket));
      server.once('error', reject);
      server.listen(port, this.host, () => {
        server.off('error', reject);
        server.on('error', (err) => this.log?.(`TCP server error: ${err.message}`));
        resolve(server);
      });
    });
  }

  private bindUdp(port: number): Promise<dgram.Socket> {
    return new Promise((resolve, reject) => {
      const sock = dgram.createSocket(net.isIPv6(this.host) ? 'udp6' : 'udp4');
      sock.once('error', (err) => {
        sock.close();
        reject(err);
      });
      sock.bind(port, this.host, () => {
        sock.removeAllListeners('error');
        sock.on('error', (err) => this.log?.(`UDP socket error: ${err.message}`));
        sock.on('message', (msg, rinfo) => {
          for (const reply of this.onRequest(msg, `udp ${rinfo.address}:${rinfo.port}`)) {
            sock.send(reply, rinfo.port, rinfo.address);
          }
        });
        resolve(sock);
      });
    });
  }

  private onConnection(socket: net.Socket): void {
    this.connections.add(socket);
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= FRAME_SIZE) {
        const frame = buffered.subarray(0, FRAME_SIZE);
        buffered = buffered.subarray(FRAME_SIZE);
        for (const reply of this.onRequest(Buffer.from(frame), `tcp ${socket.remoteAddress}:${socket.remotePort}`)) {
          if (!socket.destroyed) socket.write(reply);
        }
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.connections.delete(socket));
  }

  /** Decodes one request and returns the replies to send (one per answering controller). Never throws. */
  private onRequest(frame: Buffer, from: string): Buffer[] {
    if (this.debug) this.log?.(`request from ${from}\n${hexdump(frame)}`);
    let request: ReturnType<typeof decodeRequest>;
    try {
      request = decodeRequest(frame);
    } catch (err) {
      this.stats.dropped++;
      this.log?.(`dropped request from ${from}: ${(err as Error).message}`);
      return [];
    }
    this.stats.requests++;
    const { fn, controller, values } = request;
    const targets = controller === 0 && fn === 'getController' ? this.controllers : this.byserial.has(controller) ? [this.controller(controller)] : [];
    const replies: Buffer[] = [];
    for (const c of targets) {
      let result;
      try {
        result = c.handle(fn, values, (e) => this.sendEvent(c, e));
      } catch (err) {
        this.log?.(`controller ${c.serial}: ${request.def.name} failed: ${(err as Error).message}`);
        continue;
      }
      if (result === null) continue;
      let reply = encodeReply(fn, c.serial, result);
      reply = this.applyMalform(c.serial, reply);
      if (this.debug) this.log?.(`reply from ${c.serial} to ${from}\n${hexdump(reply)}`);
      replies.push(reply);
      this.stats.replies++;
    }
    return replies;
  }

  /** Makes the next reply from `serial` malformed (for tests of malformed-reply handling). */
  malformNextReply(serial: number, kind: MalformKind = 'short'): void {
    this.controller(serial);
    this.malform.set(serial, kind);
  }

  private applyMalform(serial: number, reply: Buffer): Buffer {
    const kind = this.malform.get(serial);
    if (!kind) return reply;
    this.malform.delete(serial);
    switch (kind) {
      case 'short':
        return reply.subarray(0, 40);
      case 'long':
        return Buffer.concat([reply, Buffer.alloc(8)]);
      case 'bad-start': {
        const r = Buffer.from(reply);
        r[0] = 0x42;
        return r;
      }
      case 'wrong-function': {
        const r = Buffer.from(reply);
        r[1] ^= 0x01;
        return r;
      }
      case 'garbage': {
        const r = Buffer.alloc(FRAME_SIZE, 0xee);
        reply.copy(r, 0, 0, 8);
        r[0] = 0x17;
        return r;
      }
    }
  }

  /** Sends an event (or status, when `event` is undefined) packet to the controller's listener, if it has one. */
  private sendEvent(c: SimController, event?: SimEvent): void {
    if (event) {
      const what = event.type === 1 ? `card ${event.card} ${directionText(event.direction)}` : eventTypeText(event.type);
      this.log?.(`controller ${c.serial}: event ${event.index}: ${what} at door ${event.door}, ${event.accessGranted ? 'granted' : 'denied'} (${reasonText(event.reason)})`);
    }
    if (!this.udp || c.listenerPort === 0 || c.listenerAddress === '0.0.0.0') return;
    c.sequenceNo++;
    const packet = encodeEvent(c.serial, c.status(), c.eventStartByte);
    this.udp.send(packet, c.listenerPort, c.listenerAddress);
    this.stats.events++;
  }

  /** A card swipe at a door: the controller decides access, logs the event and sends it to its listener. */
  swipe(serial: number, card: number, door = 1, direction = 1): SimEvent {
    checkDoor(door);
    const c = this.controller(serial);
    const e = c.swipe(card, door, direction);
    this.sendEvent(c, e);
    return e;
  }

  /** Door sensor opened/closed (an event only when record-special-events is on). */
  doorSensor(serial: number, door: number, open: boolean): SimEvent | undefined {
    checkDoor(door);
    const c = this.controller(serial);
    const e = c.doorSensor(door, open);
    if (e) this.sendEvent(c, e);
    return e;
  }

  /** Pushbutton pressed (an event only when record-special-events is on). */
  button(serial: number, door: number): SimEvent | undefined {
    checkDoor(door);
    const c = this.controller(serial);
    const e = c.button(door);
    if (e) this.sendEvent(c, e);
    return e;
  }

  private startTimers(): void {
    // every second: the task list, and auto-send (a status packet every `interval` seconds to the listener)
    const tick = setInterval(() => {
      const now = Date.now();
      for (const c of this.controllers) {
        c.runTasks(c.now());
        if (c.listenerInterval <= 0) continue;
        const last = this.lastAutoSend.get(c.serial) ?? 0;
        if (now - last >= c.listenerInterval * 1000) {
          this.lastAutoSend.set(c.serial, now);
          this.sendEvent(c);
        }
      }
    }, 1000);
    tick.unref();
    this.timers.add(tick);
    if (this.eventsEvery && this.eventsEvery > 0) {
      const t = setInterval(() => this.randomSwipe(), this.eventsEvery * 1000);
      t.unref();
      this.timers.add(t);
    }
  }

  /** One swipe of a random known card (or, one time in four, an unknown card) at a random door. */
  randomSwipe(): SimEvent {
    const list = this.controllers;
    const c = list[this.roundRobin++ % list.length];
    const known = c.cards.filter((k) => k.card !== 0xffffffff);
    const unknown = known.length === 0 || Math.random() < 0.25;
    const card = unknown ? 10000000 + Math.floor(Math.random() * 9000000) : known[Math.floor(Math.random() * known.length)].card;
    return this.swipe(c.serial, card, 1 + Math.floor(Math.random() * 4), Math.random() < 0.5 ? 1 : 2);
  }

  /** Closes sockets, connections and timers; idempotent. */
  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers.clear();
    for (const s of this.connections) s.destroy();
    this.connections.clear();
    const udp = this.udp;
    const tcp = this.tcp;
    this.udp = undefined;
    this.tcp = undefined;
    await Promise.all([
      udp ? new Promise<void>((resolve) => udp.close(() => resolve())) : undefined,
      tcp ? new Promise<void>((resolve) => tcp.close(() => resolve())) : undefined,
    ]);
  }
}

function checkDoor(door: number): void {
  if (!Number.isInteger(door) || door < 1 || door > 4) throw new RangeError(`door must be 1..4, got ${door}`);
}
