/** `fieldlink-sim uhppote [--host] [--port 60000] [--controller SERIAL]... [--listener host:port] [--events-every SECONDS]` */
import { parseArgs } from 'node:util';
import type { RunningSim, SimCli, SimLogger } from '../common/sim';
import { UhppoteSimulator } from './simulator';

const DEMO_CARDS = [8165538, 8165539, 10058400];

export const simCli: SimCli = {
  usage: [
    '--host ADDR            address to bind (default 127.0.0.1)',
    '--port N               UDP and TCP port (default 60000)',
    '--controller SERIAL    a simulated controller (repeatable; default 405419896)',
    '--listener HOST:PORT   where the controllers send events (default: none until set-listener)',
    '--events-every SECONDS generate a card swipe every N seconds',
    '--debug                hex dump every frame',
  ].join('\n'),
  demoArgs: ['--port', '60000', '--controller', '405419896', '--listener', '127.0.0.1:60001', '--events-every', '5'],
  demoSummary: 'UHPPOTE: controller 405419896 on udp/tcp 127.0.0.1:60000, a card swipe every 5 s to the listener 127.0.0.1:60001',
  async start(args: string[], log: SimLogger): Promise<RunningSim> {
    const { values } = parseArgs({
      args,
      options: {
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '60000' },
        controller: { type: 'string', multiple: true },
        listener: { type: 'string' },
        'events-every': { type: 'string' },
        debug: { type: 'boolean', default: false },
      },
      strict: true,
    });
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: bad port ${values.port}`);
    const serials = (values.controller ?? ['405419896']).map((s) => {
      const n = Number(s);
      if (!Number.isInteger(n) || n <= 0 || n > 0xffffffff) throw new Error(`--controller: bad serial ${s}`);
      return n;
    });
    const every = values['events-every'] === undefined ? undefined : Number(values['events-every']);
    if (every !== undefined && !(every > 0)) throw new Error(`--events-every: expected a positive number of seconds`);
    if (values.listener !== undefined && !/^[^:]+:\d+$/.test(values.listener)) throw new Error('--listener: expected host:port');
    const sim = new UhppoteSimulator({ host: values.host, port, controllers: serials, listener: values.listener, eventsEvery: every, log, debug: values.debug });
    // a few cards so that generated swipes are granted as well as denied
    for (const c of sim.controllers) {
      for (const card of DEMO_CARDS) c.handle('putCard', { card, startDate: '2024-01-01', endDate: '2099-12-31', door1: 1, door2: 1, door3: 1, door4: 1, pin: 0 }, () => undefined);
    }
    const { host, port: bound } = await sim.start();
    return {
      listening: { udp: `${host}:${bound}`, tcp: `${host}:${bound}` },
      close: () => sim.close(),
    };
  },
};
