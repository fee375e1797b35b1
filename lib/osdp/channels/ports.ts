/**
 * Lists the machine's serial ports for an editor picker without crashing: serialport's
 * `SerialPort.list()` spawns `udevadm` on Linux, and where that is missing the spawn error kills the
 * process. So on Linux this reads /dev/serial/by-id and /dev/tty{USB,ACM,AMA,S}* itself and only
 * asks serialport when `udevadm` is on the PATH; on other systems it uses serialport.
 */
import { promises as fs, constants as fsConstants } from 'node:fs';
import * as path from 'node:path';

export interface SerialPortInfo {
  /** The path to open. */
  path: string;
  /** A human label: the by-id name, or the manufacturer from udev. */
  label: string;
  /** The /dev/ttyX node a by-id link points to. */
  device?: string;
  manufacturer?: string;
  serialNumber?: string;
  vendorId?: string;
  productId?: string;
}

async function executableOnPath(name: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    try {
      await fs.access(path.join(dir, name), fsConstants.X_OK);
      return true;
    } catch {
      /* next */
    }
  }
  return false;
}

/** True when /dev/ttySn has a real UART behind it (sysfs `type` is not 0). */
async function isRealUart(name: string): Promise<boolean> {
  try {
    const type = (await fs.readFile(`/sys/class/tty/${name}/type`, 'utf8')).trim();
    return type !== '0';
  } catch {
    return false;
  }
}

async function listLinux(devDir = '/dev'): Promise<SerialPortInfo[]> {
  const out: SerialPortInfo[] = [];
  const seen = new Set<string>();
  const byId = path.join(devDir, 'serial', 'by-id');
  try {
    for (const name of (await fs.readdir(byId)).sort()) {
      const link = path.join(byId, name);
      let device: string | undefined;
      try {
        device = path.resolve(byId, await fs.readlink(link));
      } catch {
        /* not a link */
      }
      out.push({ path: link, label: name, ...(device ? { device } : {}) });
      if (device) seen.add(device);
    }
  } catch {
    /* no by-id directory */
  }
  let entries: string[] = [];
  try {
    entries = await fs.readdir(devDir);
  } catch {
    return out;
  }
  const pattern = /^tty(USB|ACM|AMA|S|XRUSB|mxc)\d+$/;
  for (const name of entries.filter((n) => pattern.test(n)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))) {
    const full = path.join(devDir, name);
    if (seen.has(full)) continue;
    if (name.startsWith('ttyS') && !(await isRealUart(name))) continue;
    out.push({ path: full, label: name });
  }
  return out;
}

/** The serial ports of this machine, never throwing: an empty list when nothing can be read. */
export async function listSerialPorts(): Promise<SerialPortInfo[]> {
  if (process.platform === 'linux') {
    const ports = await listLinux();
    if (!(await executableOnPath('udevadm'))) return ports;
    try {
      const { SerialPort } = await import('serialport');
      const udev = await SerialPort.list();
      for (const p of ports) {
        const info = udev.find((u) => u.path === p.path || u.path === p.device);
        if (info) {
          if (info.manufacturer) p.manufacturer = info.manufacturer;
          if (info.serialNumber) p.serialNumber = info.serialNumber;
          if (info.vendorId) p.vendorId = info.vendorId;
          if (info.productId) p.productId = info.productId;
        }
      }
    } catch {
      /* keep what the file system said */
    }
    return ports;
  }
  try {
    const { SerialPort } = await import('serialport');
    return (await SerialPort.list()).map((u) => ({
      path: u.path,
      label: u.manufacturer ? `${u.path} (${u.manufacturer})` : u.path,
      ...(u.manufacturer ? { manufacturer: u.manufacturer } : {}),
      ...(u.serialNumber ? { serialNumber: u.serialNumber } : {}),
      ...(u.vendorId ? { vendorId: u.vendorId } : {}),
      ...(u.productId ? { productId: u.productId } : {}),
    }));
  } catch {
    return [];
  }
}

/** For tests: the Linux listing against another /dev directory. */
export const _listLinuxForTest = listLinux;
