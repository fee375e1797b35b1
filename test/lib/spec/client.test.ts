import { strict as assert } from 'node:assert';
import * as net from 'node:net';
import { once } from 'node:events';
import { AbortedError, NotConnectedError, NotFoundError } from '../../../lib/common';
import {
  FrameDecoder,
  SpecArray,
  SpecClient,
  SpecCommand,
  SpecError,
  SpecLimitError,
  SpecType,
  encodeFrame,
  scanSpecServers,
  startSpecSimulator,
  toPlain,
  toSpecArray,
  type SpecArrayType,
  type SpecEvent,
  type SpecSimulator,
  type SpecWatch,
} from '../../../lib/spec';

/** Resolves with the next event of `w` that satisfies `pred` (no time margins: mocha's time-out is the bound). */
function next(w: SpecWatch, pred: (ev: SpecEvent) => boolean = () => true): Promise<SpecEvent> {
  return w.waitFor(pred, { fresh: true });
}

for (const littleEndian of [true, false]) {
  describe(`spec client vs simulator (${littleEndian ? 'little' : 'big'}-endian client)`, function () {
    let sim: SpecSimulator;
    let client: SpecClient;

    beforeEach(async () => {
      sim = await startSpecSimulator({ port: 0, name: 'fourc', motorSpeed: 200, tickMs: 5 });
      client = new SpecClient({ host: '127.0.0.1', port: sim.port, littleEndian, reconnect: { initial: 20, max: 100 } });
      await client.connect();
    });

    afterEach(async () => {
      await client.close();
      await sim.close();
    });

    it('says HELLO and learns the SPEC name', async () => {
      assert.equal(client.specName, 'fourc');
      assert.equal(client.state, 'connected');
      assert.equal(await client.hello(), 'fourc');
    });

    it('reads and writes numbers, strings and associative arrays with 2-D keys', async () => {
      await client.setVariable('x', 12.25);
      assert.equal(await client.read('var/x'), 12.25);
      await client.setVariable('s', 'hello world');
      assert.equal(await client.getVariable('s'), 'hello world');
      await client.setVariable('a', { one: 1, two: { x: 'ex', y: 2.5 } });
      assert.deepEqual(await client.getVariable('a'), { one: 1, two: { x: 'ex', y: 2.5 } });
      assert.equal(await client.read('var/a[one]'), 1);
      assert.equal(await client.read('var/a[two][x]'), 'ex');
      await client.run('b["k"]["j"] = 7; b["k"] = "top"; b[3] = 4');
      assert.deepEqual(await client.getVariable('b'), { k: { j: 7, '': 'top' }, 3: 4 });
    });

    it('round-trips arrays of every element type, 1-D and 2-D', async () => {
      const types: SpecArrayType[] = [SpecType.ARR_DOUBLE, SpecType.ARR_FLOAT, SpecType.ARR_LONG, SpecType.ARR_ULONG, SpecType.ARR_SHORT, SpecType.ARR_USHORT, SpecType.ARR_CHAR, SpecType.ARR_UCHAR, SpecType.ARR_LONG64, SpecType.ARR_ULONG64];
      for (const t of types) {
        for (const data of [[1, 2, 3, 4], [[1, 2, 3], [4, 5, 6]]]) {
          await client.write('var/arr', toSpecArray(data, t));
          const back = await client.read('var/arr');
          assert.ok(back instanceof SpecArray);
          assert.equal(back.type, t);
          assert.deepEqual(toPlain(back), data, `type ${t}`);
        }
      }
      await client.write('var/names', toSpecArray(['tth', 'theta', '']));
      assert.deepEqual(toPlain(await client.read('var/names')), ['tth', 'theta', '']);
    });

    it('reads arrays SPEC declared, 1-D staying 1-D', async () => {
      await client.run('ulong array m[2][3]; m[1][2] = 9; short array v[4]; v[1] = -3');
      const m = (await client.read('var/m')) as SpecArray;
      assert.equal(m.type, SpecType.ARR_ULONG);
      assert.deepEqual(m.toJSON(), [[0, 0, 0], [0, 0, 9]]);
      const v = (await client.read('var/v')) as SpecArray;
      assert.equal(v.is2D, false);
      assert.deepEqual(v.toJSON(), [0, -3, 0, 0]);
      const a = (await client.read('var/A')) as SpecArray;
      assert.equal(a.length, 6);
      await client.write('motor/th/position', 1.5);
      await client.watch('motor/th/move_done').waitFor((ev) => ev.value === 0);
      assert.equal(await client.read('var/A[th]'), await client.motor('th').position());
      assert.equal(await client.read('var/A[1]'), await client.read('var/A[th]'));
      assert.equal(await client.read('var/S[sec]'), 0);
    });

    it('surfaces error replies as SpecError', async () => {
      await assert.rejects(client.read('motor/nope/position'), (e: unknown) => e instanceof SpecError && /not configured/.test(e.message) && e.code === 'ESPEC');
      await assert.rejects(client.read('var/undefined_thing'), SpecError);
      await assert.rejects(client.write('motor/tth/position', 1000), (e: unknown) => e instanceof SpecError && /high limit/.test(e.message));
      await assert.rejects(client.write('motor/tth/move_done', 1), SpecError);
      await assert.rejects(client.run('nonsense_word'), (e: unknown) => e instanceof SpecError && /Unbound/.test((e as SpecError).output ?? ''));
      await assert.rejects(client.call('no_such_function', 1), SpecError);
      // the link is still fine
      assert.equal(await client.read('motor/tth/position'), 0);
    });

    it('runs commands with their return value and console output', async () => {
      const r = await client.run('p 1+2, "abc"');
      assert.equal(r.output, '3 abc\n');
      const r2 = await client.run('y = 6 * 7');
      assert.equal(r2.value, 42);
      assert.equal(await client.read('var/y'), 42);
      const wm = await client.run('wm tth th');
      assert.match(wm.output, /tth\s+th/);
      assert.match(wm.output, /Current\s+0\.0000\s+0\.0000/);
      assert.equal((await client.run('p MOTORS, COUNTERS, motor_mne(1), motor_name(1), cnt_mne(2), cnt_name(2)')).output, '6 3 th Theta det Detector\n');
    });

    it('calls functions with FUNC_WITH_RETURN and sends plain CMD and FUNC', async () => {

      assert.equal(await client.call('motor_mne', 0), 'tth');
      assert.equal(await client.call('cnt_name', 1), 'Monitor');
      assert.equal(await client.call('length', 'say "hi"; p 1'), 13, 'a string argument stays one quoted literal');
      const w = client.watch('var/z');
      await w.waitFor((ev) => ev.deleted);
      const three = next(w, (ev) => ev.value === 3);
      await client.runNoWait('z = 3');
      assert.equal((await three).value, 3);
      w.close();
    });

    it('watches: immediate event, one per change, deleted flag, unwatch stops them', async () => {
      await client.setVariable('w', 1);
      const w = client.watch('var/w');
      assert.equal((await w.waitFor(() => true)).value, 1);
      const seen: unknown[] = [];
      w.on('event', (ev: SpecEvent) => seen.push(ev.value));
      const two = next(w, (ev) => ev.value === 2);
      await client.setVariable('w', 2);
      await two;
      const gone = next(w, (ev) => ev.deleted);
      await client.run('delete w');
      const del = await gone;
      assert.equal(del.deleted, true);
      assert.deepEqual(seen, [2, null]);
      w.close();
      // after unwatch: changes of var/w are not sent; a second watched variable proves order.
      const barrier = client.watch('var/barrier');
      await barrier.waitFor(() => true);
      const all: string[] = [];
      client.on('event', (ev: SpecEvent) => all.push(ev.property));
      const one = next(barrier, (ev) => ev.value === 1);
      await client.setVariable('w', 5);
      await client.setVariable('barrier', 1);
      await one;
      assert.ok(!all.includes('var/w'), 'no event after unwatch');
      barrier.close();
    });

    it('a watch of an unknown property reports the error, not a value', async () => {
      const w = client.watch('motor/nope/position');
      const ev = await w.waitFor(() => true);
      assert.equal(ev.value, null);
      assert.match(ev.error ?? '', /not configured/);
      w.close();
    });

    it('a watch is an async event stream', async () => {
      await client.setVariable('st', 0);
      const w = client.watch('var/st');
      const seen: unknown[] = [];
      const consumer = (async () => {
        for await (const ev of w) {
          seen.push(ev.value);
          if (ev.value === 3) break; // ends the loop and closes the watch
        }
      })();
      await w.waitFor(() => true);
      for (const v of [1, 2, 3]) await client.setVariable('st', v);
      await consumer;
      assert.deepEqual(seen.slice(-3), [1, 2, 3]);
      assert.equal(w.isClosed, true);
      assert.ok(!client.watched.includes('var/st'));
    });

    it('watches output/tty (changes only)', async () => {
      const w = client.watch('output/tty');
      const p = next(w);
      await client.runNoWait('p "hello tty"');
      assert.equal((await p).value, 'hello tty\n');
      w.close();
    });

    it('moves a motor with progress and resolves when move_done returns to 0', async () => {
      const m = client.motor('tth');
      const progress: number[] = [];
      m.on('progress', (p: { position: number }) => progress.push(p.position));
      const done = once(m, 'done');
      assert.equal(await m.move(12.5), 12.5);
      assert.equal((await done)[0].position, 12.5);
      assert.ok(progress.length >= 1 && progress[progress.length - 1] === 12.5);
      assert.equal(await m.position(), 12.5);
      assert.equal(await m.moveBy(-2.5), 10);
      assert.deepEqual(await m.limits(), { low: -10, high: 170 });
      const st = await m.status();
      assert.equal(st.moving, false);
      assert.equal(st.position, 10);
      assert.equal(await m.move(10), 10, 'a move to where it is resolves at once');
    });

    it('moves several motors synchronised (prestart_all/start_one/start_all)', async () => {
      const seen = new Set<string>();
      const r = await client.moveMotors({ th: 5, chi: -4, phi: 30 }, { onProgress: (p) => seen.add(p.mne) });
      assert.deepEqual(r, { th: 5, chi: -4, phi: 30 });
      assert.deepEqual([...seen].sort(), ['chi', 'phi', 'th']);
      await assert.rejects(client.moveMotors({ th: 1, chi: 500 }), SpecError);
      assert.equal(await client.motor('th').position(), 5, 'nothing moved when one target was refused');
    });

    it('rejects a move that stops on a limit switch', async () => {
      await assert.rejects(client.motor('ty').move(30), (e: unknown) => e instanceof SpecLimitError && e.code === 'ELIMIT');
      assert.equal(await client.read('motor/ty/high_lim_hit'), 1);
      assert.equal(await client.motor('ty').position(), 20);
    });

    it('aborts a motor move', async () => {
      const slow = await startSpecSimulator({ port: 0, motorSpeed: 1, tickMs: 5 });
      const c = new SpecClient({ port: slow.port, littleEndian, reconnect: false });
      await c.connect();
      try {
        const m = c.motor('phi');
        const moving = m.move(100).catch((e: unknown) => e);
        await new Promise<void>((r) => {
          const on = (p: { position: number }): void => {
            if (p.position > 0) {
              m.off('progress', on);
              r();
            }
          };
          m.on('progress', on);
        });
        await m.abort();
        assert.ok((await moving) instanceof AbortedError);
        const pos = await m.position();
        assert.ok(pos > 0 && pos < 100);
        // ABORT (^C) stops a running umv too
        const chiMoving = c.watch('motor/chi/move_done').waitFor((ev) => ev.value === 1);
        const run = c.run('umv chi 50').catch((e: unknown) => e);
        await chiMoving;
        await c.abort();
        const err = await run;
        assert.ok(err instanceof SpecError && /Aborted/.test(err.message), String(err));
      } finally {
        await c.close();
        await slow.close();
      }
    });

    it('counts and returns every scaler', async () => {
      const r = await client.count(0.05);
      assert.deepEqual(Object.keys(r), ['sec', 'mon', 'det']);
      assert.equal(r.sec, 0.05);
      assert.ok(r.mon > 0 && r.det > 0);
      assert.deepEqual(await client.counters(), [
        { index: 0, mne: 'sec', name: 'Seconds' },
        { index: 1, mne: 'mon', name: 'Monitor' },
        { index: 2, mne: 'det', name: 'Detector' },
      ]);
      const ct = await client.run('ct 0.02');
      assert.match(ct.output, /Seconds = 0\.02/);
      assert.equal(toPlain(await client.read('var/S')) instanceof Array, true);
    });

    it('waits for status/ready', async () => {
      assert.equal(await client.read('status/ready'), 1);
      const w = client.watch('status/ready');
      await w.waitFor((ev) => ev.value === 1);
      const busy = next(w, (ev) => ev.value === 0);
      const run = client.run('sleep(0.05)');
      await busy;
      await client.waitReady();
      w.close();
      await run;
      assert.equal(await client.read('status/ready'), 1);
    });

    it('reconnects after the server closes mid-frame and registers its watches again', async () => {
      await client.setVariable('x', 1);
      const w = client.watch('var/x');
      await w.waitFor(() => true);
      const reconnected = once(client, 'connected');
      const dropped = once(client, 'disconnected');
      sim.dropClientsMidFrame(60);
      await dropped;
      await reconnected;
      // the re-registration sends the current value again
      const v42 = next(w, (ev) => ev.value === 42);
      sim.setVariable('x', 42);
      assert.equal((await v42).value, 42);
      assert.equal(await client.read('var/x'), 42);
      w.close();
    });
  });
}

