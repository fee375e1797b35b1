/**
 * The far side of the node tests: the OSDP simulator (lib/osdp/simulator, in-process) with one
 * reader, listening on an ephemeral TCP port of 127.0.0.1. Records every command the reader gets,
 * lets a test override its answer (a NAK, a manufacturer reply), and can be stopped and restarted
 * on the same port to cut and restore the bus link.
 */
import { EventEmitter } from 'node:events';
import type { CommandHandlerResult, OsdpCommand, OsdpReply, PeripheralDevice } from '../../../lib/osdp';
import { startSimulator, type OsdpSimulator } from '../../../lib/osdp/simulator';

export class Reader extends EventEmitter {
  readonly commands: OsdpCommand[] = [];
  sim!: OsdpSimulator;
  pd!: PeripheralDevice;
  port = 0;
  /** The answer to a command, ahead of the simulator's own (undefined: the simulator answers). */
  reply: (cmd: OsdpCommand) => CommandHandlerResult = () => undefined;

  constructor(readonly address = 101) {
    super();
  }

  async start(port = 0): Promise<this> {
    this.sim = await startSimulator({
      tcp: { host: '127.0.0.1', port },
      pds: [this.address],
      pdOptions: { id: { vendorCode: 0x0a0b0c, model: 7, version: 1, serialNumber: 123456, firmware: { major: 2, minor: 1, build: 5 } } },
    });
    this.pd = this.sim.pd(this.address);
    this.sim.on('command', (_address: number, cmd: OsdpCommand) => {
      this.commands.push(cmd);
      this.emit('command', cmd);
    });
    this.pd.addCommandHook((cmd): OsdpReply | undefined => {
      const r = this.reply(cmd);
      if (r === undefined || r === true) return undefined;
      if (r === false) return { reply: 'nak', code: 9 };
      return r as OsdpReply;
    });
    this.port = this.sim.port!;
    return this;
  }

  /** Stops answering and closes the port (the bus sees its link drop). */
  async stop(): Promise<void> {
    await this.sim.close();
    this.sim.removeAllListeners();
  }

  /** The first command named `name` received since index `from`, waiting for it if needed. */
  command<T extends OsdpCommand['command']>(name: T, from = 0, limitMs = 10_000): Promise<Extract<OsdpCommand, { command: T }>> {
    const seen = this.commands.slice(from).find((c) => c.command === name);
    if (seen) return Promise.resolve(seen as Extract<OsdpCommand, { command: T }>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('command', on);
        reject(new Error(`the reader got no ${name} command`));
      }, limitMs);
      const on = (c: OsdpCommand): void => {
        if (c.command !== name) return;
        clearTimeout(timer);
        this.off('command', on);
        resolve(c as Extract<OsdpCommand, { command: T }>);
      };
      this.on('command', on);
    });
  }

  swipe(facility: number, card: number, format: 'wiegand26' | 'wiegand34' | 'wiegand37' = 'wiegand26'): void {
    this.sim.swipe(this.address, { facility, card, format });
  }

  keys(keys: string): void {
    this.sim.keys(this.address, keys);
  }
}
