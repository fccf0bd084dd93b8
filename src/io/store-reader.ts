import Database from 'better-sqlite3';
import { RECORD_TABLE_VERSION, STORE_TABLES, type StoredRow } from './record-table.js';

const { records, runs, schemaVersion } = STORE_TABLES;

/**
 * Reading the stores SQLiteDataSink writes: the replay source reads them in written order,
 * the live plot reads them newest first for its history.
 */

/** A stored row with its place in the store (for paging) and its receipt. */
export interface ReplayRow extends StoredRow {
  readonly run_no: number;
  readonly seq: number;
  readonly receipt: number;
}

/** Where the next page starts: after this row. */
export interface Cursor {
  readonly runNo: number;
  readonly seq: number;
}

export interface RowFilter {
  /** Run numbers to read; undefined: every run. */
  readonly runNos: readonly number[] | undefined;
  readonly fromUs: number | undefined;
  readonly beforeUs: number | undefined;
}

/**
 * Reads a store that SQLiteDataSink writes, read-only, a page at a time in the order the
 * records were written (run by run, record by record). Each page is its own short read, so
 * a datalogd writing the file meanwhile is never held up, and rows it adds later in the
 * range are read too.
 */
export class StoreReader {
  readonly #db: Database.Database;
  #page: Database.Statement<unknown[], ReplayRow> | undefined;
  #pageFilter: RowFilter | undefined;
  #newest: { runs: string; statement: Database.Statement<unknown[], ReplayRow> } | undefined;

  private constructor(db: Database.Database) {
    this.#db = db;
  }

  /** Opens `filename` read-only and checks that it is a store this version can read. */
  static open(filename: string): StoreReader {
    const db = new Database(filename, { readonly: true, fileMustExist: true, timeout: 100 });
    try {
      const table = db
        .prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?")
        .get(schemaVersion);
      if (table === undefined) {
        throw new Error(`it has no ${schemaVersion} table: not a store SQLiteDataSink wrote`);
      }
      const row = db.prepare(`SELECT max(version) AS version FROM ${schemaVersion}`).get() as {
        version: number | null;
      };
      const version = row.version ?? 0;
      if (version > RECORD_TABLE_VERSION) {
        throw new Error(
          `its layout version is ${version}, newer than this datalogd reads (${RECORD_TABLE_VERSION})`,
        );
      }
      return new StoreReader(db);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /** The run numbers of a run label, or of the latest run for 'last'. */
  runNumbers(run: string): number[] {
    if (run === 'last') {
      const row = this.#db.prepare(`SELECT max(run_no) AS run_no FROM ${runs}`).get() as {
        run_no: number | null;
      };
      return row.run_no === null ? [] : [row.run_no];
    }
    const rows = this.#db
      .prepare(`SELECT run_no FROM ${runs} WHERE run = ? ORDER BY run_no`)
      .all(run) as { run_no: number }[];
    return rows.map((r) => r.run_no);
  }

  /** Up to `limit` rows after `after`, in written order. */
  page(after: Cursor, limit: number, filter: RowFilter): ReplayRow[] {
    if (this.#page === undefined || this.#pageFilter !== filter) {
      this.#page = this.#db.prepare<unknown[], ReplayRow>(pageQuery(filter));
      this.#pageFilter = filter;
    }
    const params: unknown[] = [after.runNo, after.seq];
    if (filter.fromUs !== undefined) params.push(filter.fromUs);
    if (filter.beforeUs !== undefined) params.push(filter.beforeUs);
    params.push(limit);
    return this.#page.all(...params);
  }

  /**
   * Up to `limit` rows at or after `fromUs` (and in `runNos`, when given) that are older than
   * `before` (a time and a place, so that rows of the same microsecond are not read twice),
   * newest first. The time index serves it.
   */
  newestFirst(
    before: { timeUs: number; runNo: number; seq: number },
    limit: number,
    filter: { fromUs: number; runNos: readonly number[] | undefined },
  ): ReplayRow[] {
    const runs =
      filter.runNos === undefined
        ? ''
        : // Integers read from the store itself: safe to write into the statement.
          ` AND run_no IN (${filter.runNos.map((n) => String(Math.trunc(n))).join(', ')})`;
    // Prepared once per run list: a history read asks page after page with the same one.
    if (this.#newest?.runs !== runs) {
      const statement = this.#db.prepare<unknown[], ReplayRow>(
        `SELECT run_no, seq, receipt, time_us, stamped, type, id, value, units, extra
          FROM ${records}
          WHERE time_us >= ? AND (time_us, run_no, seq) < (?, ?, ?)${runs}
          ORDER BY time_us DESC, run_no DESC, seq DESC LIMIT ?`,
      );
      this.#newest = { runs, statement };
    }
    return this.#newest.statement.all(
      filter.fromUs,
      before.timeUs,
      before.runNo,
      before.seq,
      limit,
    );
  }

  close(): void {
    this.#db.close();
  }
}

function pageQuery(filter: RowFilter): string {
  const where = ['(run_no, seq) > (?, ?)'];
  if (filter.runNos !== undefined) {
    // Integers read from the store itself: safe to write into the statement.
    where.push(`run_no IN (${filter.runNos.map((n) => String(Math.trunc(n))).join(', ')})`);
  }
  if (filter.fromUs !== undefined) where.push('time_us >= ?');
  if (filter.beforeUs !== undefined) where.push('time_us < ?');
  return `SELECT run_no, seq, receipt, time_us, stamped, type, id, value, units, extra
    FROM ${records} WHERE ${where.join(' AND ')} ORDER BY run_no, seq LIMIT ?`;
}
