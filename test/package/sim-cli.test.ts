// fieldlink-sim, as integrators and the demo runner use it: one JSON line once listening,
// a clean exit on SIGTERM, plain errors for a wrong call.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const rt = require('../../scripts/lib/runtime');
const bin = path.join(rt.root, 'bin', 'fieldlink-sim.js');

/** Arguments that make each simulator listen on ephemeral ports of 127.0.0.1. */
const EPHEMERAL: Record<string, string[]> = {
  osdp: ['--tcp', '127.0.0.1:0'],
};

describe('fieldlink-sim', function () {
  this.timeout(30_000);

  it('prints usage and exits 2 without a protocol, and refuses an unknown one', () => {
    const none = spawnSync(process.execPath, [bin], { encoding: 'utf8' });
    assert.equal(none.status, 2);
    assert.match(none.stderr, /usage: fieldlink-sim <protocol>/);
    const bad = spawnSync(process.execPath, [bin, 'modbus'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown protocol 'modbus'/);
  });

  const protocols: string[] = rt.demoSimulators().map((s: { protocol: string }) => s.protocol);
  for (const protocol of protocols) {
    it(`${protocol}: listens, prints one JSON line, and stops cleanly on SIGTERM`, async () => {
      const sim = await rt.startSim(protocol, EPHEMERAL[protocol] ?? ['--port', '0']);
      assert.equal(sim.protocol, protocol);
      const addresses = Object.values(sim.listening as Record<string, string>);
      assert.ok(addresses.length > 0, 'says where it listens');
      for (const a of addresses) assert.match(a, /^(127\.0\.0\.1|\[::1\]|::1):[1-9]\d*$/, `listens on loopback with a real port: ${a}`);
      assert.equal(await sim.stop(), 0);
    });
  }
});
