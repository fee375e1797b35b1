// Transport behaviour: timeouts, malformed replies, reply matching, TCP reassembly, argument
// checks, debug dumps and close().
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { AbortedError, InvalidArgumentError, ProtocolError, TimeoutError } from '../../../lib/common';
import { codec, Uhppote, UhppoteSimulator } from '../../../lib/uhppote';
import { rig, SERIAL, SERIAL2, type Rig } from './helpers';

describe('uhppote transport', () => {
  let r: Rig;
  beforeEach(async () => {
    r = await rig({}, 400);
  });
  afterEach(async () => r.close());

  it('times out with TimeoutError when the simulator is stopped (UDP and TCP)', async () => {
    const tcp = r.address.tcp();
    await r.sim.close();
    await assert.rejects(r.uhppote.getStatus(SERIAL), (e: unknown) => e instanceof TimeoutError && e.device === SERIAL && e.operation === 'get-status');
    await assert.rejects(r.uhppote.getStatus(tcp), (e: unknown) => (e as { device?: number }).device === SERIAL && ['ECONNREFUSED', 'ETIMEOUT'].includes((e as { code: string }).code));
  });

  it('a per-call timeout overrides the default', async () => {
    const started = Date.now();
    await assert.rejects(r.uhppote.getStatus(1, { timeout: 50 }), TimeoutError);
    assert.ok(Date.now() - started < 400, 'did not wait for the 400 ms default');
  });

  for (const kind of ['short', 'long', 'bad-start', 'garbage'] as const) {
    for (const transport of ['udp', 'tcp'] as const) {
      it(`a malformed reply (${kind}, ${transport}) rejects with ProtocolError; the next call works`, async () => {
        const c = r.address[transport]();
        r.sim.malformNextReply(SERIAL, kind);
        const call = kind === 'garbage' ? r.uhppote.getTime(c) : r.uhppote.getStatus(c);
        if (kind === 'garbage') {
          // 0xEE bytes are not BCD: the date reads as null rather than throwing
          assert.equal((await call as { datetime: string | null }).datetime, null);
        } else if (kind === 'short' && transport === 'tcp') {
          // a stream has no datagram boundary: 40 bytes on an open connection are just an incomplete reply
          await assert.rejects(call, TimeoutError);
        } else if (kind === 'long' && transport === 'tcp') {
          // TCP takes the first 64 bytes of the stream: the reply itself is intact
          assert.equal((await call as { controller: number }).controller, SERIAL);
        } else {
          await assert.rejects(call, (e: unknown) => e instanceof ProtocolError && (e as ProtocolError).device === SERIAL);
        }
        assert.equal((await r.uhppote.getStatus(c)).controller, SERIAL);
      });
    }
  }

  it('a reply with another function code is dropped (debug log) and the call times out', async () => {
    const lines: string[] = [];
    const u = new Uhppote({ bind: '127.0.0.1', broadcast: `127.0.0.1:${r.port}`, timeout: 200, debug: (l) => lines.push(l) });
    r.sim.malformNextReply(SERIAL, 'wrong-function');
    await assert.rejects(u.getStatus(SERIAL), TimeoutError);
    await u.close();
    assert.ok(lines.some((l) => /dropped unexpected packet .*function 0x21/.test(l)), lines.join('\n'));
  });

  it('matches replies by function and serial when calls overlap', async () => {
    const [a, b, c, d] = await Promise.all([
      r.uhppote.getStatus(SERIAL),
      r.uhppote.getStatus(SERIAL2),
      r.uhppote.getTime(SERIAL),
      r.uhppote.getCards(SERIAL2),
    ]);
    assert.equal(a.controller, SERIAL);
    assert.equal(b.controller, SERIAL2);
    assert.equal(c.controller, SERIAL);
    assert.equal(d.controller, SERIAL2);
  });

  it('debug logs hex dumps of sent and received frames', async () => {
    const lines: string[] = [];
    const u = new Uhppote({ bind: '127.0.0.1', broadcast: `127.0.0.1:${r.port}`, debug: (l) => lines.push(l) });
    await u.getStatus(SERIAL);
    await u.close();
    assert.ok(lines.some((l) => l.startsWith('uhppote: sent 64 bytes') && l.includes('00000000  17 20 00 00 78 37 2a 18')));
    assert.ok(lines.some((l) => l.startsWith('uhppote: received 64 bytes')));
  });

  it('rejects bad arguments with InvalidArgumentError before sending', async () => {
    const u = r.uhppote;
    const bad: Array<[string, () => Promise<unknown>]> = [
      ['serial', () => u.getStatus(-1)],
      ['serial string', () => u.getStatus('abc' as unknown as number)],
      ['tcp without address', () => u.getStatus({ id: SERIAL, protocol: 'tcp' })],
      ['bad address', () => u.getStatus({ id: SERIAL, address: 'not an address:x' })],
      ['door 5', () => u.openDoor(SERIAL, 5)],
      ['date', () => u.putCard(SERIAL, { card: 1, startDate: '2024-13-01', endDate: '2024-12-31' })],
      ['pin', () => u.putCard(SERIAL, { card: 1, startDate: '2024-01-01', endDate: '2024-12-31', pin: 1_000_000 })],
      ['datetime', () => u.setTime(SERIAL, 'yesterday')],
      ['ip', () => u.setListener(SERIAL, { address: '300.1.1.1', port: 60001 })],
      ['port', () => u.setListener(SERIAL, { address: '127.0.0.1', port: 70000 })],
      ['HHmm', () => u.addTask(SERIAL, { task: 1, startDate: '2024-01-01', endDate: '2024-12-31', startTime: '25:00', door: 1 })],
      ['profile 1', () => u.getTimeProfile(SERIAL, 1)],
      ['interlock', () => u.setInterlock(SERIAL, 5)],
      ['antipassback', () => u.setAntiPassback(SERIAL, 9)],
      ['passcodes', () => u.setDoorPasscodesRecord(SERIAL, { door: 1, passcodes: [1, 2, 3, 4, 5] })],
      ['timeout', () => u.getStatus(SERIAL, { timeout: -1 })],
    ];
    for (const [what, call] of bad) {
      await assert.rejects(Promise.resolve().then(call), (e: unknown) => e instanceof InvalidArgumentError && (e as InvalidArgumentError).code === 'EINVAL', what);
    }
    assert.equal(r.sim.stats.requests, 0, 'nothing was sent');
  });

  it('close() rejects pending calls with AbortedError and later calls fail', async () => {
    const u = new Uhppote({ bind: '127.0.0.1', broadcast: `127.0.0.1:${r.port}`, timeout: 5000 });
    const pending = u.getStatus(42);
    await new Promise((resolve) => setImmediate(resolve));
    await u.close();
    await assert.rejects(pending, (e: unknown) => e instanceof AbortedError || (e as { code?: string }).code === 'ENOTCONN');
    await assert.rejects(u.getStatus(SERIAL), (e: unknown) => (e as { code?: string }).code === 'ENOTCONN');
  });
});