describe('spec client: finding the server', () => {
  const sims: SpecSimulator[] = [];
  afterEach(async () => {
    for (const s of sims.splice(0)) await s.close();
  });

  /** Two simulators on neighbouring ports (the range a client scans). */
  async function twoAdjacent(): Promise<[SpecSimulator, SpecSimulator]> {
    for (let i = 0; i < 20; i++) {
      const a = await startSpecSimulator({ port: 0, name: 'psic' });
      try {
        const b = await startSpecSimulator({ port: a.port + 1, name: 'fourc' });
        return [a, b];
      } catch {
        await a.close();
      }
    }
    throw new Error('no two adjacent free ports');
  }

  it('scans a port range and picks the server by SPEC name (host:name too)', async () => {
    const [a, b] = await twoAdjacent();
    sims.push(a, b);
    const c1 = new SpecClient({ host: '127.0.0.1', port: [a.port, b.port], specName: 'fourc', reconnect: false });
    assert.deepEqual(await c1.connect(), { host: '127.0.0.1', port: b.port, specName: 'fourc' });
    await c1.close();
    const c2 = new SpecClient({ host: '127.0.0.1:psic', port: [a.port, b.port], reconnect: false });
    assert.equal((await c2.connect()).port, a.port);
    await c2.close();
    const c3 = new SpecClient({ port: [a.port, b.port], reconnect: false });
    assert.equal((await c3.connect()).port, a.port, 'without a name, the first port that answers');
    await c3.close();
    const c4 = new SpecClient({ host: '127.0.0.1:sixc', port: [a.port, b.port], reconnect: false });
    await assert.rejects(c4.connect(), (e: unknown) => e instanceof NotFoundError && /psic/.test(e.message));
    await c4.close();
    assert.deepEqual(await scanSpecServers('127.0.0.1', [a.port, b.port]), [
      { port: a.port, specName: 'psic' },
      { port: b.port, specName: 'fourc' },
    ]);
    const c5 = new SpecClient({ host: `127.0.0.1:${b.port}`, reconnect: false });
    assert.equal((await c5.connect()).specName, 'fourc');
    await c5.close();
  });

  it('fails with NotConnectedError when nothing listens (reconnect off), and retries until the server is back (reconnect on)', async () => {
    const sim = await startSpecSimulator({ port: 0 });
    sims.push(sim);
    const port = sim.port;
    await sim.stop();
    const c = new SpecClient({ port, reconnect: false });
    await assert.rejects(c.connect(), NotConnectedError);
    await c.close();
    const r = new SpecClient({ port, reconnect: { initial: 10, max: 50 } });
    const attempts = once(r, 'reconnecting');
    const connecting = r.connect();
    await attempts;
    await sim.listen();
    assert.equal((await connecting).port, port);
    await sim.stop();
    await once(r, 'reconnecting');
    await sim.listen();
    await once(r, 'connected');
    await r.close();
    assert.equal(r.state, 'closed');
    await assert.rejects(r.read('var/x'), NotConnectedError);
  });

  it('aborts a waiting request by signal, and close() sends CLOSE (the server drops the link)', async () => {
    const sim = await startSpecSimulator({ port: 0 });
    sims.push(sim);
    const c = new SpecClient({ port: sim.port, reconnect: false });
    await c.connect();
    const ac = new AbortController();
    const r = c.run('sleep(0.5)', { signal: ac.signal });
    ac.abort();
    await assert.rejects(r, AbortedError);
    const gone = once(sim, 'client-closed');
    await c.close();
    await gone;
    assert.equal(sim.clientCount, 0);
  });

  it('rejects pending requests when closed and refuses bad arguments', async () => {
    const sim = await startSpecSimulator({ port: 0 });
    sims.push(sim);
    const c = new SpecClient({ port: sim.port, reconnect: false });
    await c.connect();
    const ready = c.watch('status/ready');
    await ready.waitFor((ev) => ev.value === 1);
    const busy = next(ready, (ev) => ev.value === 0);
    const run = c.run('sleep(5)').catch((e: unknown) => e);
    await busy;
    await c.close();
    assert.ok((await run) instanceof AbortedError);
    await assert.rejects(c.read(''), { code: 'EINVAL' });
    assert.throws(() => c.motor('bad mne'), { code: 'EINVAL' });
    await assert.rejects(c.count(-1), { code: 'EINVAL' });
  });
});

