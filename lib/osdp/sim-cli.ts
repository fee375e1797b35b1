/**
 * `fieldlink-sim osdp (--tcp host:port | --serial PATH [--baud 115200]) [--pd ADDR]... [--swipe-every S]`:
 * a bus of simulated readers; each received command is printed on stderr.
 */
import { parseArgs } from 'node:util';
import type { SimCli } from '../common/sim';
import { DEMO_CARDS, SIM_VENDOR_CODE, startSimulator } from './simulator';
import { SECURE_SIM_ARGS, SECURE_SIM_USAGE } from './secure/sim-options';

export const simCli: SimCli = {
  usage: [
    '--tcp 127.0.0.1:4001   listen for a CP on TCP (like a serial device server); or --host/--port',
    '--serial PATH          use a serial device instead (an RS-485 adapter, one end of a socat pty pair)',
    '--baud 9600            serial baud rate (default 9600)',
    '--pd 101               a simulated reader at this address (repeatable; default 101)',
    `--swipe-every S        present a demo card every S seconds, alternating W26 ${DEMO_CARDS[0].facility}/${DEMO_CARDS[0].card} (allowed) and ${DEMO_CARDS[1].facility}/${DEMO_CARDS[1].card} (denied)`,
    `                       (flows can also trigger input: MFG vendor ${SIM_VENDOR_CODE.toString(16)} data 01 FC CARDhi CARDlo = swipe, 02 <keys> = key presses)`,
    ...SECURE_SIM_USAGE.split('\n').map((l) => l.replace(/^  /, '').replace(/^(--\S+(?: \S+)?)\s+/, (_m, o: string) => o.padEnd(23))),
  ].join('\n'),
  demoArgs: ['--tcp', '127.0.0.1:4001', '--pd', '101', '--swipe-every', '8', '--install-mode'],
  demoSummary: `OSDP reader at address 101 on TCP 127.0.0.1:4001 (install mode: Secure Channel provisioned by the bus); card ${DEMO_CARDS[0].facility}/${DEMO_CARDS[0].card} (allowed) and ${DEMO_CARDS[1].facility}/${DEMO_CARDS[1].card} (denied) swiped in turn every 8 s`,
  async start(args, log) {
    const { values } = parseArgs({
      args,
      options: {
        tcp: { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        serial: { type: 'string' },
        baud: { type: 'string', default: '9600' },
        pd: { type: 'string', multiple: true },
        'swipe-every': { type: 'string' },
        ...SECURE_SIM_ARGS,
      },
      strict: true,
    });
    let tcp: { host: string; port: number } | undefined;
    if (values.tcp !== undefined) {
      const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(values.tcp);
      if (!m) throw new Error(`bad --tcp ${values.tcp} (want host:port)`);
      tcp = { host: m[1] || '127.0.0.1', port: Number(m[2]) };
    } else if (values.port !== undefined || (values.serial === undefined && values.host !== undefined)) {
      tcp = { host: values.host ?? '127.0.0.1', port: Number(values.port ?? 4001) };
    }
    if (tcp && values.serial) throw new Error('use either --tcp or --serial');
    if (!tcp && !values.serial) tcp = { host: values.host ?? '127.0.0.1', port: 4001 };
    if (tcp && (!Number.isInteger(tcp.port) || tcp.port < 0 || tcp.port > 65535)) throw new Error(`bad TCP port ${tcp.port}`);
    const baud = Number(values.baud);
    if (!Number.isInteger(baud) || baud <= 0) throw new Error(`bad --baud ${values.baud}`);
    const pds = (values.pd ?? ['101']).map((p) => {
      const n = Number(p);
      if (!Number.isInteger(n) || n < 0 || n > 126) throw new Error(`bad --pd ${p} (0..126)`);
      return n;
    });
    const swipeEvery = values['swipe-every'] !== undefined ? Number(values['swipe-every']) : undefined;
    if (swipeEvery !== undefined && !(swipeEvery > 0)) throw new Error(`bad --swipe-every ${values['swipe-every']}`);
    const sim = await startSimulator({
      ...(tcp ? { tcp } : { serial: { path: values.serial!, baudRate: baud } }),
      pds,
      ...(swipeEvery ? { swipeEvery } : {}),
      secure: { ...(values.scbk !== undefined ? { scbk: values.scbk } : {}), ...(values['install-mode'] ? { 'install-mode': true } : {}), ...(values['file-dir'] ? { 'file-dir': values['file-dir'] } : {}) },
      log: (line) => log(line),
    });
    log(`osdp: readers ${pds.join(', ')} on ${Object.entries(sim.listening).map(([k, v]) => `${k} ${v}`).join(', ')}${swipeEvery ? `, demo swipe every ${swipeEvery} s` : ''}`);
    return { listening: sim.listening, close: () => sim.close() };
  },
};
