import { lstat } from 'node:fs/promises';
import nodePath from 'node:path';
import { DatalogdError, errorMessage } from '../../core/errors.js';
import { DataSink, type Data } from '../../core/node.js';
import { toJsonText } from '../../io/json-text.js';
import {
  RecordFile,
  type AppendResult,
  type FilePresence,
  type RecordFileOptions,
} from '../../io/record-file.js';
import { flag, path, seconds, text, z } from '../options.js';

/** Beyond this much unwritten text (a stuck disk), new records are dropped and counted. */
export const FILE_BUFFER_LIMIT_BYTES = 8 * 1024 * 1024;
/** Buffered text is written early once it reaches this size, whatever the flush interval. */
export const FILE_EAGER_WRITE_BYTES = 64 * 1024;

const schema = z.object({
  filename: path().describe(
    'Path of the file to write; relative paths start from the working directory.',
  ),
  filename_timestamp: flag(false).describe(
    'Prefix the file name with the start time, YYYY-MM-DD_HH-MM-SS_ (local time).',
  ),
  mode: z
    .enum(['w', 'a', 'x'])
    .default('w')
    .describe("'w' overwrite, 'a' append, 'x' refuse to start if the file exists."),
  header: text('').describe(
    'Text written verbatim when the file is opened (include your own newline).',
  ),
  terminator: text('\n').describe('Text written after each receipt.'),
  // 0 and negative values are modes, not durations, so only the upper bound applies; the
  // default goes outside `nullable` so that the generated docs show it.
  flush_interval: seconds(10, { min: -Infinity })
    .unwrap()
    .nullable()
    .default(10)
    .describe(
      'Seconds from a write to its flush; 0: flush every receipt; <0: flush every 64 KiB; null: open, write header + data, close per receipt.',
    ),
});

export type FileOptions = z.output<typeof schema>;

/** Writes each receipt (usually CSV text) to a file, buffered in memory with a bound. */
export class FileDataSink extends DataSink {
  static readonly description =
    'Writes each receipt (text as it is, anything else as JSON, long integers exactly) and `terminator` to a file. Buffered in memory up to 8 MiB (beyond that records are dropped and counted); write errors are logged and counted, never thrown. A record is in the file whole or not at all: after a failed write (a full disk) the file is cut back to the last whole record, so `records_written` is what the file holds. A file removed or replaced while open is reported and opened anew (its directory is not recreated). Data that cannot be encoded is counted and skipped; close() leaves the file complete.';
  static readonly optionsSchema = schema;

  readonly #options: FileOptions;
  readonly #fileOptions: RecordFileOptions;
  #path: string | undefined;
  #file: RecordFile | undefined;
  /** The file was removed while open: from then on it is opened anew (see `#open`). */
  #removed = false;
  #pending: string[] = [];
  #pendingBytes = 0;
  #queue: Promise<void> = Promise.resolve();
  #drainQueued = false;
  #timer: NodeJS.Timeout | undefined;
  #started = false;
  #closed = false;
  readonly #counts = this.counters('records_received', 'records_written');

  /** `fileOptions` replaces the file writes, for tests of faults no real disk gives on demand. */
  constructor(options: FileOptions, fileOptions: RecordFileOptions = {}) {
    super();
    this.#options = options;
    this.#fileOptions = fileOptions;
    this.declareEvents(
      'DATALOGD_ERR_FILE_DROPPED',
      'DATALOGD_ERR_FILE_WRITE',
      'DATALOGD_ERR_FILE_REMOVED',
      'DATALOGD_ERR_UNENCODABLE',
    );
  }

