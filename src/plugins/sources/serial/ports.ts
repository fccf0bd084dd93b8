import { readdir, readFile, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage } from '../../../core/errors.js';

/** What is known about one serial port; fields the system does not report are undefined. */
export interface SerialPortInfo {
  readonly path: string;
  readonly manufacturer: string | undefined;
  readonly product: string | undefined;
  readonly vendorId: number | undefined;
  readonly productId: number | undefined;
  readonly serialNumber: string | undefined;
  /** pyserial's location: the USB device (`1-1.2`), or its interface (`1-1.2:1.0`) on multi-interface devices. */
  readonly location: string | undefined;
}

/** The port list as node-serialport reports it (through udev on Linux). */
export type SystemLister = () => Promise<readonly SystemPortInfo[]>;

export interface SystemPortInfo {
  readonly path: string;
  readonly manufacturer?: string | undefined;
  readonly serialNumber?: string | undefined;
  readonly locationId?: string | undefined;
  readonly productId?: string | undefined;
  readonly vendorId?: string | undefined;
}

export interface ListOptions {
  /** Defaults to `SerialPort.list`. */
  readonly lister?: SystemLister;
  /** Where device nodes live; `/dev` unless a test says otherwise. */
  readonly devDir?: string;
  /** The sysfs tty class directory; `/sys/class/tty` unless a test says otherwise. */
  readonly sysClassTty?: string;
}

export interface PortListing {
  readonly ports: readonly SerialPortInfo[];
  /** Why the system listing could not be used, when the sysfs scan stood in for it. */
  readonly fallbackReason: string | undefined;
}

/** The device names pyserial lists on Linux. */
const DEVICE_NAME =
  /^(ttyS|ttyUSB|ttyACM|ttyXRUSB|ttyAMA|rfcomm|ttyAP|ttyGS|ttyWCH|ttyMFD|ttyO)[0-9]+$/;

/**
 * Lists serial ports. node-serialport's listing needs `udevadm`, which containers and
 * minimal systems lack (`spawn udevadm ENOENT`); then the ports are found the way pyserial
 * finds them, from `/dev` names and sysfs. Either way the USB details are completed from
 * sysfs, since udev does not report pyserial's `location`.
 */
export async function listSerialPorts(options: ListOptions = {}): Promise<PortListing> {
  const lister = options.lister ?? (async () => (await import('serialport')).SerialPort.list());
  const devDir = options.devDir ?? '/dev';
  const sysClassTty = options.sysClassTty ?? '/sys/class/tty';
  let system: readonly SystemPortInfo[] | undefined;
  let fallbackReason: string | undefined;
  try {
    system = await lister();
  } catch (err) {
    fallbackReason = errorMessage(err);
  }
  const ports =
    system === undefined
      ? await scanDevices(devDir, sysClassTty)
      : await Promise.all(system.map((p) => fromSystem(p, sysClassTty)));
  return { ports: [...ports].sort(byPath), fallbackReason };
}

async function scanDevices(devDir: string, sysClassTty: string): Promise<SerialPortInfo[]> {
  let names: string[];
  try {
    names = await readdir(devDir);
  } catch {
    return [];
  }
  const found = await Promise.all(
    names
      .filter((name) => DEVICE_NAME.test(name))
      .map(async (name) => {
        const sys = await sysfsDetails(sysClassTty, name);
        // pyserial hides ttyS ports with a "platform" device: they exist only on paper.
        if (sys.subsystem === 'platform') return undefined;
        return { path: path.join(devDir, name), ...sys.info };
      }),
  );
  return found.filter((p): p is SerialPortInfo => p !== undefined);
}

