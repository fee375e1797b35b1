/** The few words spec-server shows for a failed connect, from the engine's typed errors. */
import assert from 'node:assert/strict';
import { NotConnectedError, NotFoundError, TimeoutError } from '../../../lib/common/errors';
import { reason } from '../../../nodes/spec/reason';

describe('spec-server status reason', () => {
  it('names the usual causes', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6510'), { code: 'ECONNREFUSED' });
    assert.equal(reason(new NotConnectedError('no SPEC server at 127.0.0.1:6510: connect ECONNREFUSED', { cause: refused })), 'refused');
    assert.equal(reason(new NotFoundError("no SPEC server named 'sixc' on h ports 1-2 (found fourc@6510)"), 'sixc'), 'no SPEC named sixc');
    assert.equal(reason(new NotFoundError("no SPEC server named 'sixc' on h ports 1-2"), 'sixc'), 'no server');
    const dns = Object.assign(new Error('getaddrinfo ENOTFOUND nohost'), { code: 'ENOTFOUND' });
    assert.equal(reason(new NotConnectedError('no SPEC server at nohost:6510: getaddrinfo ENOTFOUND nohost', { cause: dns })), 'unknown host');
    assert.equal(reason(new TimeoutError('hello timed out after 2000 ms')), 'no answer');
    assert.equal(reason(Object.assign(new Error('connect EHOSTUNREACH 10.0.0.9:6510'), { code: 'EHOSTUNREACH' })), 'unreachable');
    assert.equal(reason(new Error('something quite long went wrong here')), 'something quite l…');
  });
});