  /** The file written to, with the timestamp prefix fixed at the first call (normally start). */
  get path(): string {
    this.#path ??= this.#options.filename_timestamp
      ? timestampedPath(this.#options.filename, new Date())
      : this.#options.filename;
    return this.#path;
  }

  override async start(): Promise<void> {
    if (this.#started || this.#closed) return;
    this.#started = true;
    const file = this.path;
    if (this.#options.flush_interval === null) {
      if (this.#options.mode === 'x' && (await exists(file))) throw this.#existsError(file);
      return;
    }
    await this.#enqueue(async () => {
      await this.#open(true);
    });
  }

  override receive(data: Data): undefined {
    this.#counts.records_received += 1;
    if (this.#closed) {
      this.#drop(1, 'the sink is closed');
      return undefined;
    }
    let text: string;
    try {
      text = toJsonText(data) + this.#options.terminator;
    } catch (err) {
      this.report('DATALOGD_ERR_UNENCODABLE', `skipped a receipt: ${errorMessage(err)}`);
      return undefined;
    }
    const bytes = Buffer.byteLength(text);
    if (this.#pendingBytes + bytes > FILE_BUFFER_LIMIT_BYTES) {
      this.#drop(1, 'the write buffer is full (8 MiB)');
      return undefined;
    }
    this.#pending.push(text);
    this.#pendingBytes += bytes;
    const interval = this.#options.flush_interval;
    if (interval === null || interval === 0 || this.#pendingBytes >= FILE_EAGER_WRITE_BYTES) {
      this.#requestDrain();
    } else if (interval > 0) {
      this.#timer ??= setTimeout(() => {
        this.#timer = undefined;
        this.#requestDrain();
      }, interval * 1000);
    }
    return undefined;
  }

  /** Writes everything buffered now and resolves when it is in the file. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#enqueue(() => this.#drain());
  }

  /** Resolves when the writes already scheduled are done, without forcing a flush. */
  settled(): Promise<void> {
    return this.#queue;
  }

  protected override gauges(): Record<string, number> {
    return { buffered_bytes: this.#pendingBytes };
  }

  protected override async onClose(): Promise<void> {
    this.#closed = true;
    await this.flush();
    await this.#enqueue(async () => {
      const file = this.#file;
      this.#file = undefined;
      await this.#closeFile(file);
    });
  }

  /** Runs `job` after every job before it; one failing job does not stop the next. */
  #enqueue<T>(job: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(job);
    this.#queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  #requestDrain(): void {
    if (this.#drainQueued) return;
    this.#drainQueued = true;
    void this.#enqueue(() => this.#drain());
  }

  async #drain(): Promise<void> {
    this.#drainQueued = false;
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    this.#pendingBytes = 0;
    if (this.#options.flush_interval === null) {
      for (const text of batch) await this.#writeWhole(text);
      return;
    }
    if (this.#file !== undefined) await this.#checkStillThere(this.#file);
    const file = this.#file ?? (await this.#open(false, this.#removed));
    if (file === undefined) {
      this.#drop(batch.length, 'the file cannot be opened');
      return;
    }
    this.#counted(await file.append(batch), batch.length, file);
  }

  /**
   * Opens the file for buffered writing and writes the header; undefined when it cannot.
   * Opened anew after a removal, it is appended to ('w' would empty a file that another
   * program created in its place) and the header is written only to an empty file.
   */
  async #open(atStart: boolean, anew = false): Promise<RecordFile | undefined> {
    const name = this.path;
    const flags = anew ? 'a' : { w: 'w', a: 'a', x: 'wx' }[this.#options.mode];
    let file: RecordFile;
    try {
      file = await RecordFile.open(name, flags, this.#fileOptions);
    } catch (err) {
      if (atStart && this.#options.mode === 'x' && errorCode(err) === 'EEXIST') {
        throw this.#existsError(name, err);
      }
      this.#writeFailed('open', err);
      return undefined;
    }
    this.#file = file;
    if (this.#options.header !== '' && (!anew || file.size === 0)) {
      const result = await file.append([this.#options.header]);
      if (result.error !== undefined) this.#appendFailed('write the header to', result);
    }
    return file;
  }

  /**
   * A file removed (or rotated away) while open takes every write into an inode nobody can
   * reach: looked for before each write, reported, and the file opened anew at its path. A
   * removed directory is not made again (as at start): until it is back, records are
   * dropped and counted, and each write tries again.
   */
  async #checkStillThere(file: RecordFile): Promise<void> {
    let presence: FilePresence;
    try {
      presence = await file.presence();
    } catch {
      return;
    }
    if (presence === 'present') return;
    this.report(
      'DATALOGD_ERR_FILE_REMOVED',
      `${file.path} was ${presence === 'removed' ? 'removed' : 'replaced by another file'} while open; opening it anew`,
      { key: presence },
    );
    this.#file = undefined;
    this.#removed = true;
    await this.#closeFile(file);
  }

  /** `flush_interval=null`: the file holds header + this receipt ('w') or grows ('a'). */
  async #writeWhole(text: string): Promise<void> {
    // 'x' was checked at start; after that each receipt replaces the file like 'w'.
    const flags = this.#options.mode === 'a' ? 'a' : 'w';
    let file: RecordFile;
    try {
      file = await RecordFile.open(this.path, flags, this.#fileOptions);
    } catch (err) {
      this.#writeFailed('write to', err);
      this.#drop(1, 'the write failed');
      return;
    }
    // Header and receipt are one record: a torn write takes both back.
    this.#counted(await file.append([this.#options.header + text]), 1, file);
    await this.#closeFile(file);
  }

  /** Counts what an append wrote and what it lost, and says why. */
  #counted(result: AppendResult, count: number, file: RecordFile): void {
    this.#counts.records_written += result.written;
    if (result.error === undefined) return;
    this.#appendFailed('write to', result, file);
    this.#drop(count - result.written, 'the write failed');
  }

  #appendFailed(what: string, result: AppendResult, file?: RecordFile): void {
    this.#writeFailed(what, result.error);
    if (result.rollbackError !== undefined) {
      this.#writeFailed(
        `cut back the part of a record left at the end of (${file?.size ?? '?'} bytes)`,
        result.rollbackError,
      );
    }
  }

  async #closeFile(file: RecordFile | undefined): Promise<void> {
    try {
      await file?.close();
    } catch (err) {
      this.#writeFailed('close', err);
    }
  }

  #existsError(file: string, cause?: unknown): DatalogdError {
    return new DatalogdError(
      'DATALOGD_ERR_NODE_START',
      `node "${this.nodeName}": ${file} already exists and mode is 'x'`,
      { node: this.nodeName, option: 'mode', ...(cause === undefined ? {} : { cause }) },
    );
  }

  #writeFailed(what: string, err: unknown): void {
    this.report('DATALOGD_ERR_FILE_WRITE', `cannot ${what} ${this.path}: ${errorMessage(err)}`);
  }

  /** `reason` is one of a few fixed texts, so it can key the rate limit. */
  #drop(count: number, reason: string): void {
    this.report(
      'DATALOGD_ERR_FILE_DROPPED',
      `dropped ${count === 1 ? 'a record' : `${count} records`}: ${reason}`,
      { count, key: reason },
    );
  }
}

/** `dir/name` becomes `dir/YYYY-MM-DD_HH-MM-SS_name`, in local time. */
export function timestampedPath(filename: string, when: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  const stamp =
    `${when.getFullYear()}-${two(when.getMonth() + 1)}-${two(when.getDate())}_` +
    `${two(when.getHours())}-${two(when.getMinutes())}-${two(when.getSeconds())}_`;
  return nodePath.join(nodePath.dirname(filename), stamp + nodePath.basename(filename));
}

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch {
    return false;
  }
}

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
