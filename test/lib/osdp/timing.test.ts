// The CP's timing rules on an injected clock (no real time involved): the reply deadline is
// 200 ms plus the command's line time at the bus baud rate, a miss is retried with the same SQN,
// repeated misses take the PD offline (an event), and the PD is retried after the configured back-off.
import { strict as assert } from 'node:assert';
import { ControlPanel, ManualClock, PeripheralDevice, createMemoryPair, decodeFrame, type DecodedFrame } from '../../../lib/osdp';
import { until, waitEvent } from './helpers';

async function turns(n = 5): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

describe('osdp CP timing on a manual clock', () => {
  it('deadline = 200 ms + line time; retry with the same SQN; offline after the retries; retried after the back-off', async () => {
    const clock = new ManualClock();
    const [cpSide, pdSide] = createMemoryPair({ baudRate: 9600 });
    await pdSide.open(); // nobody answers
    const sent: DecodedFrame[] = [];
    pdSide.on('data', (d: Buffer) => sent.push(decodeFrame(d.subarray(1))));
    const cp = new ControlPanel({ pds: [{ address: 1 }], channel: cpSide, clock, retries: 1, offlineBackoff: 1000 });
    try {
      await cp.start();
      await until(() => sent.length === 1, 'ID sent');
      assert.equal(sent[0].code, 0x61);
      // ID with mark and CRC = 10 bytes = 10.42 ms at 9600 -> deadline 210.42 ms.
      await until(() => clock.pendingTimers === 1, 'deadline armed');
      clock.advance(210);
      await turns();
      assert.equal(sent.length, 1, 'no retry before the deadline');
      clock.advance(1);
      await until(() => sent.length === 2, 'retry');
      assert.equal(sent[1].sqn, sent[0].sqn);
      assert.ok(sent[1].raw.equals(sent[0].raw));
      const warned = waitEvent(cp, 'warning');
      await until(() => clock.pendingTimers === 1, 'deadline armed');
      clock.advance(211);
      await warned; // never online, so the failure is reported as a warning and the PD stays offline
      assert.equal(cp.pdInfo(0).state, 'offline');
      assert.equal(cp.metrics(0).timeouts, 2);
      await until(() => clock.pendingTimers === 1, 'bus loop sleeping until the back-off ends');
      clock.advance(999);
      await turns();
      assert.equal(sent.length, 2, 'waits for the back-off');
      clock.advance(1);
      await until(() => sent.length === 3, 'retried after the back-off');
      assert.equal(sent[2].code, 0x61);
      assert.equal(sent[2].sqn, 0);
    } finally {
      await cp.stop();
    }
  });

  it('an online PD that stops answering goes offline with an event after retries and polls at the poll interval', async () => {
    const clock = new ManualClock();
    const [cpSide, pdSide] = createMemoryPair();
    const pd = new PeripheralDevice({ address: 1, channel: pdSide });
    await pd.start();
    const polls: number[] = [];
    const tap = cpSide.write.bind(cpSide);
    cpSide.write = (d: Buffer) => {
      if (d[6] === 0x60) polls.push(clock.now());
      return tap(d);
    };
    const cp = new ControlPanel({ pds: [{ address: 1 }], channel: cpSide, clock, pollInterval: 50, retries: 2 });
    try {
      await cp.start();
      assert.equal(await cp.waitOnline(0, 5000), true);
      // Settled: every frame sent got its reply and the bus loop sleeps on the clock until the next poll.
      const settled = (): Promise<void> => until(() => cp.metrics(0).framesReceived === cp.metrics(0).framesSent && clock.pendingTimers === 1, 'bus idle');
      await until(() => polls.length === 1, 'first poll');
      await settled();
      for (let i = 0; i < 3; i++) {
        clock.advance(49);
        await turns();
        assert.equal(polls.length, i + 1, 'not before the poll interval');
        clock.advance(1);
        await until(() => polls.length === i + 2, `poll ${i + 2}`);
        await settled();
      }
      assert.deepEqual(polls.map((t) => t - polls[0]), [0, 50, 100, 150]);
      pdSide.intercept = () => null;
      const off = waitEvent(cp, 'offline');
      clock.advance(50);
      await until(() => polls.length === 5, 'poll that gets no answer');
      // 200 ms deadline (no baud rate on this channel), then two retries with the same SQN.
      for (let i = 0; i < 3; i++) {
        await until(() => clock.pendingTimers === 1, 'deadline armed');
        clock.advance(200);
        await turns();
      }
      await off;
      assert.equal(cp.isOnline(0), false);
      assert.equal(cp.metrics(0).retries, 2);
    } finally {
      await cp.stop();
      await pd.stop();
    }
  });
});
