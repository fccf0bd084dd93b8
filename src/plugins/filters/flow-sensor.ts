import { DataFilter, type Data } from '../../core/node.js';
import { describeValue, mapNumeric } from '../../python/numbers.js';
import { isRecord, pythonEquals } from '../../python/records.js';
import { listify } from '../../python/values.js';
import { text, z } from '../options.js';

const schema = z.object({
  counter_rate_id: z
    .union([z.string(), z.number()])
    .default('A_0')
    .describe('`id` of the `counter_rate` records (pulses per second) to convert.'),
  a: z.number().default(5975).describe('Parameter a of the calibration a(1 - exp(-k(x - x0)^b)).'),
  k: z.number().default(0.173734).describe('Parameter k of the calibration function.'),
  x0: z
    .number()
    .default(0)
    .describe('Parameter x0: at or below this many counts per minute the flow is 0.'),
  b: z.number().default(0.284333).describe('Parameter b of the calibration function.'),
  units: text('L/min').describe(
    '`units` of the flow_rate records (documented by Python datalogd but missing there).',
  ),
});

export type FlowSensorCalibrationOptions = z.output<typeof schema>;

export interface FlowCalibration {
  readonly a: number;
  readonly k: number;
  readonly x0: number;
  readonly b: number;
}

/**
 * Litres per minute from pulses per second: with x = 60 * rate (counts per minute),
 * `x / (a * (1 - exp(-k * (x - x0)^b)))`, and 0 at or below x0. The calibration curve
 * `a(1 - exp(-k(x - x0)^b))` is counts per litre against counts per minute.
 */
export function flowRate(countsPerSecond: number, { a, k, x0, b }: FlowCalibration): number {
  const cpm = 60.0 * countsPerSecond;
  if (cpm <= x0) return 0.0;
  return cpm / (a * (1 - Math.exp(-k * (cpm - x0) ** b)));
}

/**
 * Converts a pulse counter's rate into a liquid flow rate. Each matching `counter_rate`
 * record is kept, and a `flow_rate` copy of it is appended at the end of the list.
 */
export class FlowSensorCalibrationDataFilter extends DataFilter {
  static readonly description =
    'For each record with type `counter_rate` and id `counter_rate_id`, appends a copy with type `flow_rate`, `units` and value x/(a(1 - exp(-k(x - x0)^b))) in litres per minute, where x = 60 * value counts per minute (0 when x <= x0). Defaults suit the YF-S401 sensor; a=1950, k=0.0965882, x0=0, b=0.721649 suit the FM-HL3012C.';
  static readonly optionsSchema = schema;

  readonly #id: string | number;
  readonly #units: string;
  readonly #convert: (rate: number) => number;

  constructor(options: FlowSensorCalibrationOptions = schema.parse({})) {
    super();
    this.declareEvents('DATALOGD_ERR_NOT_NUMERIC');
    this.#id = options.counter_rate_id;
    this.#units = options.units;
    const calibration: FlowCalibration = {
      a: options.a,
      k: options.k,
      x0: options.x0,
      b: options.b,
    };
    this.#convert = (rate) => flowRate(rate, calibration);
  }

  override receive(data: Data): undefined {
    const items = listify(data);
    const count = items.length;
    for (let i = 0; i < count; i++) {
      const record = items[i];
      if (!isRecord(record) || !Object.hasOwn(record, 'value')) continue;
      if (record['type'] !== 'counter_rate' || !pythonEquals(record['id'], this.#id)) continue;
      const value = mapNumeric(record['value'], this.#convert);
      if (value === undefined) {
        this.#warnNotNumeric(record['value']);
        continue;
      }
      items.push({ ...record, type: 'flow_rate', units: this.#units, value });
    }
    this.send(items);
    return undefined;
  }

  #warnNotNumeric(value: unknown): void {
    this.report(
      'DATALOGD_ERR_NOT_NUMERIC',
      `counter_rate "${String(this.#id)}" holds ${describeValue(value)}, not a number; no flow_rate computed`,
    );
  }
}
