import type Database from 'better-sqlite3';
import { RECORD_TABLE_VERSION, STORE_TABLES } from '../../../io/record-table.js';
import type { RunInfo } from '../../../io/record-store-sink.js';
import { WriteFailure } from '../../../io/batch-writer.js';

const { records, runs, schemaVersion } = STORE_TABLES;

/**
 * ISO 8601 text of `time_us` to the microsecond, UTC, computed when read (a virtual column
 * costs nothing to write). Floor division, so that times before 1970 print right too.
 */
const ISO_TIME =
  "strftime('%Y-%m-%dT%H:%M:%S', (time_us - ((time_us % 1000000) + 1000000) % 1000000) / 1000000, 'unixepoch')" +
  " || '.' || substr('000000' || (((time_us % 1000000) + 1000000) % 1000000), -6) || 'Z'";

/** Version 1 of the layout (docs/stores.md); later versions add migrations after it. */
const CREATE_V1 = `
CREATE TABLE IF NOT EXISTS ${schemaVersion} (
  version INTEGER NOT NULL,
  applied_us INTEGER NOT NULL,
  applied_by TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ${runs} (
  run_no INTEGER PRIMARY KEY,
  run TEXT NOT NULL,
  started_us INTEGER NOT NULL,
  host TEXT NOT NULL,
  pid INTEGER NOT NULL,
  start_key TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS ${records} (
  time_us INTEGER NOT NULL,
  run TEXT NOT NULL,
  run_no INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  receipt INTEGER NOT NULL,
  stamped INTEGER NOT NULL,
  type TEXT,
  id TEXT,
  value REAL,
  units TEXT,
  extra TEXT,
  time TEXT GENERATED ALWAYS AS (${ISO_TIME}) VIRTUAL,
  PRIMARY KEY (run_no, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ${records}_time ON ${records} (time_us);
`;

/**
 * Brings a database to the current layout: creates it in an empty file, leaves a current
 * one as it is, and refuses one written by a newer datalogd (it would not know its rows).
 * Runs in one write transaction, so that two daemons opening a new file do not race.
 */
export function migrate(db: Database.Database, writer: string): void {
  db.transaction(() => {
    const found = currentVersion(db);
    if (found > RECORD_TABLE_VERSION) {
      throw new WriteFailure(
        `the database has layout version ${found}, written by a newer datalogd; this one knows version ${RECORD_TABLE_VERSION} and leaves it alone`,
        { kind: 'unavailable', needsPrepare: true },
      );
    }
    if (found === RECORD_TABLE_VERSION) return;
    db.exec(CREATE_V1);
    db.prepare(
      `INSERT INTO ${schemaVersion} (version, applied_us, applied_by) VALUES (?, ?, ?)`,
    ).run(RECORD_TABLE_VERSION, Date.now() * 1000, writer);
  }).immediate();
}

function currentVersion(db: Database.Database): number {
  const table = db
    .prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?")
    .get(schemaVersion);
  if (table === undefined) return 0;
  const row = db.prepare(`SELECT max(version) AS version FROM ${schemaVersion}`).get() as
    { version: number | null } | undefined;
  return row?.version ?? 0;
}

/**
 * This start's row in `runs`, made on the first call and found again on later ones (after
 * a reopen); returns its `run_no`.
 */
export function registerRun(db: Database.Database, run: RunInfo): number {
  db.prepare(
    `INSERT INTO ${runs} (run, started_us, host, pid, start_key) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (start_key) DO NOTHING`,
  ).run(run.run, run.startedUs, run.host, run.pid, run.startKey);
  const row = db.prepare(`SELECT run_no FROM ${runs} WHERE start_key = ?`).get(run.startKey) as
    { run_no: number } | undefined;
  if (row === undefined) throw new Error('the run row was not written');
  return row.run_no;
}

/** The insert of one row; the columns in the order `insertRow` binds them. */
export const INSERT_ROW = `INSERT INTO ${records}
  (time_us, run, run_no, seq, receipt, stamped, type, id, value, units, extra)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** Deletes at most `limit` rows older than `cutoffUs`; returns how many it deleted. */
export const DELETE_OLDER = `DELETE FROM ${records} WHERE (run_no, seq) IN
  (SELECT run_no, seq FROM ${records} WHERE time_us < ? LIMIT ?)`;