async function fromSystem(port: SystemPortInfo, sysClassTty: string): Promise<SerialPortInfo> {
  const sys = await sysfsDetails(sysClassTty, path.basename(port.path));
  return {
    path: port.path,
    manufacturer: port.manufacturer ?? sys.info.manufacturer,
    product: sys.info.product,
    vendorId: parseHexId(port.vendorId) ?? sys.info.vendorId,
    productId: parseHexId(port.productId) ?? sys.info.productId,
    serialNumber: port.serialNumber ?? sys.info.serialNumber,
    location: sys.info.location ?? port.locationId,
  };
}

type PortDetails = Omit<SerialPortInfo, 'path'>;

const NO_DETAILS: PortDetails = {
  manufacturer: undefined,
  product: undefined,
  vendorId: undefined,
  productId: undefined,
  serialNumber: undefined,
  location: undefined,
};

/** pyserial's reading of `/sys/class/tty/<name>/device` and the USB device above it. */
async function sysfsDetails(
  sysClassTty: string,
  name: string,
): Promise<{ subsystem: string | undefined; info: PortDetails }> {
  let devicePath: string;
  try {
    devicePath = await realpath(path.join(sysClassTty, name, 'device'));
  } catch {
    return { subsystem: undefined, info: NO_DETAILS };
  }
  const subsystem = await linkBasename(path.join(devicePath, 'subsystem'));
  let usbInterface: string;
  if (subsystem === 'usb-serial') usbInterface = path.dirname(devicePath);
  else if (subsystem === 'usb') usbInterface = devicePath;
  else return { subsystem, info: NO_DETAILS };
  const usbDevice = path.dirname(usbInterface);
  const attr = (file: string): Promise<string | undefined> => readLine(path.join(usbDevice, file));
  const [vendor, product, serial, manufacturer, productName, interfaces] = await Promise.all([
    attr('idVendor'),
    attr('idProduct'),
    attr('serial'),
    attr('manufacturer'),
    attr('product'),
    attr('bNumInterfaces'),
  ]);
  const multiInterface = Number.parseInt(interfaces ?? '1', 10) > 1;
  return {
    subsystem,
    info: {
      manufacturer,
      product: productName,
      vendorId: parseHexId(vendor),
      productId: parseHexId(product),
      serialNumber: serial,
      location: path.basename(multiInterface ? usbInterface : usbDevice),
    },
  };
}

async function linkBasename(link: string): Promise<string | undefined> {
  try {
    return path.basename(await readlink(link));
  } catch {
    return undefined;
  }
}

async function readLine(file: string): Promise<string | undefined> {
  try {
    const text = await readFile(file, 'utf8');
    return text.split('\n', 1)[0]?.trim();
  } catch {
    return undefined;
  }
}

/** USB ids as sysfs and udev print them: four hex digits, maybe with `0x`. */
export function parseHexId(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const match = /^(?:0x)?([0-9a-f]{1,4})$/i.exec(text.trim());
  return match?.[1] === undefined ? undefined : Number.parseInt(match[1], 16);
}

/** Four-digit lower-case hex, as `lsusb` and udev show USB ids. */
export function hexId(id: number | undefined): string | undefined {
  return id === undefined ? undefined : id.toString(16).padStart(4, '0');
}

/**
 * pyserial's `hwid` text (`USB VID:PID=2341:0043 SER=... LOCATION=1-1.2`), which is what a
 * `port` pattern such as `2341:0043` was written against in Python datalogd.
 */
export function hardwareId(port: SerialPortInfo): string {
  if (port.vendorId === undefined && port.productId === undefined) return 'n/a';
  const ids = `USB VID:PID=${hexId(port.vendorId ?? 0)?.toUpperCase()}:${hexId(port.productId ?? 0)?.toUpperCase()}`;
  const serial = port.serialNumber === undefined ? '' : ` SER=${port.serialNumber}`;
  const location = port.location === undefined ? '' : ` LOCATION=${port.location}`;
  return ids + serial + location;
}

function byPath(a: SerialPortInfo, b: SerialPortInfo): number {
  return a.path.localeCompare(b.path, 'en', { numeric: true });
}
