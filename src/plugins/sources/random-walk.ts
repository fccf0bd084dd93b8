import { PeriodicDataSource } from '../../core/periodic.js';
import { seconds, z } from '../options.js';

const schema = z.object({
  seed: z
    .union([z.number(), z.string()])
    .nullable()
    .default(null)
    .describe(
      'Seed of the random number generator; the same seed gives the same walk. null: random.',
    ),
  interval: seconds(1.0).describe('Seconds between steps.'),
  walkers: z
    .array(z.tuple([z.number(), z.number()]))
    .default([
      [0.0, 1.0],
      [0.0, 2.0],
    ])
    .describe('One [initial value, increment] pair per walker.'),
});

export type RandomWalkOptions = z.output<typeof schema>;

/** Small, fast and good enough for test data; what matters is that a seed reproduces a run. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over the seed's text, so that `1.5`, `42` and `"lab"` all make distinct seeds. */
function seedToUint32(seed: number | string): number {
  let hash = 0x811c9dc5;
  for (const ch of String(seed)) {
    hash ^= ch.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** Test data: walkers that each step by -increment, 0 or +increment at every tick. */
export class RandomWalkDataSource extends PeriodicDataSource {
  static readonly description =
    'Test data: every `interval` seconds each walker steps by -increment, 0 or +increment; sends `[{"type": "analog", "id": "randomwalk<i>", "value": ...}, ...]`.';
  static readonly optionsSchema = schema;

  readonly #values: number[];
  readonly #increments: readonly number[];
  readonly #random: () => number;

  constructor(options: RandomWalkOptions = schema.parse({})) {
    super(options.interval);
    this.#values = options.walkers.map(([initial]) => initial);
    this.#increments = options.walkers.map(([, increment]) => increment);
    this.#random = options.seed === null ? Math.random : mulberry32(seedToUint32(options.seed));
  }

  protected override tick(): void {
    const records = this.#values.map((value, i) => {
      const increment = this.#increments[i] ?? 0;
      const step = Math.floor(this.#random() * 3) - 1;
      const next = value + step * increment;
      this.#values[i] = next;
      return { type: 'analog', id: `randomwalk${i}`, value: next };
    });
    this.send(records);
  }
}
