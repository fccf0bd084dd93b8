import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { truthy } from '../../../python/records.js';
import { errorMessage } from '../../../core/errors.js';
import { parsePythonJson } from '../../../python/json.js';
import { KeyValSelector } from '../../../python/selector.js';
import { MAX_TIMER_SECONDS } from '../../options.js';
import type { CompiledExpression } from './expressions.js';

/** A rule ready to apply: its selector compiled, its expressions compiled. */
export interface Rule {
  /** Position in the rules list, from 0, as Python datalogd numbers them in its warnings. */
  readonly index: number;
  /** `update.sensor_identifier` as text: the key of the fault table. */
  readonly identifier: string;
  readonly selector: KeyValSelector;
  /** Fields merged into each matching record. */
  readonly update: Readonly<Record<string, unknown>>;
  /** `critical.range` and `critical.interval` as written, copied into matching records. */
  readonly critical: Readonly<Record<string, unknown>> | undefined;
  /** `update.range` when `critical.range` is true: a reading outside it is a fault. */
  readonly criticalRange: readonly [unknown, unknown] | undefined;
  /** `update.interval` in seconds when `critical.interval` is true: the watchdog checks it. */
  readonly watchInterval: number | undefined;
  readonly evals: readonly { readonly field: string; readonly expression: CompiledExpression }[];
}

export interface LoadedRules {
  readonly rules: readonly Rule[];
  /** Every problem found, each naming its rule; the rules are usable only when this is empty. */
  readonly problems: readonly string[];
}

const ruleSchema = z.looseObject({
  selector: z.array(z.tuple([z.string(), z.unknown()])),
  update: z.looseObject({
    sensor_identifier: z.union([z.string(), z.number()]),
  }),
  critical: z.record(z.string(), z.unknown()).optional(),
  eval: z.record(z.string(), z.string()).optional(),
});

type RuleSpec = z.output<typeof ruleSchema>;

/**
 * Reads, checks and compiles the `rules` option: a path ending in `.json` (relative to the
 * working directory), a JSON text, or the list itself. mathjs is loaded only when some rule
 * has an `eval`.
 */
export async function loadRules(
  option: string | readonly unknown[],
  cwd: string = process.cwd(),
): Promise<LoadedRules> {
  const source = await readRuleSource(option, cwd);
  if ('problem' in source) return { rules: [], problems: [source.problem] };
  const problems: string[] = [];
  const specs: { index: number; spec: RuleSpec }[] = [];
  source.list.forEach((raw, index) => {
    const checked = checkRule(raw, index);
    problems.push(...checked.problems);
    if (checked.spec !== undefined) specs.push({ index, spec: checked.spec });
  });
  const compile = specs.some(({ spec }) => spec.eval !== undefined)
    ? (await import('./expressions.js')).compileExpression
    : undefined;
  const rules: Rule[] = [];
  for (const { index, spec } of specs) {
    const evals = compile === undefined ? [] : compileEvals(index, spec, compile, problems);
    rules.push(toRule(index, spec, evals));
  }
  return problems.length > 0 ? { rules: [], problems } : { rules, problems };
}

function compileEvals(
  index: number,
  spec: RuleSpec,
  compile: (source: string) => CompiledExpression,
  problems: string[],
): Rule['evals'] {
  const evals: { field: string; expression: CompiledExpression }[] = [];
  for (const [field, text] of Object.entries(spec.eval ?? {})) {
    try {
      evals.push({ field, expression: compile(text) });
    } catch (err) {
      problems.push(
        `${ruleName(index, spec)}: eval "${field}": expression ${JSON.stringify(text)} does not compile: ${errorMessage(err)}`,
      );
    }
  }
  return evals;
}

type RuleSource = { readonly list: readonly unknown[] } | { readonly problem: string };

async function readRuleSource(
  option: string | readonly unknown[],
  cwd: string,
): Promise<RuleSource> {
  if (typeof option !== 'string') return { list: option };
  let text = option;
  let origin = 'the rules text';
  if (option.toLowerCase().endsWith('.json')) {
    const file = path.resolve(cwd, option);
    origin = `rules file ${file}`;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      return { problem: `cannot read ${origin}: ${errorMessage(err)}` };
    }
  }
  let parsed: unknown;
  try {
    parsed = parsePythonJson(text);
  } catch (err) {
    const hint = origin === 'the rules text' ? ' (a rules file name must end in .json)' : '';
    return { problem: `${origin} is not valid JSON${hint}: ${errorMessage(err)}` };
  }
  if (!Array.isArray(parsed)) return { problem: `${origin} must hold a list of rules` };
  return { list: parsed };
}

function checkRule(raw: unknown, index: number): { spec?: RuleSpec; problems: string[] } {
  const result = ruleSchema.safeParse(raw);
  if (!result.success) {
    const name = ruleName(index, raw);
    return {
      problems: result.error.issues.map((issue) => {
        const where = issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
        return `${name}: ${where}${issue.message}`;
      }),
    };
  }
  const spec = result.data;
  const problems: string[] = [];
  const name = ruleName(index, spec);
  if (truthy(spec.critical?.['range'])) {
    const range = spec.update['range'];
    if (!Array.isArray(range) || range.length !== 2) {
      problems.push(`${name}: critical.range is true, so update.range must be [low, high]`);
    }
  }
  if (truthy(spec.critical?.['interval'])) {
    const interval = spec.update['interval'];
    // The watchdog's timer runs at the shortest interval; beyond what a timer holds it
    // would fire every millisecond.
    if (typeof interval !== 'number' || !(interval > 0) || !(interval <= MAX_TIMER_SECONDS)) {
      problems.push(
        `${name}: critical.interval is true, so update.interval must be a number of seconds above 0 and at most ${MAX_TIMER_SECONDS}`,
      );
    }
  }
  return problems.length > 0 ? { problems } : { spec, problems };
}

function toRule(index: number, spec: RuleSpec, evals: Rule['evals']): Rule {
  const critical = spec.critical;
  const range = spec.update['range'];
  const interval = spec.update['interval'];
  return {
    index,
    identifier: String(spec.update.sensor_identifier),
    selector: new KeyValSelector(spec.selector),
    update: spec.update,
    critical,
    criticalRange:
      truthy(critical?.['range']) && Array.isArray(range)
        ? [range[0] as unknown, range[1] as unknown]
        : undefined,
    watchInterval:
      truthy(critical?.['interval']) && typeof interval === 'number' ? interval : undefined,
    evals,
  };
}

/** `rule 3 ("TC_1")`: the index Python datalogd uses, and the identifier when there is one. */
function ruleName(index: number, raw: unknown): string {
  const update = (raw as { update?: { sensor_identifier?: unknown } } | null)?.update;
  const id = update?.sensor_identifier;
  return typeof id === 'string' || typeof id === 'number'
    ? `rule ${index} (sensor_identifier ${JSON.stringify(id)})`
    : `rule ${index}`;
}