describe('spec simulator: raw protocol', () => {
  let sim: SpecSimulator;
  before(async () => {
    sim = await startSpecSimulator({ port: 0, name: 'fourc' });
  });
  after(async () => {
    await sim.close();
  });

  async function exchange(frames: Buffer[], want: number): Promise<ReturnType<FrameDecoder['push']>> {
    const s = net.connect(sim.port, '127.0.0.1');
    await once(s, 'connect');
    const d = new FrameDecoder();
    const got: ReturnType<FrameDecoder['push']> = [];
    const done = new Promise<void>((resolve) => {
      s.on('data', (c: Buffer) => {
        got.push(...d.push(c));
        if (got.length >= want) resolve();
      });
    });
    for (const f of frames) s.write(f);
    await done;
    s.destroy();
    return got;
  }

  for (const version of [2, 3, 4] as const) {
    for (const le of [true, false]) {
      it(`answers a version ${version} ${le ? 'little' : 'big'}-endian client in kind`, async () => {
        const [r] = await exchange([encodeFrame({ cmd: SpecCommand.HELLO, sn: 77 }, { littleEndian: le, version })], 1);
        assert.equal(r.cmd, SpecCommand.HELLO_REPLY);
        assert.equal(r.sn, 77);
        assert.equal(r.version, version);
        assert.equal(r.size, { 2: 124, 3: 128, 4: 132 }[version]);
        assert.equal(r.littleEndian, le);
        assert.equal(r.value, 'fourc');
      });
    }
  }

  it('CHAN_SEND: no reply on success, an error REPLY with the same serial on failure', async () => {
    const frames = [
      encodeFrame({ cmd: SpecCommand.CHAN_SEND, sn: 1, name: 'var/ok', value: 1 }),
      encodeFrame({ cmd: SpecCommand.CHAN_SEND, sn: 2, name: 'motor/tth/position', value: 9999 }),
      encodeFrame({ cmd: SpecCommand.CHAN_READ, sn: 3, name: 'var/ok' }),
    ];
    const got = await exchange(frames, 2);
    assert.deepEqual(got.map((m) => [m.sn, m.type]), [[2, SpecType.ERROR], [3, SpecType.DOUBLE]]);
    assert.ok(got[0].err !== 0);
  });

  it('FUNC runs without a reply (its effect shows on a watched variable)', async () => {
    const got = await exchange(
      [
        encodeFrame({ cmd: SpecCommand.REGISTER, sn: 1, name: 'var/fval' }),
        encodeFrame({ cmd: SpecCommand.FUNC, sn: 2, value: 'fval = 3' }),
        encodeFrame({ cmd: SpecCommand.CHAN_READ, sn: 3, name: 'status/quit' }),
      ],
      3,
    );
    // the deleted-flag EVENT at registration, then the reply to the read, then the change; never a reply to sn 2
    assert.equal(got[0].deleted, true);
    assert.ok(got.every((m) => m.sn !== 2));
    const ev = got.find((m) => m.cmd === SpecCommand.EVENT && m.value === 3);
    assert.ok(ev, 'EVENT var/fval = 3');
  });

  it('REGISTER answers at once with an EVENT; FUNC_WITH_RETURN and CMD_WITH_RETURN reply with their serial', async () => {
    const got = await exchange(
      [
        encodeFrame({ cmd: SpecCommand.REGISTER, sn: 5, name: 'motor/th/position' }),
        encodeFrame({ cmd: SpecCommand.FUNC_WITH_RETURN, sn: 6, value: 'motor_name(0)' }),
        encodeFrame({ cmd: SpecCommand.CMD_WITH_RETURN, sn: 7, value: '1+1' }),
      ],
      3,
    );
    assert.deepEqual(got.map((m) => [m.cmd, m.sn, m.value]), [
      [SpecCommand.EVENT, 0, 0],
      [SpecCommand.REPLY, 6, 'Two Theta'],
      [SpecCommand.REPLY, 7, 2],
    ]);
    assert.equal(got[0].name, 'motor/th/position');
  });
});

