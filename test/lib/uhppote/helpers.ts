// Shared set-up of the uhppote engine tests: a simulator on an ephemeral port and an engine aimed at it.
import { Uhppote, UhppoteSimulator, type ControllerAddress, type UhppoteSimulatorOptions } from '../../../lib/uhppote';

export const SERIAL = 405419896;
export const SERIAL2 = 303986753;

export interface Rig {
  sim: UhppoteSimulator;
  uhppote: Uhppote;
  port: number;
  /** The controller as each transport addresses it. */
  address: Record<'broadcast' | 'udp' | 'tcp', (serial?: number) => ControllerAddress>;
  close(): Promise<void>;
}

export async function rig(options: UhppoteSimulatorOptions = {}, timeout = 1000): Promise<Rig> {
  const sim = new UhppoteSimulator({ port: 0, controllers: [SERIAL, SERIAL2], ...options });
  const { port } = await sim.start();
  const uhppote = new Uhppote({ bind: '127.0.0.1', broadcast: `127.0.0.1:${port}`, listen: '127.0.0.1:0', timeout });
  return {
    sim,
    uhppote,
    port,
    address: {
      broadcast: (serial = SERIAL) => serial,
      udp: (serial = SERIAL) => ({ id: serial, address: `127.0.0.1:${port}`, protocol: 'udp' }),
      tcp: (serial = SERIAL) => ({ id: serial, address: `127.0.0.1:${port}`, protocol: 'tcp' }),
    },
    async close() {
      await uhppote.close();
      await sim.close();
    },
  };
}
