/**
 * Python datalogd's column building, shared by the CSV filter and the plot file sink: one
 * column per (record, key) present, in record order then key order, labelled from a
 * `str.format_map`-style template. It lives beside json-text because labels and cells turn
 * data into text the way sinks do (src/python may not import src/io).
 */
import { isRecord } from '../python/records.js';
import { listify } from '../python/values.js';
import { toJsonText } from './json-text.js';

export interface Column {
  readonly key: string;
  /** Position of `key` in the keys list, which picks the label template; -1 for "data". */
  readonly labelIndex: number;
  /** The record the column came from; undefined for an item that is not a record. */
  readonly record: Record<string, unknown> | undefined;
  readonly values: readonly unknown[];
}

/**
 * The columns of one receipt: for each record, a column for each of `keys` it has (its
 * values listified, so an aggregated list gives several rows); an item that is not a record
 * gives one column keyed "data".
 */
export function buildColumns(data: unknown, keys: readonly string[]): Column[] {
  const columns: Column[] = [];
  for (const item of listify(data)) {
    if (isRecord(item)) {
      keys.forEach((key, k) => {
        if (Object.hasOwn(item, key)) {
          columns.push({ key, labelIndex: k, record: item, values: listify(item[key]) });
        }
      });
    } else {
      columns.push({ key: 'data', labelIndex: -1, record: undefined, values: listify(item) });
    }
  }
  return columns;
}

/**
 * A column's label: its key's template filled from the record, "data" for an item that is
 * not a record, the key itself when `labels` is shorter than the keys (Python would raise
 * IndexError). `onMissing` hears of each placeholder the record cannot fill.
 */
export function columnLabel(
  column: Column,
  labels: readonly string[],
  onMissing: (name: string, template: string) => void = () => undefined,
): string {
  if (column.record === undefined) return 'data';
  const template = labels[column.labelIndex];
  if (template === undefined) return column.key;
  return formatTemplate(template, column.record, (name) => {
    onMissing(name, template);
  });
}

/**
 * Python's `str.format_map` for what labels use: `{name}`, `{name:.Nf}` and the `{{`/`}}`
 * escapes. A missing field is left as written (Python would raise) and reported.
 */
export function formatTemplate(
  template: string,
  record: Readonly<Record<string, unknown>>,
  onMissing: (name: string) => void = () => undefined,
): string {
  return template.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (whole, field: string | undefined) => {
    if (field === undefined) return whole.charAt(0);
    const [name = '', spec] = field.split(/[:!]/, 2);
    if (!Object.hasOwn(record, name)) {
      onMissing(name);
      return whole;
    }
    const value = record[name];
    const fixed = spec === undefined ? null : /^\.(\d+)f$/.exec(spec);
    if (fixed != null && typeof value === 'number') return value.toFixed(Number(fixed[1]));
    return cellText(value);
  });
}

/** A value as cell or label text: numbers as JavaScript prints them, dates in ISO 8601. */
export function cellText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  }
  switch (typeof value) {
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'symbol':
      return value.description ?? '';
    default:
      return toJsonText(value);
  }
}