describe('spec client: moves and counts across link trouble', () => {
  let sim: SpecSimulator;
  beforeEach(async () => {
    sim = await startSpecSimulator({ port: 0, motorSpeed: 5, tickMs: 5 });
  });
  afterEach(async () => {
    await sim.close();
  });

  /** Resolves once `mne` is seen moving; armed before the move starts, so it cannot miss it. */
  function whenMoving(c: SpecClient, mne: string): Promise<void> {
    const w = c.watch(`motor/${mne}/move_done`);
    return w.waitFor((ev) => ev.value === 1).then(() => w.close());
  }

  it('a move survives a dropped link when reconnecting (watches report the state again)', async () => {
    const c = new SpecClient({ port: sim.port, reconnect: { initial: 5, max: 20 } });
    await c.connect();
    try {
      const moving = whenMoving(c, 'phi');
      const move = c.motor('phi').move(2);
      await moving;
      const back = once(c, 'connected');
      sim.dropClientsMidFrame(30);
      await back;
      assert.equal(await move, 2);
    } finally {
      await c.close();
    }
  });

  it('a move rejects with NotConnectedError when the link drops and reconnect is off', async () => {
    const c = new SpecClient({ port: sim.port, reconnect: false });
    await c.connect();
    try {
      const moving = whenMoving(c, 'phi');
      const move = c.motor('phi').move(50);
      await moving;
      sim.dropClientsMidFrame(30);
      await assert.rejects(move, NotConnectedError);
    } finally {
      await c.close();
    }
  });

  it('close() during a count rejects it with AbortedError', async () => {
    const c = new SpecClient({ port: sim.port, reconnect: false });
    await c.connect();
    const w = c.watch('scaler/.all./count');
    const started = w.waitFor((ev) => Number(ev.value) > 0);
    const counting = c.count(30).catch((e: unknown) => e);
    await started;
    await c.close();
    assert.ok((await counting) instanceof AbortedError);
  });
});

