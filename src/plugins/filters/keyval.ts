import { DataFilter, type Data } from '../../core/node.js';
import { KeyValSelector, type KeyValPair } from '../../python/selector.js';
import { listify } from '../../python/values.js';
import { flag, text, z } from '../options.js';

const schema = z.object({
  select: flag(true).describe(
    'true: pass only records matching every pair; false: pass only the others.',
  ),
  keyvals: z
    .array(z.tuple([z.string(), z.unknown()]))
    .nullable()
    .default(null)
    .describe(
      "List of [key, value] pairs, e.g. [['type', 'temperature'], ['id', 'A_.*']]; null uses [key, val].",
    ),
  key: text('type').describe('Key of the single pair used when keyvals is null.'),
  val: z
    .unknown()
    .default(null)
    .describe('Value of the single pair used when keyvals is null (string values are regexes).'),
});

export type KeyValOptions = z.output<typeof schema>;

/**
 * Selects records by key–value pairs: equal values (`1 == 1.0 == true`), a string value
 * as a regex that must match the whole field, or `NotImplemented` for any value.
 */
export class KeyValDataFilter extends DataFilter {
  static readonly description =
    'Passes (select=true) or drops (select=false) the records whose fields match every [key, value] pair; string values are regular expressions that must match the whole field.';
  static readonly optionsSchema = schema;

  readonly #select: boolean;
  readonly #selector: KeyValSelector;

  constructor(options: KeyValOptions = schema.parse({})) {
    super();
    this.#select = options.select;
    const pairs: readonly KeyValPair[] = options.keyvals ?? [[options.key, options.val]];
    this.#selector = new KeyValSelector(pairs);
  }

  override receive(data: Data): undefined {
    this.send(listify(data).filter((record) => this.#selector.matches(record) === this.#select));
    return undefined;
  }
}
