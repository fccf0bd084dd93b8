import { readFile, readlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * The chip name libsensors gives a hardware monitor (`coretemp-isa-0000`, `nvme-pci-0100`,
 * `acpitz-acpi-0`), built from its `name` attribute and the bus and address of the device
 * behind it, so that ids match what Python datalogd (through PySensors) printed. Devices on a
 * bus libsensors does not know keep their subsystem as the bus name (libsensors skips them).
 *
 * `sysfsRoot` is where `class/i2c-adapter` is looked up (`/sys` normally).
 */
export async function chipName(
  prefix: string,
  hwmonDir: string,
  sysfsRoot: string,
): Promise<string> {
  const deviceLink = path.join(hwmonDir, 'device');
  const device = await readLinkBase(deviceLink);
  if (device === undefined) return `${prefix}-virtual-0`;
  const subsystem = await readLinkBase(path.join(deviceLink, 'subsystem'));
  return `${prefix}-${await busAndAddress(device, subsystem, sysfsRoot)}`;
}

async function busAndAddress(
  device: string,
  subsystem: string | undefined,
  sysfsRoot: string,
): Promise<string> {
  const on = (bus: string): boolean => subsystem === undefined || subsystem === bus;

  const i2c = /^(\d+)-([0-9a-f]+)$/i.exec(device);
  if (on('i2c') && i2c !== null) {
    const nr = Number(i2c[1]);
    const addr = Number.parseInt(i2c[2] ?? '0', 16);
    if (nr === 9191 || (await isIsaAdapter(sysfsRoot, nr))) return `isa-${hex(addr, 4)}`;
    return `i2c-${nr}-${hex(addr, 2)}`;
  }
  const spi = /^spi(\d+)\.(\d+)$/.exec(device);
  if (on('spi') && spi !== null) return `spi-${Number(spi[1])}-${hex(Number(spi[2]), 1)}`;
  const pci = /^([0-9a-f]+):([0-9a-f]+):([0-9a-f]+)\.([0-9a-f]+)$/i.exec(device);
  if (on('pci') && pci !== null) {
    const [domain, bus, slot, fn] = pci.slice(1, 5).map((v) => Number.parseInt(v, 16)) as [
      number,
      number,
      number,
      number,
    ];
    return `pci-${hex(domain * 0x10000 + (bus << 8) + (slot << 3) + fn, 4)}`;
  }
  if (subsystem === undefined || subsystem === 'platform' || subsystem === 'of_platform') {
    const platform = /^[a-z0-9_]+\.(\d+)/.exec(device);
    return `isa-${hex(platform === null ? 0 : Number(platform[1]), 4)}`;
  }
  if (subsystem === 'acpi') return 'acpi-0';
  const hid = /^([0-9a-f]+):([0-9a-f]+):([0-9a-f]+)\.([0-9a-f]+)$/i.exec(device);
  if (subsystem === 'hid' && hid !== null) {
    return `hid-${Number.parseInt(hid[1] ?? '0', 16)}-${hex(Number.parseInt(hid[4] ?? '0', 16), 1)}`;
  }
  return `${subsystem}-0`;
}

async function isIsaAdapter(sysfsRoot: string, nr: number): Promise<boolean> {
  try {
    const name = await readFile(
      path.join(sysfsRoot, 'class', 'i2c-adapter', `i2c-${nr}`, 'device', 'name'),
      'utf8',
    );
    return name.startsWith('ISA ');
  } catch {
    return false;
  }
}

async function readLinkBase(link: string): Promise<string | undefined> {
  try {
    return path.basename(await readlink(link));
  } catch {
    return undefined;
  }
}

/** C's `%0<width>x`. */
function hex(value: number, width: number): string {
  return value.toString(16).padStart(width, '0');
}
