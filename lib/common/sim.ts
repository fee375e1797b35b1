/**
 * The contract between `fieldlink-sim` and each protocol's simulator. A protocol makes its
 * simulator available to the CLI, the demo runner and the tests by exporting `simCli: SimCli`
 * from `lib/<protocol>/sim-cli.ts`.
 */
export interface RunningSim {
  /** What listens where, e.g. `{ udp: '127.0.0.1:60000', tcp: '127.0.0.1:60000' }`. */
  listening: Record<string, string>;
  /** Stops every socket and timer of the simulator. */
  close(): Promise<void>;
}

export interface SimLogger {
  (line: string): void;
}

export interface SimCli {
  /** One line per option, shown by `fieldlink-sim <protocol> --help`. */
  usage: string;
  /** The options the demo runner (`npm start`) starts this simulator with. */
  demoArgs: string[];
  /** A one-line description of what the demo flow shows for this protocol. */
  demoSummary: string;
  /**
   * Starts the simulator. `args` are the command-line words after the protocol name
   * (`--host` and `--port` included, to be parsed with node:util parseArgs); `log` writes to stderr.
   */
  start(args: string[], log: SimLogger): Promise<RunningSim>;
}
