import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { listSerialPorts, parseChannelSpec } from '../../../lib/osdp';
import { _listLinuxForTest } from '../../../lib/osdp/channels/ports';

describe('osdp serial port listing and channel specs', () => {
  it('lists by-id links and tty devices from a /dev tree without calling udevadm', async () => {
    const dev = mkdtempSync(path.join(tmpdir(), 'osdp-dev-'));
    try {
      mkdirSync(path.join(dev, 'serial', 'by-id'), { recursive: true });
      writeFileSync(path.join(dev, 'ttyUSB0'), '');
      writeFileSync(path.join(dev, 'ttyACM1'), '');
      writeFileSync(path.join(dev, 'ttyUSB10'), '');
      writeFileSync(path.join(dev, 'tty0'), '');
      symlinkSync('../../ttyUSB0', path.join(dev, 'serial', 'by-id', 'usb-FTDI_USB_RS485-if00-port0'));
      const ports = await _listLinuxForTest(dev);
      assert.deepEqual(
        ports.map((p) => p.label),
        ['usb-FTDI_USB_RS485-if00-port0', 'ttyACM1', 'ttyUSB10'],
      );
      assert.equal(ports[0].device, path.join(dev, 'ttyUSB0'));
    } finally {
      rmSync(dev, { recursive: true, force: true });
    }
  });
  it('listSerialPorts never throws on this machine', async () => {
    const ports = await listSerialPorts();
    assert.ok(Array.isArray(ports));
    for (const p of ports) assert.equal(typeof p.path, 'string');
  });
  it('parses channel specs', () => {
    assert.deepEqual(parseChannelSpec('tcp://10.0.0.5:4001'), { type: 'tcp', host: '10.0.0.5', port: 4001 });
    assert.deepEqual(parseChannelSpec('tcp-server://0.0.0.0:4002', 9600), { type: 'tcp-server', host: '0.0.0.0', port: 4002, baudRate: 9600 });
    assert.deepEqual(parseChannelSpec('serial:///dev/ttyUSB0?baud=115200&parity=even'), { type: 'serial', path: '/dev/ttyUSB0', parity: 'even', baudRate: 115200 });
    assert.deepEqual(parseChannelSpec('/dev/ttyS1'), { type: 'serial', path: '/dev/ttyS1', parity: 'none' });
    assert.throws(() => parseChannelSpec('ftp://x'), { code: 'EINVAL' });
  });
});
