import { strict as assert } from 'node:assert';
import { resolveAddress, specLiteral } from '../../../lib/spec';

describe('spec address and literals', () => {
  it('understands host, host:port, host:specname, IPv6 and port ranges', () => {
    assert.deepEqual(resolveAddress('localhost:fourc'), { host: 'localhost', ports: Array.from({ length: 21 }, (_, i) => 6510 + i), specName: 'fourc' });
    assert.deepEqual(resolveAddress('10.0.0.5:6512'), { host: '10.0.0.5', ports: [6512], specName: undefined });
    assert.deepEqual(resolveAddress('::1', 6511), { host: '::1', ports: [6511], specName: undefined });
    assert.deepEqual(resolveAddress('[::1]:psic', [6510, 6511]), { host: '::1', ports: [6510, 6511], specName: 'psic' });
    assert.deepEqual(resolveAddress('', undefined, 'sixc').host, '127.0.0.1');
    assert.equal(resolveAddress('h', undefined, 'sixc').specName, 'sixc');
    assert.throws(() => resolveAddress('h', [6530, 6510]), { code: 'EINVAL' });
    assert.throws(() => resolveAddress('h', 70000), { code: 'EINVAL' });
  });

  it('formats call() arguments as SPEC literals', () => {
    assert.equal(specLiteral(1.5), '1.5');
    assert.equal(specLiteral(true), '1');
    assert.equal(specLiteral('say "hi"\\n'), '"say \\"hi\\"\\\\n"');
    assert.throws(() => specLiteral({}), { code: 'EINVAL' });
  });
});