describe('uhppote TCP reassembly', () => {
  let server: net.Server;
  let port: number;
  let mode: 'bytes' | 'split' | 'noise-first' | 'partial-close';

  before(async () => {
    const sim = new UhppoteSimulator({ port: 0, controllers: [SERIAL] });
    await sim.start();
    // a TCP front that answers from the simulator's logic but writes the reply in odd chunks
    server = net.createServer((socket) => {
      let buf = Buffer.alloc(0);
      socket.on('data', (chunk) => {
        buf = Buffer.concat([buf, chunk]);
        if (buf.length < 64) return;
        const req = codec.decodeRequest(buf.subarray(0, 64));
        const reply = codec.encodeReply(req.fn, SERIAL, sim.controller(SERIAL).handle(req.fn, req.values, () => undefined) ?? {});
        if (mode === 'bytes') {
          let i = 0;
          const dribble = (): void => {
            if (i < reply.length) socket.write(reply.subarray(i, ++i), () => setImmediate(dribble));
          };
          dribble();
        } else if (mode === 'split') {
          socket.write(reply.subarray(0, 7));
          setImmediate(() => socket.write(reply.subarray(7)));
        } else if (mode === 'noise-first') {
          const other = codec.encodeReply('getCards', 999, { cards: 5 });
          socket.write(Buffer.concat([other.subarray(0, 30)]));
          setImmediate(() => socket.write(Buffer.concat([other.subarray(30), reply])));
        } else {
          socket.end(reply.subarray(0, 20));
        }
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    port = (server.address() as net.AddressInfo).port;
    await sim.close();
  });
  after(async () => new Promise<void>((resolve) => server.close(() => resolve())));

  for (const m of ['bytes', 'split', 'noise-first'] as const) {
    it(`reassembles a reply delivered as ${m}`, async () => {
      mode = m;
      const u = new Uhppote({ timeout: 2000 });
      const reply = await u.getCards({ id: SERIAL, address: `127.0.0.1:${port}`, protocol: 'tcp' });
      await u.close();
      assert.deepEqual(reply, { controller: SERIAL, cards: 0 });
    });
  }

  it('a connection closed mid-frame rejects with ProtocolError', async () => {
    mode = 'partial-close';
    const u = new Uhppote({ timeout: 2000 });
    await assert.rejects(u.getCards({ id: SERIAL, address: `127.0.0.1:${port}`, protocol: 'tcp' }), (e: unknown) => e instanceof ProtocolError && /20 of 64 bytes/.test((e as Error).message));
    await u.close();
  });
});

describe('uhppote set-address over TCP', () => {
  it('sends and resolves without waiting for a reply', async () => {
    const sim = new UhppoteSimulator({ port: 0, controllers: [SERIAL] });
    const { port } = await sim.start();
    const u = new Uhppote({ timeout: 1000 });
    const c = { id: SERIAL, address: `127.0.0.1:${port}`, protocol: 'tcp' as const };
    assert.deepEqual(await u.setIPv4(c, { address: '10.0.0.9', netmask: '255.255.255.0', gateway: '10.0.0.1' }), { controller: SERIAL, ok: true });
    // the controller applies it: read it back (TCP connections are handled in order of arrival)
    let ip = '';
    for (let i = 0; i < 50 && ip !== '10.0.0.9'; i++) ip = (await u.getController(c)).ipAddress;
    assert.equal(ip, '10.0.0.9');
    await u.close();
    await sim.close();
  });
});

describe('uhppote get-controllers alongside other calls', () => {
  it('a get-controller to one controller during a get-controllers broadcast still gets its reply', async () => {
    const r = await rig({}, 300);
    const [all, one] = await Promise.all([r.uhppote.getControllers(), r.uhppote.getController(SERIAL2)]);
    assert.equal(one.controller, SERIAL2);
    assert.deepEqual(all.map((c) => c.controller).sort(), [SERIAL, SERIAL2].sort());
    await r.close();
  });
});
