/**
 * The far side of the node tests: an engine PeripheralDevice (a reader) listening on an ephemeral
 * TCP port of 127.0.0.1, recording every command it receives, with card swipes and key presses
 * on demand. It can be stopped and restarted on the same port to cut and restore the bus link.
 */
import { EventEmitter } from 'node:events';
import {
  CapabilityFunction, PeripheralDevice, TcpServerChannel, encodeWiegand, type Capability, type CommandHandlerResult, type OsdpCommand,
} from '../../../lib/osdp';

export const CAPABILITIES: Capability[] = [
  { function: CapabilityFunction.CONTACT_STATUS_MONITORING, compliance: 1, numItems: 4 },
  { function: CapabilityFunction.OUTPUT_CONTROL, compliance: 1, numItems: 2 },
  { function: CapabilityFunction.CARD_DATA_FORMAT, compliance: 1, numItems: 0 },
  { function: CapabilityFunction.READER_LED_CONTROL, compliance: 1, numItems: 1 },
  { function: CapabilityFunction.READER_AUDIBLE_OUTPUT, compliance: 1, numItems: 1 },
  { function: CapabilityFunction.READER_TEXT_OUTPUT, compliance: 1, numItems: 1 },
  { function: CapabilityFunction.READERS, compliance: 0, numItems: 1 },
];

export class Reader extends EventEmitter {
  readonly commands: OsdpCommand[] = [];
  pd!: PeripheralDevice;
  port = 0;
  /** What the handler answers (default ACK); a test may replace it. */
  reply: (cmd: OsdpCommand) => CommandHandlerResult = () => undefined;

  constructor(readonly address = 101, private readonly capabilities: Capability[] = CAPABILITIES) {
    super();
  }

  async start(port = 0): Promise<this> {
    const channel = new TcpServerChannel({ host: '127.0.0.1', port });
    this.pd = new PeripheralDevice({
      address: this.address,
      channel,
      capabilities: this.capabilities,
      id: { vendorCode: 0x0a0b0c, model: 7, serialNumber: 123456, firmware: { major: 2, minor: 1, build: 5 } },
      handler: (cmd) => {
        this.commands.push(cmd);
        this.emit('command', cmd);
        return this.reply(cmd);
      },
    });
    this.pd.on('online', () => this.emit('online'));
    await this.pd.start();
    this.port = channel.port;
    return this;
  }

  /** Stops answering and closes the port (the bus sees its link drop). */
  async stop(): Promise<void> {
    await this.pd.stop();
    this.pd.removeAllListeners();
  }

  /** Waits for the next command that satisfies `match` (or one already received since `from`). */
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
    const w = encodeWiegand(format, facility, card);
    this.pd.notifyEvent({ event: 'card', reader: 0, format: 'wiegand', direction: 0, bitCount: w.bitCount, data: w.data });
  }

  keys(keys: string): void {
    this.pd.notifyEvent({ event: 'keypress', reader: 0, keys: Buffer.from(keys.replace(/\*/g, '\x7f').replace(/#/g, '\r'), 'latin1') });
  }
}
