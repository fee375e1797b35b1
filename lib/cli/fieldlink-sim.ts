/**
 * `fieldlink-sim <protocol> [--host 127.0.0.1] [--port N] [protocol options]`: runs one protocol's
 * simulator in the foreground, prints one JSON line once it listens, logs on stderr, and exits
 * cleanly on SIGINT/SIGTERM.
 */
import type { SimCli, RunningSim } from '../common/sim';

export const PROTOCOLS = ['osdp', 'uhppote', 'bacnet', 'pnp', 'spec'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** The protocol's simulator entry, or undefined when that protocol has none yet. */
export function loadSimCli(protocol: Protocol): SimCli | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(`../${protocol}/sim-cli`) as { simCli: SimCli }).simCli;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && String((err as Error).message).includes(`${protocol}/sim-cli`)) {
      return undefined;
    }
    throw err;
  }
}

/** The protocols that have a simulator in this build. */
export function availableProtocols(): Protocol[] {
  return PROTOCOLS.filter((p) => loadSimCli(p) !== undefined);
}

function usage(): string {
  const lines = ['usage: fieldlink-sim <protocol> [--host 127.0.0.1] [--port N] [options]', '', 'protocols:'];
  for (const p of PROTOCOLS) {
    const cli = loadSimCli(p);
    lines.push(`  ${p}${cli ? '' : ' (not available in this version)'}`);
    if (cli) lines.push(...cli.usage.split('\n').map((l) => `      ${l}`));
  }
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [protocol, ...rest] = argv;
  if (!protocol || protocol === '--help' || protocol === '-h') {
    process.stderr.write(usage() + '\n');
    return protocol ? 0 : 2;
  }
  if (!(PROTOCOLS as readonly string[]).includes(protocol)) {
    process.stderr.write(`fieldlink-sim: unknown protocol '${protocol}'\n${usage()}\n`);
    return 2;
  }
  const cli = loadSimCli(protocol as Protocol);
  if (!cli) {
    process.stderr.write(`fieldlink-sim: no ${protocol} simulator in this version\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stderr.write(`usage: fieldlink-sim ${protocol} [options]\n${cli.usage}\n`);
    return 0;
  }
  const log = (line: string): void => {
    process.stderr.write(`[${protocol}-sim] ${line}\n`);
  };
  // Signal handlers go in before anything listens, so that a signal that comes right after the
  // JSON line (or during start-up) always stops the simulator cleanly.
  let sim: RunningSim | undefined;
  let stopRequested: string | undefined;
  let finish: (code: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      log(`${signal} again: exiting now`);
      return finish(1);
    }
    if (!sim) {
      stopRequested = signal;
      return;
    }
    stopping = true;
    log(`${signal}: stopping`);
    // A simulator that cannot close within a few seconds must not keep the terminal or CI waiting.
    const force = setTimeout(() => {
      log('did not stop within 5 s: exiting anyway');
      finish(1);
    }, 5000);
    force.unref();
    sim.close().finally(() => clearTimeout(force)).then(
      () => finish(0),
      (err: Error) => {
        log(`error while stopping: ${err.message}`);
        finish(1);
      },
    );
  };
  const onSigint = (): void => stop('SIGINT');
  const onSigterm = (): void => stop('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  try {
    sim = await cli.start(rest, log);
  } catch (err) {
    process.stderr.write(`fieldlink-sim ${protocol}: ${(err as Error).message}\n`);
    return 1;
  }
  if (stopRequested) stop(stopRequested);
  else process.stdout.write(JSON.stringify({ protocol, listening: sim.listening }) + '\n');
  const code = await finished;
  process.off('SIGINT', onSigint);
  process.off('SIGTERM', onSigterm);
  return code;
}
