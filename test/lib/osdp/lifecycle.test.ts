// Twenty start/stop cycles of a CP against a simulator over TCP and serial (pty) leave no socket,
// port or timer behind, as a Node-RED redeploy would.
import { strict as assert } from 'node:assert';
import { ControlPanel } from '../../../lib/osdp';
import { startSimulator } from '../../../lib/osdp/simulator';
import { until } from './helpers';

type WithHandles = NodeJS.Process & { _getActiveHandles(): unknown[] };
const handles = (): string[] =>
  (process as WithHandles)
    ._getActiveHandles()
    .map((h) => (h as { constructor?: { name?: string } })?.constructor?.name ?? typeof h)
    .filter((n) => n !== 'WriteStream' && n !== 'ReadStream') // stdio
    .sort();

describe('osdp life cycle', () => {
  it('twenty CP and simulator start/stop cycles over TCP leave no handle behind', async () => {
    await new Promise((r) => setImmediate(r));
    const before = handles();
    for (let i = 0; i < 20; i++) {
      const sim = await startSimulator({ tcp: { host: '127.0.0.1', port: 0 }, pds: [1, 2], swipeEvery: 0.01 });
      const cp = new ControlPanel({ pds: [{ address: 1 }, { address: 2 }], channel: { type: 'tcp', host: '127.0.0.1', port: sim.port! }, pollInterval: 5 });
      await cp.start();
      assert.equal(await cp.waitOnline(undefined, 5000), true);
      await cp.sendCommand(0, { command: 'buzzer', reader: 0, controlCode: 2, onCount: 1, offCount: 1, repeat: 1 });
      await cp.stop();
      await sim.close();
    }
    await until(() => handles().length <= before.length, `handles back to ${before.join(',')}: now ${handles().join(',')}`);
    assert.deepEqual(handles(), before);
  });

  it('a CP whose channel never opens stops cleanly while it waits to retry', async () => {
    const before = handles();
    const cp = new ControlPanel({ pds: [{ address: 1 }], channel: { type: 'tcp', host: '127.0.0.1', port: 1 }, reconnect: { initial: 60_000 } });
    await cp.start();
    assert.equal(cp.channelStatus()[0].state, 'waiting');
    await cp.stop();
    await until(() => handles().length <= before.length, 'handles released');
    assert.deepEqual(handles(), before);
  });
});
