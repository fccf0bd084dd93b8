import { isRecord } from '../python/records.js';
import { listify } from '../python/values.js';

/**
 * A table with a fixed, declared set of columns, built from the records of a receipt: one
 * time column, then one cell per declared column. Each record's value goes to the column
 * its label names and to the row of its time (an aggregated record, whose time and value
 * are lists, fills several rows). A column with no record gives an empty cell, so a sensor
 * that drops out leaves a gap instead of shifting the values after it under the wrong
 * headers, as Python datalogd's one-column-per-record layout does.
 */
export interface TableLayout {
  /** The record field that picks the row (normally "timestamp"). */
  readonly rowKey: string;
  /** The record field that fills the cell (normally "value"). */
  readonly valueKey: string;
  /** The declared column labels, in order. */
  readonly columns: readonly string[];
  /** A record's column label (its label template filled in). */
  readonly columnOf: (record: Readonly<Record<string, unknown>>) => string;
  /** A value as cell text. */
  readonly cellText: (value: unknown) => string;
}

export interface TableRows {
  /** Each row: the time cell, then one cell per declared column ('' where none). */
  readonly rows: string[][];
  /** The labels of values left out because their column is not declared, one per value. */
  readonly undeclared: string[];
}

/** The label of an item that is not a record, as in the Python layout. */
export const NOT_A_RECORD_LABEL = 'data';

/**
 * The rows of one receipt, in the order their times first appear. Two values for the same
 * column and time (a duplicate reading) give two rows with that time, so none is lost.
 */
export function tableRows(data: unknown, layout: TableLayout): TableRows {
  const columnIndex = new Map(layout.columns.map((label, i) => [label, i]));
  const rows: (string | undefined)[][] = [];
  const rowsOfTime = new Map<string, number[]>();
  const undeclared: string[] = [];

  const place = (time: string, column: number, cell: string): void => {
    let candidates = rowsOfTime.get(time);
    if (candidates === undefined) {
      candidates = [];
      rowsOfTime.set(time, candidates);
    }
    for (const r of candidates) {
      const row = rows[r] as (string | undefined)[];
      if (row[column + 1] === undefined) {
        row[column + 1] = cell;
        return;
      }
    }
    const row: (string | undefined)[] = new Array<string | undefined>(layout.columns.length + 1);
    row[0] = time;
    row[column + 1] = cell;
    candidates.push(rows.length);
    rows.push(row);
  };

  for (const item of listify(data)) {
    const record = isRecord(item) ? item : undefined;
    const label = record === undefined ? NOT_A_RECORD_LABEL : layout.columnOf(record);
    if (record !== undefined && !Object.hasOwn(record, layout.valueKey)) continue;
    const values = listify(record === undefined ? item : record[layout.valueKey]);
    const column = columnIndex.get(label);
    if (column === undefined) {
      for (let i = 0; i < values.length; i++) undeclared.push(label);
      continue;
    }
    const timed = record !== undefined && Object.hasOwn(record, layout.rowKey);
    const times = timed ? listify(record[layout.rowKey]) : [];
    // As in the Python layout, a time list and a value list of different lengths are cut
    // to the shorter one.
    const count = timed ? Math.min(times.length, values.length) : values.length;
    for (let i = 0; i < count; i++) {
      place(timed ? layout.cellText(times[i]) : '', column, layout.cellText(values[i]));
    }
  }
  return { rows: rows.map((row) => Array.from(row, (cell) => cell ?? '')), undeclared };
}
