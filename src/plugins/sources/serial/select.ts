import { compilePythonRegex } from '../../../python/regex.js';
import { hardwareId, hexId, type SerialPortInfo } from './ports.js';

/** What the options of a SerialDataSource say about which port to use. */
export interface PortCriteria {
  readonly port: string | null;
  readonly vid: number | null;
  readonly pid: number | null;
  readonly serialNumber: string | null;
  readonly location: string | null;
}

/**
 * A `port` that names a device (`/dev/ttyACM0`, `COM3`, `\\.\COM12`) is opened as it is;
 * anything else is a pattern for the port list.
 */
export function isDevicePath(port: string): boolean {
  return port.startsWith('/') || /^COM[0-9]+$/i.test(port) || port.startsWith('\\\\.\\');
}

/**
 * The ports worth probing, in list order. With a `port` pattern: those whose path,
 * manufacturer, product or hardware id (`USB VID:PID=2341:0043 SER=… LOCATION=…`) it finds,
 * case-insensitively, as pyserial's `grep` does. Without one: those that meet every other
 * criterion given; `vid`/`pid` compare as numbers, `serial_number` and `location` are
 * patterns anchored at the start (Python's `re.match`), and a port lacking the field fails.
 * With no criteria at all, every port is a candidate.
 */
export function selectPorts(
  ports: readonly SerialPortInfo[],
  criteria: PortCriteria,
): SerialPortInfo[] {
  if (criteria.port !== null) {
    const pattern = compilePythonRegex(criteria.port, { mode: 'search', ignoreCase: true });
    if (pattern === undefined) return [];
    return ports.filter((p) => searchable(p).some((text) => pattern.test(text)));
  }
  const serial = anchored(criteria.serialNumber);
  const location = anchored(criteria.location);
  return ports.filter(
    (p) =>
      (criteria.vid === null || p.vendorId === criteria.vid) &&
      (criteria.pid === null || p.productId === criteria.pid) &&
      fieldMatches(serial, p.serialNumber) &&
      fieldMatches(location, p.location),
  );
}

/** Describes the criteria for log lines: `vid=0x2341 serial_number=^85`. */
export function describeCriteria(criteria: PortCriteria): string {
  const parts: string[] = [];
  if (criteria.port !== null) parts.push(`port=${criteria.port}`);
  if (criteria.vid !== null) parts.push(`vid=0x${hexId(criteria.vid)}`);
  if (criteria.pid !== null) parts.push(`pid=0x${hexId(criteria.pid)}`);
  if (criteria.serialNumber !== null) parts.push(`serial_number=${criteria.serialNumber}`);
  if (criteria.location !== null) parts.push(`location=${criteria.location}`);
  return parts.length === 0 ? 'any port' : parts.join(' ');
}

function searchable(port: SerialPortInfo): string[] {
  const texts = [port.path, hardwareId(port)];
  if (port.manufacturer !== undefined) texts.push(port.manufacturer);
  if (port.product !== undefined) texts.push(port.product);
  return texts;
}

function anchored(pattern: string | null): RegExp | null | undefined {
  if (pattern === null) return null;
  return compilePythonRegex(pattern, { mode: 'match' });
}

/** null: no criterion; undefined: an invalid pattern, which matches nothing. */
function fieldMatches(pattern: RegExp | null | undefined, value: string | undefined): boolean {
  if (pattern === null) return true;
  if (pattern === undefined || value === undefined) return false;
  return pattern.test(value);
}
