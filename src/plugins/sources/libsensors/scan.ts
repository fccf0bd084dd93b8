import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage } from '../../../core/errors.js';
import { chipName } from './chip-name.js';

export const SENSOR_TYPES = [
  'voltage',
  'fanspeed',
  'temperature',
  'power',
  'energy',
  'current',
  'humidity',
] as const;
export type SensorType = (typeof SENSOR_TYPES)[number];

interface Kind {
  readonly type: SensorType;
  /** sysfs reports integers in these units per displayed unit (millidegrees, microwatts...). */
  readonly divisor: number;
  readonly units: string;
  /** libsensors numbers these channels from 1; `temp0_input` is not a sensor. */
  readonly fromOne: boolean;
}

/** The hwmon sysfs ABI (Documentation/hwmon/sysfs-interface), in libsensors' feature order. */
const KINDS: ReadonlyMap<string, Kind> = new Map([
  ['in', { type: 'voltage', divisor: 1000, units: 'V', fromOne: false }],
  ['fan', { type: 'fanspeed', divisor: 1, units: 'RPM', fromOne: true }],
  ['temp', { type: 'temperature', divisor: 1000, units: '°C', fromOne: true }],
  ['power', { type: 'power', divisor: 1_000_000, units: 'W', fromOne: true }],
  ['energy', { type: 'energy', divisor: 1_000_000, units: 'J', fromOne: true }],
  ['curr', { type: 'current', divisor: 1000, units: 'A', fromOne: true }],
  ['humidity', { type: 'humidity', divisor: 1000, units: '%', fromOne: true }],
]);
const KIND_ORDER = [...KINDS.keys()];

/** `power` has no `_input` on many drivers; libsensors prefers the average, as here. */
const INPUT_FILE = /^(in|fan|temp|power|energy|curr|humidity)(\d+)_(input|average)$/;

/** One reading to take: a file whose integer content, divided, is the value. */
export interface SensorInput {
  readonly id: string;
  readonly type: SensorType;
  readonly file: string;
  readonly divisor: number;
  readonly units: string;
}

export interface HwmonChip {
  /** libsensors' chip name, such as `coretemp-isa-0000`. */
  readonly name: string;
  readonly dir: string;
  readonly inputs: readonly SensorInput[];
}

export interface HwmonScan {
  readonly chips: readonly HwmonChip[];
  /** Set when the hwmon directory itself cannot be read (absent on this machine, say). */
  readonly error: string | undefined;
}

/**
 * Finds the hardware monitors under `hwmonPath` (normally `/sys/class/hwmon`) and their
 * sensor inputs, the way libsensors does: a monitor's attributes are in its own directory,
 * or (older drivers) in its `device` directory; one without a `name` or without inputs is
 * left out. Chips come in hwmon number order, inputs in libsensors' feature order.
 */
export async function scanHwmon(hwmonPath: string): Promise<HwmonScan> {
  let entries: string[];
  try {
    entries = await readdir(hwmonPath);
  } catch (err) {
    return { chips: [], error: errorMessage(err) };
  }
  const sysfsRoot = path.resolve(hwmonPath, '..', '..');
  const dirs = entries
    .filter((e) => !e.startsWith('.'))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .map((e) => path.join(hwmonPath, e));
  const chips = await Promise.all(dirs.map((dir) => scanChip(dir, sysfsRoot)));
  return { chips: chips.filter((c): c is HwmonChip => c !== undefined), error: undefined };
}

async function scanChip(hwmonDir: string, sysfsRoot: string): Promise<HwmonChip | undefined> {
  for (const attrDir of [hwmonDir, path.join(hwmonDir, 'device')]) {
    const prefix = await readAttr(attrDir, 'name');
    if (prefix === undefined || prefix === '') continue;
    const files = await regularFiles(attrDir);
    const features = inputFeatures(files);
    if (features.length === 0) continue;
    const name = await chipName(prefix, hwmonDir, sysfsRoot);
    const inputs = await Promise.all(
      features.map(async (f): Promise<SensorInput> => {
        const label = files.has(`${f.feature}_label`)
          ? await readAttr(attrDir, `${f.feature}_label`)
          : undefined;
        return {
          id: `${name}_${label === undefined || label === '' ? f.feature : label}`,
          type: f.kind.type,
          file: path.join(attrDir, f.file),
          divisor: f.kind.divisor,
          units: f.kind.units,
        };
      }),
    );
    return { name, dir: attrDir, inputs };
  }
  return undefined;
}

interface Feature {
  readonly feature: string;
  readonly file: string;
  readonly kind: Kind;
  readonly order: number;
  readonly channel: number;
}

function inputFeatures(files: ReadonlySet<string>): Feature[] {
  const byFeature = new Map<string, Feature>();
  for (const file of files) {
    const match = INPUT_FILE.exec(file);
    if (match === null) continue;
    const [, prefix = '', digits = '', sub] = match;
    const kind = KINDS.get(prefix);
    const channel = Number(digits);
    if (kind === undefined || (kind.fromOne && channel === 0)) continue;
    if (sub === 'average' && prefix !== 'power') continue;
    const feature = `${prefix}${digits}`;
    const known = byFeature.get(feature);
    // For power both may exist; the average wins, as in libsensors.
    if (known !== undefined && sub !== 'average') continue;
    byFeature.set(feature, { feature, file, kind, order: KIND_ORDER.indexOf(prefix), channel });
  }
  return [...byFeature.values()].sort((a, b) => a.order - b.order || a.channel - b.channel);
}

async function regularFiles(dir: string): Promise<Set<string>> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return new Set(entries.filter((e) => e.isFile()).map((e) => e.name));
  } catch {
    return new Set();
  }
}

async function readAttr(dir: string, name: string): Promise<string | undefined> {
  try {
    return (await readFile(path.join(dir, name), 'utf8')).trim();
  } catch {
    return undefined;
  }
}
