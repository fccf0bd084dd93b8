import { DataFilter, type Data } from '../../core/node.js';
import { describeValue } from '../../python/numbers.js';
import { isRecord, pythonEquals } from '../../python/records.js';
import { listify } from '../../python/values.js';
import { z } from '../options.js';

const schema = z.object({
  buffer_size: z
    .number()
    .int()
    .positive()
    .default(100)
    .describe('Most values kept per aggregated field; older values are dropped first.'),
  send_every: z
    .number()
    .default(100)
    .transform((v) => Math.max(1, v))
    .describe(
      'Send the aggregated records every this many receipts (1 or less: every receipt). Equal to buffer_size: each value is sent once.',
    ),
  aggregate: z
    .union([z.string(), z.array(z.string())])
    .default(['timestamp', 'value'])
    .transform((v) => (typeof v === 'string' ? [v] : v))
    .describe('Fields whose values are collected into lists; the other fields identify a record.'),
  max_records: z
    .number()
    .int()
    .positive()
    .default(1000)
    .describe(
      'Most aggregated records kept (not in Python datalogd, whose list can grow without end); beyond it the one updated longest ago is dropped.',
    ),
});

export type AggregatorOptions = z.output<typeof schema>;

/** The last `capacity` values pushed, oldest first, in constant time per push. */
class Ring {
  readonly #capacity: number;
  readonly #items: unknown[] = [];
  #head = 0;

  constructor(capacity: number, initial: readonly unknown[]) {
    this.#capacity = capacity;
    for (const value of initial.slice(-capacity)) this.#items.push(value);
  }

  push(value: unknown): void {
    if (this.#items.length < this.#capacity) {
      this.#items.push(value);
      return;
    }
    this.#items[this.#head] = value;
    this.#head = (this.#head + 1) % this.#capacity;
  }

  toArray(): unknown[] {
    const items = this.#items;
    return this.#head === 0
      ? items.slice()
      : items.slice(this.#head).concat(items.slice(0, this.#head));
  }
}

/** One aggregated record: its fields in their first order, the aggregated ones as rings. */
interface Aggregate {
  readonly keys: readonly string[];
  readonly fields: Readonly<Record<string, unknown>>;
  readonly series: ReadonlyMap<string, Ring>;
  lastUpdate: number;
}

/**
 * Python datalogd's aggregation. The record at position i of a receipt joins aggregate i
 * when both have the same set of fields and equal values in every field that is not
 * aggregated; its aggregated values are then appended. Otherwise it starts a new aggregate at
 * the end of the list. Every `send_every` receipts the aggregates are sent, as a new list
 * of new records each time (Python sends its internal list itself).
 */
export class AggregatorDataFilter extends DataFilter {
  static readonly description =
    'Collects the `aggregate` fields (default timestamp and value) of consecutive receipts into lists of up to `buffer_size` values and sends the aggregated records every `send_every` receipts. The record at position i of a receipt is added to aggregated record i when their fields are the same and the other fields are equal; otherwise it starts a new aggregated record.';
  static readonly optionsSchema = schema;

  readonly #bufferSize: number;
  readonly #sendEvery: number;
  readonly #aggregate: ReadonlySet<string>;
  readonly #maxRecords: number;
  readonly #aggregates: Aggregate[] = [];
  readonly #counts = this.counters('receipts', 'sends');
  #sinceSend = 0;

  constructor(options: AggregatorOptions = schema.parse({})) {
    super();
    this.declareEvents('DATALOGD_ERR_AGGREGATE_NOT_RECORD', 'DATALOGD_ERR_AGGREGATE_EVICTED');
    this.#bufferSize = options.buffer_size;
    this.#sendEvery = options.send_every;
    this.#aggregate = new Set(options.aggregate);
    this.#maxRecords = options.max_records;
  }

  override receive(data: Data): undefined {
    const receipt = (this.#counts.receipts += 1);
    const items = listify(data);
    for (let i = 0; i < items.length; i++) {
      const record = items[i];
      if (!isRecord(record)) {
        this.#skip(record);
        continue;
      }
      const existing = this.#aggregates[i];
      if (existing !== undefined && this.#matches(existing, record)) {
        for (const [key, ring] of existing.series) ring.push(record[key]);
        existing.lastUpdate = receipt;
      } else {
        this.#add(record, receipt);
      }
    }
    this.#sinceSend += 1;
    if (this.#sinceSend >= this.#sendEvery) {
      this.#sinceSend = 0;
      this.#counts.sends += 1;
      this.send(this.#aggregates.map(materialise));
    }
    return undefined;
  }

  protected override gauges(): Record<string, number> {
    return { aggregated_records: this.#aggregates.length };
  }

  #matches(aggregate: Aggregate, record: Record<string, unknown>): boolean {
    const keys = Object.keys(record);
    if (keys.length !== aggregate.keys.length) return this.#keysDiffer();
    for (const key of keys) {
      if (!Object.hasOwn(aggregate.fields, key)) return this.#keysDiffer();
    }
    for (const key of keys) {
      if (this.#aggregate.has(key)) continue;
      if (!pythonEquals(aggregate.fields[key], record[key])) return false;
    }
    return true;
  }

  #keysDiffer(): false {
    if (this.log.isEnabled('debug')) this.log.debug("keys don't match");
    return false;
  }

  #add(record: Record<string, unknown>, receipt: number): void {
    const keys = Object.keys(record);
    const series = new Map<string, Ring>();
    for (const key of keys) {
      if (this.#aggregate.has(key)) {
        series.set(key, new Ring(this.#bufferSize, listify(record[key])));
      }
    }
    this.#aggregates.push({ keys, fields: { ...record }, series, lastUpdate: receipt });
    if (this.#aggregates.length > this.#maxRecords) this.#evictStalest();
  }

  #evictStalest(): void {
    let stalest = 0;
    for (let i = 1; i < this.#aggregates.length; i++) {
      const candidate = this.#aggregates[i] as Aggregate;
      if (candidate.lastUpdate < (this.#aggregates[stalest] as Aggregate).lastUpdate) stalest = i;
    }
    this.#aggregates.splice(stalest, 1);
    this.report(
      'DATALOGD_ERR_AGGREGATE_EVICTED',
      `more than max_records=${this.#maxRecords} aggregated records (receipts whose records keep changing position or identity); dropped the one updated longest ago`,
    );
  }

  #skip(item: unknown): void {
    this.report(
      'DATALOGD_ERR_AGGREGATE_NOT_RECORD',
      `cannot aggregate ${describeValue(item)}: only records (objects) are aggregated; item dropped`,
    );
  }
}

function materialise(aggregate: Aggregate): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of aggregate.keys) {
    const ring = aggregate.series.get(key);
    out[key] = ring === undefined ? aggregate.fields[key] : ring.toArray();
  }
  return out;
}