describe('spec simulator: large arrays', () => {
  it('serves a 100,000-element array, and the changed element after an assignment', async () => {
    const sim = await startSpecSimulator({ port: 0 });
    const c = new SpecClient({ port: sim.port, reconnect: false, littleEndian: false });
    await c.connect();
    try {
      await c.run('array big[100000]; big[99999] = 5');
      let v = (await c.read('var/big')) as SpecArray;
      assert.equal(v.length, 100000);
      assert.equal(v.data[99999], 5);
      await c.run('big[99999] = 6');
      v = (await c.read('var/big')) as SpecArray;
      assert.equal(v.data[99999], 6, 'not a stale cached body');
      await c.run('string array names[5000][8]; names[4999] = "last"');
      const names = (await c.read('var/names')) as SpecArray;
      assert.equal(names.length, 5000);
      assert.equal(names.data[4999], 'last');
    } finally {
      await c.close();
      await sim.close();
    }
  });
});

describe('spec client: close while connecting', () => {
  it('close() during a scan resolves after every socket of the attempt is closed', async () => {
    const sim = await startSpecSimulator({ port: 0 });
    try {
      const c = new SpecClient({ port: sim.port, reconnect: false });
      const connecting = c.connect().catch((e: unknown) => e);
      await c.close();
      const outcome = await connecting;
      assert.ok(outcome instanceof AbortedError || (typeof outcome === 'object' && outcome !== null && 'port' in outcome));
      // the simulator saw the connection go (or never kept it)
      if (sim.clientCount > 0) await once(sim, 'client-closed');
      assert.equal(sim.clientCount, 0);
    } finally {
      await sim.close();
    }
  });
});

describe('spec simulator: close with busy clients', () => {
  it('close() resolves while a client is connected, watching, and a umv is running', async () => {
    const sim = await startSpecSimulator({ port: 0, motorSpeed: 1 });
    const c = new SpecClient({ port: sim.port, reconnect: false });
    await c.connect();
    try {
      const moving = c.watch('motor/tth/move_done').waitFor((ev) => ev.value === 1);
      const run = c.run('umv tth 50').catch((e: unknown) => e);
      await moving;
      const dropped = once(c, 'disconnected');
      await sim.close();
      await dropped;
      assert.equal(sim.clientCount, 0);
      assert.equal(sim.listening, false);
      assert.ok((await run) instanceof Error);
    } finally {
      await c.close();
    }
  });
});
