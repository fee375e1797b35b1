// `fieldlink-sim uhppote`: options, repeated --controller, --listener and generated swipes.
import * as assert from 'node:assert/strict';
import { simCli } from '../../../lib/uhppote/sim-cli';
import { Uhppote, UhppoteListener, type ControllerEvent } from '../../../lib/uhppote';

describe('fieldlink-sim uhppote', () => {
  it('demo arguments: port 60000, listener 127.0.0.1:60001, controller 405419896, swipes on a timer', () => {
    const a = simCli.demoArgs.join(' ');
    assert.match(a, /--port 60000/);
    assert.match(a, /--listener 127\.0\.0\.1:60001/);
    assert.match(a, /--controller 405419896/);
    assert.match(a, /--events-every \d+/);
    assert.match(simCli.usage, /--controller SERIAL/);
  });

  it('serves each --controller on UDP and TCP and sends generated swipes to --listener', async () => {
    const listener = new UhppoteListener({ listen: '127.0.0.1:0' });
    await listener.start();
    const lines: string[] = [];
    const sim = await simCli.start(
      ['--port', '0', '--controller', '111', '--controller', '222', '--listener', `127.0.0.1:${listener.address()!.port}`, '--events-every', '0.05'],
      (l) => lines.push(l),
    );
    const udp = sim.listening.udp;
    assert.equal(sim.listening.tcp, udp);
    assert.match(udp, /^127\.0\.0\.1:\d+$/);
    const seen = new Set<number>();
    const both = new Promise<void>((resolve) => {
      listener.on('event', (e: ControllerEvent) => {
        assert.equal(e.eventTypeText, 'swipe');
        seen.add(e.controller);
        if (seen.size === 2) resolve();
      });
    });
    const u = new Uhppote({ bind: '127.0.0.1', broadcast: udp, timeout: 300 });
    const all = await u.getControllers();
    assert.deepEqual(all.map((c) => c.controller).sort(), [111, 222]);
    assert.equal((await u.getCards({ id: 222, address: udp, protocol: 'tcp' })).cards, 3, 'demo cards are loaded');
    await both;
    await u.close();
    await sim.close();
    await listener.close();
    assert.ok(lines.some((l) => /2 controller\(s\)/.test(l)));
  });

  it('refuses bad options', async () => {
    const log = (): void => undefined;
    await assert.rejects(simCli.start(['--port', 'x'], log), /--port/);
    await assert.rejects(simCli.start(['--port', '0', '--controller', '0'], log), /--controller/);
    await assert.rejects(simCli.start(['--port', '0', '--listener', 'nowhere'], log), /--listener/);
    await assert.rejects(simCli.start(['--port', '0', '--events-every', '-1'], log), /--events-every/);
    await assert.rejects(simCli.start(['--bogus'], log));
  });
});
