import { DatalogdError } from '../../../core/errors.js';
import { DataFilter, type Data } from '../../../core/node.js';
import { listify } from '../../../python/values.js';
import { z } from '../../options.js';
import type { Identifier } from './identifier.js';

/** Python datalogd's default: a file in the working directory. */
export const DEFAULT_RULES_FILE = 'sensoridentifier_rules.json';

const schema = z.object({
  rules: z
    .union([z.string(), z.array(z.unknown())])
    .default(DEFAULT_RULES_FILE)
    .describe(
      'The rules: a file name ending in .json (relative to the working directory), a JSON text, or the list itself. Each rule is {selector, update, critical, eval}; see docs/expressions.md.',
    ),
});

export type SensorIdentifierOptions = z.output<typeof schema>;

/**
 * Python datalogd's SensorIdentifierDataFilter: rules recognise sensors by their fields,
 * give them an identifier and further fields, compute fields with expressions, and keep a
 * table of faults (out of range, not present, no updates) that is reported in `watchdog`
 * records. Records are copied before they are changed.
 *
 * This module is all that loads at start-up; the rules reader, the matching and the fault
 * table load when a node of this class is checked or started, and mathjs only when a rule
 * has an expression.
 */
export class SensorIdentifierDataFilter extends DataFilter {
  static readonly description =
    'Gives matching records a `sensor_identifier` and other fields from rules, computes fields with expressions (docs/expressions.md), and reports faults in `watchdog` records: `out of range` when a critical reading leaves its range, `not present` and `no updates since <time>` when a sensor with a critical interval is missing or late (checked every shortest critical interval).';
  static readonly optionsSchema = schema;

  /** Reads the rules file and compiles the expressions, so that mistakes stop the start-up. */
  static async validate(
    options: SensorIdentifierOptions,
    nodeName: string,
  ): Promise<DatalogdError[]> {
    const { loadRules } = await import('./rules.js');
    const { problems } = await loadRules(options.rules);
    return problems.map(
      (problem) =>
        new DatalogdError('DATALOGD_ERR_RULES', `node "${nodeName}": ${problem}`, {
          node: nodeName,
          option: 'rules',
        }),
    );
  }

  readonly #rulesOption: SensorIdentifierOptions['rules'];
  #identifier: Identifier | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #counts = this.counters('watchdog_records');

  constructor(options: SensorIdentifierOptions = schema.parse({})) {
    super();
    this.#rulesOption = options.rules;
    this.declareEvents('DATALOGD_ERR_RULE_EVAL', 'DATALOGD_ERR_RULES_NOT_LOADED');
  }

  /** Loads the rules (reading the file, compiling expressions), then starts the watchdog. */
  override async start(): Promise<void> {
    if (this.#closed || this.#identifier !== undefined) return;
    const [{ loadRules }, { Identifier }] = await Promise.all([
      import('./rules.js'),
      import('./identifier.js'),
    ]);
    const { rules, problems } = await loadRules(this.#rulesOption);
    if (problems.length > 0) {
      throw new DatalogdError(
        'DATALOGD_ERR_RULES',
        `node "${this.nodeName}": ${problems.join('; ')}`,
        { node: this.nodeName, option: 'rules' },
      );
    }
    // close() may have come while the rules were loading.
    if (this.#isClosed()) return;
    const identifier = new Identifier(rules, (key, message) => {
      this.report('DATALOGD_ERR_RULE_EVAL', message, { key });
    });
    this.#identifier = identifier;
    const interval = identifier.watchdogIntervalSeconds;
    if (interval !== undefined) {
      this.#timer = setInterval(() => {
        this.#watch(identifier);
      }, interval * 1000);
      this.#watch(identifier);
    }
  }

  override receive(data: Data): undefined {
    const identifier = this.#identifier;
    const items = listify(data);
    if (identifier === undefined) {
      this.report(
        'DATALOGD_ERR_RULES_NOT_LOADED',
        'data arrived before the rules were loaded; passed on unchanged',
      );
    } else if (identifier.identify(items, new Date())) {
      this.#sendWatchdog(identifier);
    }
    this.send(items);
    return undefined;
  }

  /** `faults`: the sensors at fault now. */
  protected override gauges(): Record<string, number> {
    return { faults: this.#identifier?.faultCount ?? 0 };
  }

  protected override onClose(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #isClosed(): boolean {
    return this.#closed;
  }

  #watch(identifier: Identifier): void {
    identifier.checkAges(Date.now());
    this.#sendWatchdog(identifier);
  }

  #sendWatchdog(identifier: Identifier): void {
    this.#counts.watchdog_records += 1;
    this.send([identifier.watchdogRecord()]);
  }
}
