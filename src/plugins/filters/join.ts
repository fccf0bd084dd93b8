import { listify } from '../../python/values.js';
import { DataFilter, type Data } from '../../core/node.js';
import { z } from '../options.js';

const schema = z.object({
  count: z
    .number()
    .default(2)
    .transform((v) => Math.max(1, Math.ceil(v)))
    .describe('Number of receipts joined into one list; 1 or less passes each receipt on.'),
});

export type JoinOptions = z.output<typeof schema>;

/** Joins consecutive receipts: every `count` receipts, their items go on as one list. */
export class JoinDataFilter extends DataFilter {
  static readonly description =
    'Collects `count` consecutive receipts and sends their items as one list (a receipt that is a list contributes its items).';
  static readonly optionsSchema = schema;

  readonly #count: number;
  #buffer: unknown[] = [];
  #received = 0;

  constructor(options: JoinOptions = schema.parse({})) {
    super();
    this.#count = options.count;
  }

  override receive(data: Data): undefined {
    for (const item of listify(data)) this.#buffer.push(item);
    this.#received += 1;
    if (this.#received >= this.#count) {
      const joined = this.#buffer;
      this.#buffer = [];
      this.#received = 0;
      this.send(joined);
    }
    return undefined;
  }
}
