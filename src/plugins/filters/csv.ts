import { errorMessage } from '../../core/errors.js';
import { oneLine } from '../../core/log.js';
import { DataFilter, type Data } from '../../core/node.js';
import {
  buildColumns,
  cellText,
  columnLabel,
  formatTemplate,
  type Column,
} from '../../io/columns.js';
import { tableRows, type TableLayout } from '../../io/table.js';
import { z } from '../options.js';

/** Python code writes `keys=value` as readily as `keys="['value']"`. */
const stringList = z.union([z.string(), z.array(z.string())]);

const schema = z
  .object({
    keys: stringList
      .default(['timestamp', 'value'])
      .transform(asList)
      .describe('Record fields that become columns, in this order, for every record.'),
    labels: stringList
      .nullable()
      .default(['timestamp', '{type}_{id}'])
      .transform((v) => (v === null ? [] : asList(v)))
      .describe(
        'Column label for each key; {field} is replaced by the record field; [] or null: no header.',
      ),
    header: z
      .union([z.enum(['every', 'once', 'none']), z.null(), z.literal(false)])
      .transform((v) => (v === null || v === false ? 'none' : v))
      .optional()
      .describe(
        "Header line: 'every' on every output, 'once' on the first only, 'none' never. Default: 'every' in the python layout (as Python datalogd), 'once' in the table layout.",
      ),
    layout: z
      .enum(['python', 'table'])
      .default('python')
      .describe(
        "'python': a column per record and key, as Python datalogd (a missing record shifts the columns after it). 'table': one time column (the first key) and one column per entry of `columns`, filled with the second key of the record whose label (the second of `labels`) names it; a missing record gives an empty cell.",
      ),
    columns: stringList
      .default([])
      .transform(asList)
      .describe(
        "layout='table': the column labels, in order, such as \"['analog_a', 'analog_b']\"; records with other labels are left out and counted.",
      ),
  })
  .superRefine((options, ctx) => {
    if (options.layout !== 'table') {
      if (options.columns.length > 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['columns'],
          message: "is only used with layout='table'",
        });
      }
      return;
    }
    if (options.columns.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['columns'],
        message:
          "is needed with layout='table': name the table's columns, such as \"['analog_a']\"",
      });
    }
    if (options.keys.length !== 2) {
      ctx.addIssue({
        code: 'custom',
        path: ['keys'],
        message: "takes two keys with layout='table': the time (row) key and the value key",
      });
    }
    const seen = new Set<string>();
    for (const label of options.columns) {
      if (seen.has(label)) {
        ctx.addIssue({ code: 'custom', path: ['columns'], message: `names "${label}" twice` });
      }
      seen.add(label);
    }
  });

export type CSVOptions = z.output<typeof schema>;

function asList(value: string | readonly string[]): readonly string[] {
  return typeof value === 'string' ? [value] : value;
}

/**
 * Python datalogd's CSV conversion: one column per (record, key) present, rows from the
 * column values (an aggregated list gives several rows), cut to the shortest column.
 */
export class CSVDataFilter extends DataFilter {
  static readonly description =
    "Turns records into CSV text: a column for each of `keys` found in each record, labelled from `labels`, with one row per value (aggregated lists give several rows). With `layout='table'`, a fixed table instead: one time column and the declared `columns`, a row per time, an empty cell for a missing record, the header once. Unlike Python datalogd, cells holding commas, quotes or newlines are quoted (RFC 4180). A receipt that cannot be encoded is counted and skipped.";
  static readonly optionsSchema = schema;

  readonly #keys: readonly string[];
  readonly #labels: readonly string[];
  readonly #header: 'every' | 'once' | 'none';
  /** Bounded by the labels of the configuration: each names finitely many fields. */
  readonly #warnedPlaceholders = new Set<string>();
  readonly #table: TableLayout | undefined;
  #headerPending: boolean;

