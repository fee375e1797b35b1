import { parseArgs } from 'node:util';
import type { SimCli } from '../common/sim';
import { startSpecSimulator } from './simulator';

export const simCli: SimCli = {
  usage: [
    '--host 127.0.0.1   address to listen on',
    '--port 6510        TCP port (SPEC servers use 6510-6530)',
    '--name fourc       SPEC process name answered to HELLO',
    '--speed 20         motor speed in units per second',
  ].join('\n'),
  demoArgs: ['--port', '6510', '--name', 'fourc'],
  demoSummary: 'SPEC server "fourc" with motors tth, th, chi, phi, tx, ty and scalers sec, mon, det',
  async start(args, log) {
    const { values } = parseArgs({
      args,
      options: {
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '6510' },
        name: { type: 'string', default: 'fourc' },
        speed: { type: 'string', default: '20' },
      },
      strict: true,
    });
    const port = Number(values.port);
    const speed = Number(values.speed);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad --port ${values.port}`);
    if (!(speed > 0)) throw new Error(`bad --speed ${values.speed}`);
    const sim = await startSpecSimulator({ host: values.host, port, name: values.name, motorSpeed: speed });
    sim.on('warning', (e: Error) => log(`spec: ${e.message}`));
    log(`spec: SPEC server '${sim.specName}' on ${sim.host}:${sim.port}`);
    return {
      listening: { tcp: `${sim.host}:${sim.port}` },
      close: () => sim.close(),
    };
  },
};
