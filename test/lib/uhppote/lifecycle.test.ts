// Lifecycle: close() of the engine, the listener and the simulator leaves no socket, server or
// timer behind, even with calls in flight; closing twice is harmless.
import * as assert from 'node:assert/strict';
import { AbortedError } from '../../../lib/common';
import { Uhppote, UhppoteListener, UhppoteSimulator } from '../../../lib/uhppote';

const KINDS = ['UDPWrap', 'TCPWrap', 'TCPSocketWrap', 'TCPServerWrap', 'Timeout'];

function handles(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of process.getActiveResourcesInfo()) if (KINDS.includes(k)) out[k] = (out[k] ?? 0) + 1;
  return out;
}

describe('uhppote lifecycle', () => {
  it('closing everything 20 times over leaves no handle behind', async () => {
    // mocha arms its own test timer once this function has returned its promise: count after that
    await new Promise((resolve) => setImmediate(resolve));
    const before = handles();
    for (let i = 0; i < 20; i++) {
      const sim = new UhppoteSimulator({ port: 0, controllers: [1, 2], listener: '127.0.0.1:9', eventsEvery: 0.01 });
      const { port } = await sim.start();
      const u = new Uhppote({ bind: '127.0.0.1', broadcast: `127.0.0.1:${port}`, timeout: 5000 });
      const listener = await u.listen('127.0.0.1:0');
      const standalone = new UhppoteListener({ listen: '127.0.0.1:0' });
      await standalone.start();
      await u.getStatus(1);
      await u.getStatus({ id: 2, address: `127.0.0.1:${port}`, protocol: 'tcp' });
      const inFlight = [u.getStatus(99), u.getControllers(), u.getStatus({ id: 99, address: `127.0.0.1:${port}`, protocol: 'tcp' })];
      await new Promise((resolve) => setImmediate(resolve));
      await u.close();
      const settled = await Promise.allSettled(inFlight);
      for (const s of settled) {
        assert.equal(s.status, 'rejected');
        assert.ok((s as PromiseRejectedResult).reason instanceof AbortedError || ['ENOTCONN', 'EABORTED'].includes((s as PromiseRejectedResult).reason.code), String((s as PromiseRejectedResult).reason));
      }
      await u.close();
      await listener.close();
      await standalone.close();
      await standalone.close();
      await sim.close();
      await sim.close();
    }
    // socket close callbacks have run; let the loop settle once
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(handles(), before);
  });
});
