import { RECORD_TABLE_VERSION, STORE_TABLES, type RecordRow } from '../../../io/record-table.js';

/** A quoted identifier; the schema option allows only plain names, this is belt and braces. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export interface Tables {
  readonly records: string;
  readonly runs: string;
  readonly schemaVersion: string;
}

export function tablesIn(schema: string): Tables {
  const q = quoteIdentifier(schema);
  return {
    records: `${q}.${STORE_TABLES.records}`,
    runs: `${q}.${STORE_TABLES.runs}`,
    schemaVersion: `${q}.${STORE_TABLES.schemaVersion}`,
  };
}

/**
 * Version 1 of the layout (docs/stores.md), as SQLite has it, with PostgreSQL's types: the
 * time is a `timestamptz` (exact to the microsecond). The unique key `(run_no, seq, time)`
 * is what makes a retried batch land once (`ON CONFLICT DO NOTHING`); `time` is in it
 * because a TimescaleDB hypertable needs its time column in every unique index.
 */
export function createStatements(schema: string): readonly string[] {
  const t = tablesIn(schema);
  return [
    `CREATE TABLE IF NOT EXISTS ${t.schemaVersion} (
      version integer NOT NULL,
      applied timestamptz NOT NULL DEFAULT now(),
      applied_by text NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS ${t.runs} (
      run_no bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      run text NOT NULL,
      started timestamptz NOT NULL,
      host text NOT NULL,
      pid integer NOT NULL,
      start_key uuid NOT NULL UNIQUE)`,
    `CREATE TABLE IF NOT EXISTS ${t.records} (
      time timestamptz NOT NULL,
      run text NOT NULL,
      run_no bigint NOT NULL,
      seq bigint NOT NULL,
      receipt bigint NOT NULL,
      stamped boolean NOT NULL,
      type text,
      id text,
      value double precision,
      units text,
      extra json)`,
    `CREATE UNIQUE INDEX IF NOT EXISTS ${STORE_TABLES.records}_key ON ${t.records} (run_no, seq, time)`,
    `CREATE INDEX IF NOT EXISTS ${STORE_TABLES.records}_time ON ${t.records} (time)`,
  ];
}

/** Whether the schema exists (creating one needs a right that writing to it does not). */
export const SCHEMA_EXISTS = 'SELECT 1 FROM pg_namespace WHERE nspname = $1';

export function createSchemaStatement(schema: string): string {
  return `CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`;
}

export const CURRENT_VERSION = RECORD_TABLE_VERSION;

/** Serialises layout changes of one schema between daemons that start together. */
export function lockStatement(schema: string): string {
  return `SELECT pg_advisory_xact_lock(hashtext('datalogd layout ' || ${literal(schema)}))`;
}

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

export function versionQuery(schema: string): string {
  return `SELECT max(version) AS version FROM ${tablesIn(schema).schemaVersion}`;
}

export function tableExistsQuery(): string {
  return `SELECT to_regclass($1) IS NOT NULL AS present`;
}

export function registerRunStatement(schema: string): string {
  return `INSERT INTO ${tablesIn(schema).runs} (run, started, host, pid, start_key)
    VALUES ($1, timestamptz 'epoch' + $2::bigint * interval '1 microsecond', $3, $4, $5)
    ON CONFLICT (start_key) DO UPDATE SET start_key = EXCLUDED.start_key
    RETURNING run_no`;
}

/**
 * One statement per batch: the columns as arrays, unnested into rows (one round trip, one
 * parse, whatever the batch size), and rows already stored skipped, so that a batch sent
 * again after a lost reply adds nothing.
 */
export function insertStatement(schema: string): string {
  return `INSERT INTO ${tablesIn(schema).records}
    (time, run, run_no, seq, receipt, stamped, type, id, value, units, extra)
    SELECT timestamptz 'epoch' + t * interval '1 microsecond', $1, $2, s, r, st, ty, i, v, u, e::json
    FROM unnest($3::bigint[], $4::bigint[], $5::bigint[], $6::boolean[], $7::text[], $8::text[],
                $9::float8[], $10::text[], $11::text[]) AS x(t, s, r, st, ty, i, v, u, e)
    ON CONFLICT DO NOTHING`;
}

/** The parameters of `insertStatement` for a batch. */
export function insertParameters(
  run: string,
  runNo: string,
  batch: readonly RecordRow[],
): unknown[] {
  const n = batch.length;
  const time = new Array<number>(n);
  const seq = new Array<number>(n);
  const receipt = new Array<number>(n);
  const stamped = new Array<boolean>(n);
  const type = new Array<string | null>(n);
  const id = new Array<string | null>(n);
  const value = new Array<number | null>(n);
  const units = new Array<string | null>(n);
  const extra = new Array<string | null>(n);
  for (let i = 0; i < n; i++) {
    const r = batch[i] as RecordRow;
    time[i] = r.timeUs;
    seq[i] = r.seq;
    receipt[i] = r.receipt;
    stamped[i] = r.stamped;
    type[i] = r.type;
    id[i] = r.id;
    value[i] = r.value;
    units[i] = r.units;
    extra[i] = r.extra;
  }
  return [run, runNo, time, seq, receipt, stamped, type, id, value, units, extra];
}

export const HYPERTABLE_PRESENT = `SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'`;

export function hypertableStatement(schema: string): string {
  return `SELECT create_hypertable(${literal(tablesIn(schema).records)}, 'time', if_not_exists => TRUE, migrate_data => TRUE)`;
}
