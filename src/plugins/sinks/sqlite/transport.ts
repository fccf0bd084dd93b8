import { statSync } from 'node:fs';
import nodePath from 'node:path';
import Database from 'better-sqlite3';
import { errorMessage } from '../../../core/errors.js';
import { WriteFailure, type BatchTransport } from '../../../io/batch-writer.js';
import type { RecordRow } from '../../../io/record-table.js';
import type { RunInfo } from '../../../io/record-store-sink.js';
import { DELETE_OLDER, INSERT_ROW, migrate, registerRun } from './schema.js';

export interface SQLiteTransportOptions {
  readonly filename: string;
  readonly run: RunInfo;
  readonly busyTimeoutMs: number;
  readonly synchronous: 'off' | 'normal' | 'full';
}

interface Open {
  readonly db: Database.Database;
  readonly insert: (rows: readonly RecordRow[]) => void;
  readonly deleteOlder: Database.Statement;
  readonly runNo: number;
  /** The file opened, to notice that it was removed or replaced under the open handle. */
  readonly dev: number;
  readonly ino: number;
}

/**
 * Writes batches of rows into a SQLite file, one transaction per batch. The database is
 * opened in `prepare` (and again after any failure that may have left the connection
 * unusable), in WAL mode, so that other programs read it while it is written.
 *
 * Every failure leaves the batch with the writer, which keeps and retries it:
 * a lock held by another connection (SQLITE_BUSY after `busy_timeout`), a full disk
 * (SQLITE_FULL), and a file or directory removed or replaced (noticed before each batch,
 * since SQLite itself would go on writing to the removed file). Writing is synchronous, as
 * better-sqlite3 is: a batch of a thousand rows takes a few milliseconds.
 */
export class SQLiteTransport implements BatchTransport<RecordRow> {
  readonly target: string;
  readonly #options: SQLiteTransportOptions;
  #open: Open | undefined;

  constructor(options: SQLiteTransportOptions) {
    this.#options = options;
    this.target = nodePath.resolve(options.filename);
  }

  prepare(): Promise<void> {
    try {
      this.#close();
      this.#open = this.#openDatabase();
      return Promise.resolve();
    } catch (err) {
      this.#close();
      return Promise.reject(this.#failure(err, 'open'));
    }
  }

  write(batch: readonly RecordRow[]): Promise<void> {
    try {
      const open = this.#checked();
      open.insert(batch);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(this.#failure(err, 'write'));
    }
  }

  /**
   * Deletes up to `limit` rows older than `cutoffUs`; returns how many, or undefined when
   * the database is not open (the writer is retrying). Throws SQLite's error.
   */
  deleteOlder(cutoffUs: number, limit: number): number | undefined {
    const open = this.#open;
    if (open === undefined) return undefined;
    return open.deleteOlder.run(cutoffUs, limit).changes;
  }

  close(): void {
    this.#close();
  }

  #openDatabase(): Open {
    const { filename, busyTimeoutMs, synchronous, run } = this.#options;
    const db = new Database(filename, { timeout: busyTimeoutMs });
    try {
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${synchronous.toUpperCase()}`);
      migrate(db, `datalogd pid ${process.pid}`);
      const runNo = registerRun(db, run);
      const statement = db.prepare(INSERT_ROW);
      const label = run.run;
      const insert = db.transaction((rows: readonly RecordRow[]) => {
        for (const r of rows) {
          statement.run(
            r.timeUs,
            label,
            runNo,
            r.seq,
            r.receipt,
            r.stamped ? 1 : 0,
            r.type,
            r.id,
            r.value,
            r.units,
            r.extra,
          );
        }
      });
      const { dev, ino } = statSync(filename);
      return { db, insert, deleteOlder: db.prepare(DELETE_OLDER), runNo, dev, ino };
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /** The open database, if its file is still the one at the path. */
  #checked(): Open {
    const open = this.#open;
    if (open === undefined) {
      throw new WriteFailure('the database is not open', {
        kind: 'unavailable',
        needsPrepare: true,
      });
    }
    let same: boolean;
    try {
      const stat = statSync(this.#options.filename);
      same = stat.ino === open.ino && stat.dev === open.dev;
    } catch {
      same = false;
    }
    if (!same) {
      this.#close();
      throw new WriteFailure(
        'the database file was removed or replaced (or its directory was); the rows are kept until it can be created again',
        { kind: 'unavailable', needsPrepare: true },
      );
    }
    return open;
  }

  #failure(err: unknown, during: 'open' | 'write'): WriteFailure {
    if (err instanceof WriteFailure) return err;
    const code = (err as { code?: unknown } | null)?.code;
    const sqlite = typeof code === 'string' ? code : '';
    const text = errorMessage(err);
    if (sqlite.startsWith('SQLITE_BUSY') || sqlite.startsWith('SQLITE_LOCKED')) {
      return new WriteFailure(
        `the database is locked by another connection (${sqlite}, waited ${this.#options.busyTimeoutMs} ms)`,
        { kind: 'unavailable', cause: err },
      );
    }
    if (sqlite === 'SQLITE_FULL') {
      return new WriteFailure(`the disk is full (${sqlite}: ${text})`, {
        kind: 'unavailable',
        cause: err,
      });
    }
    if (
      sqlite === 'SQLITE_TOOBIG' ||
      sqlite.startsWith('SQLITE_CONSTRAINT') ||
      sqlite === 'SQLITE_MISMATCH' ||
      sqlite === 'SQLITE_RANGE'
    ) {
      return new WriteFailure(`${sqlite}: ${text}`, { kind: 'refused', cause: err });
    }
    // Anything else (cannot open, I/O error, read-only, not a database) may have left the
    // connection unusable: open it again before the next try.
    this.#close();
    const hint =
      sqlite === 'SQLITE_CANTOPEN'
        ? ` (does the directory ${nodePath.dirname(this.target)} exist and can this user write to it?)`
        : '';
    return new WriteFailure(
      `${during === 'open' ? 'cannot open the database' : 'the write failed'}: ${sqlite === '' ? '' : `${sqlite}: `}${text}${hint}`,
      { kind: 'unavailable', needsPrepare: true, cause: err },
    );
  }

  #close(): void {
    const open = this.#open;
    this.#open = undefined;
    if (open === undefined) return;
    try {
      open.db.close();
    } catch {
      // A connection that cannot even close (its file gone) holds nothing worth keeping.
    }
  }
}