  constructor(options: CSVOptions = schema.parse({})) {
    super();
    this.declareEvents('DATALOGD_ERR_CSV_LABEL_FIELD', 'DATALOGD_ERR_UNENCODABLE');
    this.#keys = options.keys;
    this.#labels = options.labels;
    const table = options.layout === 'table';
    this.#header = options.header ?? (table ? 'once' : 'every');
    this.#headerPending = this.#header !== 'none' && (table || options.labels.length > 0);
    this.#table = table ? this.#tableLayout(options) : undefined;
    if (table) this.declareEvents('DATALOGD_ERR_CSV_UNDECLARED_COLUMN');
  }

  override receive(data: Data): undefined {
    try {
      if (this.#table === undefined) this.#receivePython(data);
      else this.#receiveTable(data, this.#table);
    } catch (err) {
      // A cell holding data too deep to encode: the receipt is skipped, not half-written.
      this.report('DATALOGD_ERR_UNENCODABLE', `skipped a receipt: ${errorMessage(err)}`);
    }
    return undefined;
  }

  #receivePython(data: Data): void {
    const columns = buildColumns(data, this.#keys);
    if (columns.length === 0) return undefined;

    const lines: string[] = [];
    if (this.#headerPending) {
      lines.push(columns.map((c) => csvQuote(this.#label(c))).join(','));
      if (this.#header === 'once') this.#headerPending = false;
    }
    let rows = Infinity;
    for (const c of columns) rows = Math.min(rows, c.values.length);
    for (let i = 0; i < rows; i++) {
      lines.push(columns.map((c) => csvQuote(cellText(c.values[i]))).join(','));
    }
    if (lines.length > 0) this.send(lines.join('\n'));
  }

  #tableLayout(options: CSVOptions): TableLayout {
    const [rowKey = 'timestamp', valueKey = 'value'] = options.keys;
    const template = options.labels[1] ?? '{type}_{id}';
    const onMissing = this.#missingField(template);
    return {
      rowKey,
      valueKey,
      columns: options.columns,
      columnOf: (record) => formatTemplate(template, record, onMissing),
      cellText,
    };
  }

  /** `layout='table'`: the declared columns, a row per time, empty cells where none came. */
  #receiveTable(data: Data, layout: TableLayout): void {
    const { rows, undeclared } = tableRows(data, layout);
    if (undeclared.length > 0) {
      // The label comes from the data: shown short and on one line, never as a rate key.
      const label = oneLine((undeclared[0] as string).slice(0, 80));
      this.report(
        'DATALOGD_ERR_CSV_UNDECLARED_COLUMN',
        `left out ${undeclared.length === 1 ? 'a value' : `${undeclared.length} values`} whose column "${label}"${undeclared.length > 1 ? ' (and others)' : ''} is not in columns`,
        { count: undeclared.length },
      );
    }
    if (rows.length === 0) return;
    const lines: string[] = [];
    if (this.#headerPending) {
      const timeLabel = this.#labels[0] ?? layout.rowKey;
      lines.push([timeLabel, ...layout.columns].map(csvQuote).join(','));
      if (this.#header === 'once') this.#headerPending = false;
    }
    for (const row of rows) lines.push(row.map(csvQuote).join(','));
    this.send(lines.join('\n'));
  }

  #label(column: Column): string {
    return columnLabel(column, this.#labels, (name, template) => {
      this.#missingField(template)(name);
    });
  }

  #missingField(template: string): (name: string) => void {
    return (name) => {
      // A fault of the configuration more than of the data: reported once per placeholder,
      // not on every header line, so `missing_label_fields` counts the placeholders.
      const warnKey = `${template}\u0000${name}`;
      if (this.#warnedPlaceholders.has(warnKey)) return;
      this.#warnedPlaceholders.add(warnKey);
      this.report(
        'DATALOGD_ERR_CSV_LABEL_FIELD',
        `label "${template}": a record has no field "${name}", so {${name}} is left as it is`,
      );
    };
  }
}

/** RFC 4180: a cell with a comma, quote or line break is quoted, its quotes doubled. */
export function csvQuote(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
