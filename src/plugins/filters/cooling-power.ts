import { DataFilter, type Data } from '../../core/node.js';
import { describeValue } from '../../python/numbers.js';
import { isRecord, pythonEquals } from '../../python/records.js';
import { pythonRound } from '../../python/rounding.js';
import { listify } from '../../python/values.js';
import { z } from '../options.js';

const id = z.union([z.string(), z.number()]);

const schema = z.object({
  temperature_id_in: id.default('A_0').describe('`id` of the inlet `temperature` records.'),
  temperature_id_out: id.default('A_1').describe('`id` of the outlet `temperature` records.'),
  flow_rate_id: id
    .default('A_0')
    .describe('`id` of the `flow_rate` records, in litres per minute.'),
  heatcapacity: z
    .number()
    .default(4184)
    .describe('Heat capacity of the coolant in J/kg/K (water: 4184).'),
  density: z.number().default(1.0).describe('Density of the coolant in g/mL (water: 1.0).'),
  coolingpower_id: id.default('A_0').describe('`id` of the `coolingpower` records added.'),
});

export type CoolingPowerOptions = z.output<typeof schema>;

/** Each new temperature counts for 1/5 against the running average, as in Python datalogd. */
const SMOOTHING_WINDOW = 5;

/**
 * Watts taken up by the coolant: heat capacity × mass flow × temperature rise, with the
 * operations in Python datalogd's order and its `round(…, 2)`.
 */
export function coolingPower(
  heatcapacity: number,
  density: number,
  flowLitresPerMinute: number,
  tIn: number,
  tOut: number,
): number {
  return pythonRound(heatcapacity * ((density * flowLitresPerMinute) / 60) * (tOut - tIn), 2);
}

/**
 * Adds a `coolingpower` record (W) to each receipt that holds a flow rate, computed from it
 * and the inlet and outlet temperatures. Temperatures are smoothed across receipts
 * (`(4 × previous + new) / 5`), and a receipt without them uses the last smoothed values.
 */
export class CoolingPowerDataFilter extends DataFilter {
  static readonly description =
    'When a receipt holds the `flow_rate` record `flow_rate_id` (L/min), appends {type: "coolingpower", id: coolingpower_id, value: heatcapacity × density × flow / 60 × (t_out - t_in) rounded to 2 places, units: "W"}, with the flow record\'s timestamp. The inlet and outlet temperatures are smoothed across receipts, (4 × previous + new) / 5, and the last values stand in when a receipt lacks them.';
  static readonly optionsSchema = schema;

  readonly #options: CoolingPowerOptions;
  #tInSmoothed: number | undefined;
  #tOutSmoothed: number | undefined;
  readonly #counts = this.counters('computed');

  constructor(options: CoolingPowerOptions = schema.parse({})) {
    super();
    this.#options = options;
    this.declareEvents('DATALOGD_ERR_NOT_NUMERIC');
  }

  override receive(data: Data): undefined {
    const items = listify(data);
    const o = this.#options;
    let tIn: number | undefined;
    let tOut: number | undefined;
    let flow: number | undefined;
    let timestamp: unknown;
    for (const d of items) {
      if (!isRecord(d) || !hasFields(d)) continue;
      if (d['type'] === 'temperature') {
        if (pythonEquals(d['id'], o.temperature_id_in)) {
          const v = this.#reading(d['value'], 'inlet temperature');
          if (v !== undefined) tIn = this.#tInSmoothed = smooth(this.#tInSmoothed, v);
        } else if (pythonEquals(d['id'], o.temperature_id_out)) {
          const v = this.#reading(d['value'], 'outlet temperature');
          if (v !== undefined) tOut = this.#tOutSmoothed = smooth(this.#tOutSmoothed, v);
        }
      } else if (d['type'] === 'flow_rate' && pythonEquals(d['id'], o.flow_rate_id)) {
        const v = this.#reading(d['value'], 'flow rate');
        if (v !== undefined) {
          flow = v;
          timestamp = d['timestamp'];
        }
      }
      // Python stops at the first complete set; later temperatures are not smoothed in.
      if (tIn !== undefined && tOut !== undefined && flow !== undefined) break;
    }
    if (flow !== undefined) {
      tIn ??= this.#tInSmoothed;
      tOut ??= this.#tOutSmoothed;
    }
    if (flow !== undefined && tIn !== undefined && tOut !== undefined) {
      const record: Record<string, unknown> = {
        type: 'coolingpower',
        id: o.coolingpower_id,
        value: coolingPower(o.heatcapacity, o.density, flow, tIn, tOut),
        units: 'W',
      };
      if (timestamp !== undefined && timestamp !== null) record['timestamp'] = timestamp;
      items.push(record);
      this.#counts.computed += 1;
    }
    this.send(items);
    return undefined;
  }

  /**
   * A finite number, or undefined with a warning. Python would smooth a NaN or a text into
   * the average and poison every later result; a bad reading is skipped here instead.
   */
  #reading(value: unknown, what: string): number | undefined {
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    this.report(
      'DATALOGD_ERR_NOT_NUMERIC',
      `${what} holds ${describeValue(value)}, not a finite number; reading skipped`,
      { key: what },
    );
    return undefined;
  }
}

/** Python's `"type" in d and "id" in d and "value" in d`. */
function hasFields(d: Record<string, unknown>): boolean {
  return Object.hasOwn(d, 'type') && Object.hasOwn(d, 'id') && Object.hasOwn(d, 'value');
}

function smooth(previous: number | undefined, value: number): number {
  if (previous === undefined) return value;
  return ((SMOOTHING_WINDOW - 1) * previous + value) / SMOOTHING_WINDOW;
}
