/**
 * From one receipt to what is drawn: columns built as the CSV filter builds them, paired
 * (x = column 2i, y = column 2i+1) within each record, each pair one line named by its y
 * column's label. Everything that cannot be drawn is counted by reason, never thrown.
 */
import { buildColumns, columnLabel, type Column } from '../../../io/columns.js';

/** Times are drawn on a date axis, numbers on a plain one; one plot has one kind of x. */
export type XKind = 'time' | 'number';

export interface PlotSeries {
  readonly label: string;
  /** Milliseconds since the epoch on a time axis, else the numbers themselves. */
  readonly x: Float64Array;
  readonly y: Float64Array;
}

/** A plot as the renderer gets it: plain data that a worker thread can be sent. */
export interface PlotData {
  readonly xKind: XKind;
  readonly xTitle: string;
  /** The records' `units`, when every line has the same. */
  readonly yTitle: string | null;
  readonly series: readonly PlotSeries[];
}

/** Why a record gave no line. */
export type RecordSkip = 'not-a-record' | 'missing-key' | 'no-points' | 'too-many-lines';
/** Why a point was left out of its line. */
export type ValueSkip = 'y-not-a-number' | 'x-unreadable' | 'x-other-kind' | 'unpaired' | 'cap';

export interface PlotBuild {
  /** Undefined when nothing in the receipt can be drawn (the file then keeps its plot). */
  readonly plot: PlotData | undefined;
  readonly skippedRecords: ReadonlyMap<RecordSkip, number>;
  readonly skippedValues: ReadonlyMap<ValueSkip, number>;
}

/**
 * A line keeps its latest points up to this many (14 hours of one-second readings); with the
 * line cap it bounds one receipt's points to 1.6 million, 26 MB (drawing thins them).
 */
export const MAX_POINTS_PER_LINE = 50_000;
/** Lines beyond this many are not drawn (a legend of more is unreadable anyway). */
export const MAX_LINES = 32;

export function buildPlot(
  data: unknown,
  keys: readonly string[],
  labels: readonly string[],
): PlotBuild {
  const skippedRecords = new Map<RecordSkip, number>();
  const skippedValues = new Map<ValueSkip, number>();
  const skipRecord = (why: RecordSkip): void => {
    skippedRecords.set(why, (skippedRecords.get(why) ?? 0) + 1);
  };
  const skipValues = (why: ValueSkip, n: number): void => {
    if (n > 0) skippedValues.set(why, (skippedValues.get(why) ?? 0) + n);
  };

  const series: PlotSeries[] = [];
  const xTitles = new Set<string>();
  const units = new Set<unknown>();
  const usedLabels = new Map<string, number>();
  let xKind: XKind | undefined;
  for (const group of byRecord(buildColumns(data, keys))) {
    const record = group[0]?.record;
    if (record === undefined) {
      skipRecord('not-a-record');
      continue;
    }
    // A record without every key would shift the pairing of all columns after it.
    if (group.length !== keys.length) {
      skipRecord('missing-key');
      continue;
    }
    if (series.length >= MAX_LINES) {
      skipRecord('too-many-lines');
      continue;
    }
    let drawn = false;
    for (let i = 0; i + 1 < group.length; i += 2) {
      const xColumn = group[i] as Column;
      const yColumn = group[i + 1] as Column;
      xKind ??= firstKind(xColumn.values);
      if (xKind === undefined) continue;
      const line = pairPoints(xColumn.values, yColumn.values, xKind, skipValues);
      if (line === undefined) continue;
      series.push({ label: uniqueLabel(columnLabel(yColumn, labels), usedLabels), ...line });
      xTitles.add(columnLabel(xColumn, labels));
      units.add(record.units);
      drawn = true;
    }
    if (!drawn) skipRecord('no-points');
  }

  const [onlyUnits] = units;
  const plot: PlotData | undefined =
    series.length === 0 || xKind === undefined
      ? undefined
      : {
          xKind,
          xTitle: [...xTitles].join(', '),
          yTitle: units.size === 1 && typeof onlyUnits === 'string' ? onlyUnits : null,
          series,
        };
  return { plot, skippedRecords, skippedValues };
}

/**
 * Columns come out record by record, a record's columns next to each other in key order;
 * a key index that does not grow starts the next record (the same object listed twice).
 */
function* byRecord(columns: readonly Column[]): Generator<Column[]> {
  let group: Column[] = [];
  for (const column of columns) {
    const last = group.at(-1);
    if (
      last !== undefined &&
      (column.record === undefined ||
        last.record !== column.record ||
        column.labelIndex <= last.labelIndex)
    ) {
      yield group;
      group = [];
    }
    group.push(column);
  }
  if (group.length > 0) yield group;
}

function pairPoints(
  xs: readonly unknown[],
  ys: readonly unknown[],
  kind: XKind,
  skip: (why: ValueSkip, n: number) => void,
): { x: Float64Array; y: Float64Array } | undefined {
  const rows = Math.min(xs.length, ys.length);
  skip('unpaired', Math.max(xs.length, ys.length) - rows);
  const first = Math.max(0, rows - MAX_POINTS_PER_LINE);
  skip('cap', first);
  const x = new Float64Array(rows - first);
  const y = new Float64Array(rows - first);
  let n = 0;
  for (let i = first; i < rows; i++) {
    const yValue = toNumber(ys[i]);
    if (yValue === undefined) {
      skip('y-not-a-number', 1);
      continue;
    }
    const read = readX(xs[i]);
    if (read === undefined) {
      skip('x-unreadable', 1);
      continue;
    }
    if (read.kind !== kind) {
      skip('x-other-kind', 1);
      continue;
    }
    x[n] = read.value;
    y[n] = yValue;
    n += 1;
  }
  return n === 0 ? undefined : { x: x.slice(0, n), y: y.slice(0, n) };
}

function firstKind(values: readonly unknown[]): XKind | undefined {
  for (const value of values) {
    const read = readX(value);
    if (read !== undefined) return read.kind;
  }
  return undefined;
}

/** An ISO 8601 date, with or without time; other text is not read as a date. */
const ISO_DATE = /^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?)?$/;

function readX(value: unknown): { kind: XKind; value: number } | undefined {
  if (value instanceof Date) {
    const ms = value.getTime();
    return Number.isFinite(ms) ? { kind: 'time', value: ms } : undefined;
  }
  if (typeof value === 'string') {
    if (!ISO_DATE.test(value)) return undefined;
    const ms = Date.parse(value);
    return Number.isFinite(ms) ? { kind: 'time', value: ms } : undefined;
  }
  const number = toNumber(value);
  return number === undefined ? undefined : { kind: 'number', value: number };
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'bigint') return Number(value);
  return undefined;
}

/** Two lines may not share a legend entry: the second of a name becomes "name (2)". */
function uniqueLabel(label: string, used: Map<string, number>): string {
  const seen = (used.get(label) ?? 0) + 1;
  used.set(label, seen);
  return seen === 1 ? label : `${label} (${seen})`;
}
