import { DataFilter, type Data } from '../../core/node.js';
import { describeValue, mapNumeric } from '../../python/numbers.js';
import { isRecord } from '../../python/records.js';
import { numpyRounder } from '../../python/rounding.js';
import { KeyValSelector } from '../../python/selector.js';
import { listify } from '../../python/values.js';
import { text, textOrNull, z } from '../options.js';

const schema = z.object({
  match_keyvals: z
    .array(z.tuple([z.string(), z.unknown()]))
    .default([
      ['type', '.*'],
      ['id', '.*'],
    ])
    .describe(
      "Records to change: [key, value] pairs that must all match, as in KeyValDataFilter, e.g. [['type', 'temperature'], ['id', 'A_0']].",
    ),
  value: text('value').describe('Field holding the number to transform.'),
  coeffs: z
    .array(z.number())
    .min(1)
    .default([0.0, 1.0])
    .describe('Coefficients c0, c1, c2, ... of c0 + c1*x + c2*x^2 + ...'),
  rounding: z
    .number()
    .nullable()
    .default(null)
    .transform((v) => (v === null ? null : Math.trunc(v)))
    .describe(
      'Decimal places to round the result to, halves to even as numpy rounds; negative rounds left of the point (-2: to hundreds). null: no rounding.',
    ),
  units: textOrNull().describe('New `units` of the changed records; null leaves them as they are.'),
});

export type PolynomialFunctionOptions = z.output<typeof schema>;

/**
 * `c0 + c1*x + c2*x^2 + ...` summed term by term from zero, in the order Python datalogd sums
 * it, so that results agree to the last bit wherever `**` does.
 */
export function polynomial(coeffs: readonly number[], x: number): number {
  let y = 0;
  for (let n = 0; n < coeffs.length; n++) y += (coeffs[n] as number) * x ** n;
  return y;
}

/**
 * Calibrates matching records with a polynomial: on a copy of each, `value` becomes the
 * polynomial of it (element by element for an aggregated list), optionally rounded, and
 * `units` is set. A record whose value is not a number passes unchanged, with a warning.
 */
export class PolynomialFunctionDataFilter extends DataFilter {
  static readonly description =
    'Applies c0 + c1*x + c2*x^2 + ... to the `value` field of the records matching `match_keyvals` (to each element of an aggregated list), optionally rounds the result (halves to even, as numpy) and sets `units`. Other records, and records whose value is not a number, pass unchanged.';
  static readonly optionsSchema = schema;

  readonly #selector: KeyValSelector;
  readonly #field: string;
  readonly #units: string | null;
  readonly #transform: (x: number) => number;
  readonly #counts = this.counters('changed');

  constructor(options: PolynomialFunctionOptions = schema.parse({})) {
    super();
    this.declareEvents('DATALOGD_ERR_NOT_NUMERIC');
    this.#selector = new KeyValSelector(options.match_keyvals);
    this.#field = options.value;
    this.#units = options.units;
    const coeffs = [...options.coeffs];
    const digits = options.rounding;
    if (digits === null) {
      this.#transform = (x) => polynomial(coeffs, x);
    } else {
      const round = numpyRounder(digits);
      this.#transform = (x) => round(polynomial(coeffs, x));
    }
  }

  override receive(data: Data): undefined {
    this.send(listify(data).map((item) => this.#apply(item)));
    return undefined;
  }

  #apply(item: unknown): unknown {
    if (!isRecord(item) || !this.#selector.matches(item)) return item;
    // Python skips a record that lacks the field (KeyError), silently.
    if (!Object.hasOwn(item, this.#field)) return item;
    const x = item[this.#field];
    const y = mapNumeric(x, this.#transform);
    if (y === undefined) {
      this.report(
        'DATALOGD_ERR_NOT_NUMERIC',
        `field "${this.#field}" holds ${describeValue(x)}, not a number or a list of numbers; record passed unchanged`,
      );
      return item;
    }
    this.#counts.changed += 1;
    const out: Record<string, unknown> = { ...item, [this.#field]: y };
    if (this.#units !== null) out['units'] = this.#units;
    return out;
  }
}
