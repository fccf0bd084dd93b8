import type { z } from 'zod';
import { DatalogdError } from './errors.js';
import type { OptionsSchema } from './node.js';

export interface OptionsResult {
  readonly options: Record<string, unknown>;
  readonly problems: readonly DatalogdError[];
}

/**
 * Checks a node's decoded attributes against its class's schema. Every problem is
 * returned (not just the first) with the node and option named and the valid choices.
 */
export function validateOptions(
  nodeName: string,
  className: string,
  schema: OptionsSchema,
  attributes: Record<string, unknown>,
): OptionsResult {
  const result = schema.strict().safeParse(attributes);
  if (result.success) return { options: result.data, problems: [] };
  const valid = Object.keys(schema.shape);
  const problems = result.error.issues.flatMap((issue) =>
    describeIssue(nodeName, className, valid, issue, attributes),
  );
  return { options: {}, problems };
}

function describeIssue(
  nodeName: string,
  className: string,
  valid: readonly string[],
  issue: z.core.$ZodIssue,
  attributes: Record<string, unknown>,
): DatalogdError[] {
  if (issue.code === 'unrecognized_keys') {
    const list = valid.length > 0 ? valid.join(', ') : '(none)';
    return issue.keys.map(
      (key) =>
        new DatalogdError(
          'DATALOGD_ERR_UNKNOWN_OPTION',
          `node "${nodeName}": ${className} has no option "${key}"${suggestion(key, valid)}; valid options: ${list}`,
          { node: nodeName, option: key },
        ),
    );
  }
  const option = issue.path.map(String).join('.');
  const top = issue.path[0];
  const given = top === undefined ? attributes : attributes[String(top)];
  // zod says "expected number, received NaN"; the problem is that NaN is not a number one
  // can use, so say that.
  const at = valueAt(attributes, issue.path);
  const message =
    issue.code === 'invalid_type' && typeof at === 'number' && !Number.isFinite(at)
      ? `must be a finite number, not ${String(at)}`
      : lowerFirst(issue.message);
  return [
    new DatalogdError(
      'DATALOGD_ERR_OPTION_TYPE',
      `node "${nodeName}": option "${option}" of ${className} ${message} (given ${describeValue(given)})`,
      { node: nodeName, option },
    ),
  ];
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

const SHOWN_DEPTH = 8;
const SHOWN_LENGTH = 200;

/**
 * A value as a message shows it: like JSON, but NaN, Infinity, long integers and symbols
 * appear as themselves (JSON would print null, or throw), and a deep or long value is cut.
 */
export function describeValue(value: unknown): string {
  const text = shown(value, 0);
  return text.length <= SHOWN_LENGTH ? text : `${text.slice(0, SHOWN_LENGTH)}…`;
}

function shown(value: unknown, depth: number): string {
  if (value === undefined || value === null) return String(value);
  switch (typeof value) {
    case 'number':
    case 'bigint':
    case 'symbol':
    case 'boolean':
      return String(value);
    case 'string':
      return JSON.stringify(value);
    case 'function':
      return '[function]';
    default:
      break;
  }
  if (depth >= SHOWN_DEPTH) return '…';
  if (Array.isArray(value)) return `[${value.map((item) => shown(item, depth + 1)).join(',')}]`;
  if (value instanceof Date)
    return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  const entries = Object.entries(value as Record<string, unknown>);
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${shown(item, depth + 1)}`).join(',')}}`;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function suggestion(name: string, candidates: readonly string[]): string {
  const best = closest(name, candidates);
  return best === undefined ? '' : ` (did you mean "${best}"?)`;
}

/** The candidate nearest to `name` by edit distance, if it is near enough to be a typo. */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = name.toLowerCase();
  for (const candidate of candidates) {
    const d = editDistance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  const limit = Math.max(2, Math.floor(name.length / 3));
  return bestDistance <= limit ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return row[b.length] as number;
}
