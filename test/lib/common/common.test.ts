import assert from 'node:assert/strict';
import {
  AbortedError, Backoff, BoundedQueue, FieldlinkError, QueueFullError, TimeoutError, fromHex, hexdump, sleep,
  toFieldlinkError, toHex, withTimeout,
} from '../../../lib/common';

describe('lib/common', () => {
  describe('errors', () => {
    it('carries code, device and operation, and serialises for msg.error', () => {
      const err = new TimeoutError('no reply', { device: 405419896, operation: 'get-status' });
      assert.ok(err instanceof FieldlinkError);
      assert.equal(err.name, 'TimeoutError');
      assert.equal(err.code, 'ETIMEOUT');
      assert.deepEqual(err.toJSON(), { name: 'TimeoutError', code: 'ETIMEOUT', message: 'no reply', device: 405419896, operation: 'get-status' });
    });
    it('wraps foreign errors and keeps their code', () => {
      const sys = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      const err = toFieldlinkError(sys, { device: '127.0.0.1:6510' });
      assert.equal(err.code, 'ECONNREFUSED');
      assert.equal(err.device, '127.0.0.1:6510');
      assert.equal(err.cause, sys);
      const typed = new AbortedError('x');
      assert.equal(toFieldlinkError(typed), typed);
    });
  });

  describe('deadline', () => {
    it('rejects with TimeoutError and runs the clean-up', async () => {
      let cleaned = false;
      const never = new Promise<never>(() => undefined);
      await assert.rejects(withTimeout(never, 5, { operation: 'read', device: 'x' }, () => (cleaned = true)), (e: unknown) => {
        assert.ok(e instanceof TimeoutError);
        assert.match((e as Error).message, /read \(x\) timed out after 5 ms/);
        return true;
      });
      assert.equal(cleaned, true);
    });
    it('passes results and errors through', async () => {
      assert.equal(await withTimeout(Promise.resolve(7), 1000), 7);
      await assert.rejects(withTimeout(Promise.reject(new Error('boom')), 1000), /boom/);
    });
    it('sleep is abortable', async () => {
      const ac = new AbortController();
      const p = sleep(60_000, ac.signal);
      ac.abort();
      await assert.rejects(p, AbortedError);
    });
    it('back-off grows to its cap and resets', () => {
      const b = new Backoff({ initial: 100, max: 1000, factor: 2, jitter: 0 });
      assert.deepEqual([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()], [100, 200, 400, 800, 1000, 1000]);
      assert.equal(b.attempts, 6);
      b.reset();
      assert.equal(b.next(), 100);
    });
  });

  describe('BoundedQueue', () => {
    it('is FIFO, refuses when full, and wakes waiters', async () => {
      const q = new BoundedQueue<number>(2);
      const waiting = q.shift();
      q.push(1);
      assert.equal(await waiting, 1);
      q.push(2);
      q.push(3);
      assert.throws(() => q.push(4), QueueFullError);
      assert.equal(q.pushDropOldest(4), 2);
      assert.deepEqual(q.drain(), [3, 4]);
    });
    it('close rejects waiters and new items', async () => {
      const q = new BoundedQueue<number>(1);
      const waiting = q.shift();
      q.close();
      await assert.rejects(waiting, AbortedError);
      assert.throws(() => q.push(1), AbortedError);
    });
  });

  describe('hex', () => {
    it('round-trips and dumps', () => {
      const bytes = fromHex('17 94 00:00 0x78');
      assert.equal(toHex(bytes), '17 94 00 00 78');
      assert.throws(() => fromHex('abc'), RangeError);
      assert.throws(() => fromHex('zz'), RangeError);
      const dump = hexdump(Buffer.from('fieldlink\x00\x01 hexdump line two'));
      assert.equal(dump.split('\n').length, 2);
      assert.match(dump, /^00000000  66 69 65 6c 64 6c 69 6e  6b 00 01 20 68 65 78 64  \|fieldlink.. hexd\|/);
    });
  });
});
