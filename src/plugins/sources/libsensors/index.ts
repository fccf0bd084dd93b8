import { readFile } from 'node:fs/promises';
import { errorMessage } from '../../../core/errors.js';
import type { DataRecord } from '../../../core/node.js';
import { PeriodicDataSource } from '../../../core/periodic.js';
import { path, seconds, z } from '../../options.js';
import { scanHwmon, type SensorInput } from './scan.js';

const schema = z.object({
  interval: seconds(1.0).describe('Seconds between readings.'),
  hwmon_path: path()
    .default('/sys/class/hwmon')
    .describe('Directory of the Linux hardware monitors; tests point it at a fixture tree.'),
});

export type LibSensorsOptions = z.output<typeof schema>;

type Reading =
  { readonly ok: true; readonly value: number } | { readonly ok: false; readonly error: string };

/**
 * The machine's own temperatures, voltages, fans and power meters, read from the Linux hwmon
 * sysfs files that libsensors reads, so nothing native is needed. Every `interval` seconds
 * the monitors are listed afresh (a USB sensor may come and go) and each sensor input gives
 * one record. Problems are logged when they start and when they end, never once per reading;
 * every failed reading is counted.
 */
export class LibSensorsDataSource extends PeriodicDataSource {
  static readonly description =
    'Every `interval` seconds, one record per hardware sensor input from Linux sysfs (what libsensors reads): `{"type": "temperature", "id": "<chip>_<label>", "value": 45.0, "units": "°C"}`; types voltage, fanspeed, temperature, power, energy, current, humidity in V, RPM, °C, W, J, A, %. A sensor that fails or disappears is skipped with a warning; a machine without monitors gives one warning and the source keeps running. See docs/hardware-monitors.md.';
  static readonly optionsSchema = schema;

  readonly #hwmonPath: string;
  /** Sensors seen by the last reading; a sensor missing from the next one has disappeared. */
  #known = new Set<string>();
  /** Sensors whose last read failed, so that a persistent fault is logged once. */
  readonly #failing = new Set<string>();
  #haveMonitors: boolean | undefined;
  readonly #counts = this.counters('readings', 'records');

  constructor(options: LibSensorsOptions = schema.parse({})) {
    super(options.interval);
    this.#hwmonPath = options.hwmon_path;
    this.declareEvents('DATALOGD_ERR_SENSOR_READ', 'DATALOGD_ERR_SENSOR_GONE');
  }

  protected override async tick(): Promise<void> {
    const scan = await scanHwmon(this.#hwmonPath);
    const inputs = scan.chips.flatMap((c) => c.inputs);
    this.#noteMonitors(scan.chips.length, inputs.length, scan.error);
    const readings = await Promise.all(inputs.map((input) => readInput(input)));
    if (this.stopped) return;
    this.#counts.readings += 1;
    const records: DataRecord[] = [];
    const present = new Set<string>();
    inputs.forEach((input, i) => {
      present.add(input.id);
      const reading = readings[i] as Reading;
      if (reading.ok) {
        if (this.#failing.delete(input.id)) this.log.info(`Sensor ${input.id} reads again.`);
        records.push({ type: input.type, id: input.id, value: reading.value, units: input.units });
      } else {
        this.#readFailed(input.id, reading.error);
      }
    });
    this.#noteDisappeared(present);
    if (records.length === 0) return;
    this.#counts.records += records.length;
    this.send(records);
  }

  /**
   * Reported when a sensor starts failing; while it keeps failing, each reading is still
   * counted under the same counter, but not logged again until it has read in between.
   */
  #readFailed(id: string, error: string): void {
    if (!this.#failing.has(id)) {
      this.#failing.add(id);
      this.report('DATALOGD_ERR_SENSOR_READ', `Skipping sensor ${id}: ${error}.`, { key: id });
    } else {
      this.countRepeat('DATALOGD_ERR_SENSOR_READ');
    }
  }

  #noteMonitors(chips: number, inputs: number, error: string | undefined): void {
    const have = inputs > 0;
    if (have === this.#haveMonitors) return;
    this.#haveMonitors = have;
    if (have) {
      this.log.info(
        `Reading ${inputs} sensor(s) of ${chips} hardware monitor(s) in ${this.#hwmonPath}.`,
      );
    } else {
      this.log.warning(
        `No hardware monitors with sensors found in ${this.#hwmonPath}${error === undefined ? '' : ` (${error})`}; nothing to send until one appears.`,
      );
    }
  }

  #noteDisappeared(present: ReadonlySet<string>): void {
    for (const id of this.#known) {
      if (!present.has(id)) {
        this.report('DATALOGD_ERR_SENSOR_GONE', `Sensor ${id} disappeared; skipping it.`, {
          key: id,
        });
        this.#failing.delete(id);
      }
    }
    if (this.#counts.readings > 1) {
      for (const id of present) if (!this.#known.has(id)) this.log.info(`New sensor ${id}.`);
    }
    this.#known = new Set(present);
  }
}

async function readInput(input: SensorInput): Promise<Reading> {
  let text: string;
  try {
    text = await readFile(input.file, 'utf8');
  } catch (err) {
    return { ok: false, error: errorMessage(err) };
  }
  const raw = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(raw)) {
    return { ok: false, error: `${input.file} holds ${JSON.stringify(text.trim())}, not a number` };
  }
  return { ok: true, value: raw / input.divisor };
}
