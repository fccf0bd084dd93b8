import { lstat, rename } from 'node:fs/promises';
import { DatalogdError, errorMessage } from '../../core/errors.js';
import { DataSink, type Data, type PendingOutput } from '../../core/node.js';
import { RateLimitedLog } from '../../core/rate-limit.js';
import {
  listSeries,
  nextNumber,
  numberedPath,
  pruneSeries,
  timestampedPath,
  type SeriesMember,
  type SeriesNaming,
} from '../../io/file-series.js';
import { toJsonText } from '../../io/json-text.js';
import {
  RecordFile,
  type AppendResult,
  type FilePresence,
  type RecordFileOptions,
} from '../../io/record-file.js';
import { nextRotation, type RotationInterval } from '../../io/rotation-schedule.js';
import { flag, path, seconds, text, z } from '../options.js';

export { timestampedPath };

/** Beyond this much unwritten text (a stuck disk), new records are dropped and counted. */
export const FILE_BUFFER_LIMIT_BYTES = 8 * 1024 * 1024;
/** Buffered text is written early once it reaches this size, whatever the flush interval. */
export const FILE_EAGER_WRITE_BYTES = 64 * 1024;

const fields = z.object({
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
  rotate_bytes: z
    .number()
    .int('must be a whole number of bytes')
    .positive('must be more than 0 bytes')
    .max(Number.MAX_SAFE_INTEGER)
    .nullable()
    .default(null)
    .describe(
      'Start a new file before a record would take this one past this many bytes (header included); a record larger than that has a file of its own. None: no size limit.',
    ),
  rotate_interval: z
    .union([z.enum(['hourly', 'daily']), seconds(3600).unwrap()])
    .nullable()
    .default(null)
    .describe(
      "Start a new file every local hour ('hourly'), at local midnight ('daily'), or every this many seconds from start; a file that received nothing goes on. None: never by time.",
    ),
  rotate_keep: z
    .number()
    .int('must be a whole number of files')
    .min(1, 'must be at least 1 (None keeps every file)')
    .nullable()
    .default(null)
    .describe(
      'Rotated (closed) files kept besides the one being written; the oldest beyond are deleted. None: keep all.',
    ),
});

/** Rotation needs a file that stays open, and `rotate_keep` needs rotation. */
function rotationRules(options: z.output<typeof fields>, ctx: z.RefinementCtx): void {
  const rotates = options.rotate_bytes !== null || options.rotate_interval !== null;
  if (rotates && options.flush_interval === null) {
    ctx.addIssue({
      code: 'custom',
      path: [options.rotate_bytes !== null ? 'rotate_bytes' : 'rotate_interval'],
      message:
        'needs a numeric flush_interval: with flush_interval=None the file is reopened for every receipt',
    });
  }
  if (!rotates && options.rotate_keep !== null) {
    ctx.addIssue({
      code: 'custom',
      path: ['rotate_keep'],
      message: 'has no effect without rotate_bytes or rotate_interval',
    });
  }
}

const schema = fields.superRefine(rotationRules);

export type FileOptions = z.output<typeof schema>;

/** A stamped series starts at most this many files within one second (`_HH-MM-SS-N_`). */
const MAX_FILES_PER_SECOND = 1000;

const MODE_FLAGS = { w: 'w', a: 'a', x: 'wx' } as const;

/** Writes each receipt (usually CSV text) to a file, buffered in memory with a bound. */
export class FileDataSink extends DataSink {
  static readonly description =
    'Writes each receipt (text as it is, anything else as JSON, long integers exactly) and `terminator` to a file. Buffered in memory up to 8 MiB (beyond that records are dropped and counted); write errors are logged and counted, never thrown. A record is in the file whole or not at all: after a failed write (a full disk) the file is cut back to the last whole record, so `records_written` is what the file holds. A file removed or replaced while open is reported and opened anew (its directory is not recreated). Data that cannot be encoded is counted and skipped; close() leaves the file complete. With `rotate_bytes` or `rotate_interval` it writes a series of files, each complete, synced and closed before the next opens with the header, every record in exactly one of them, none cut mid-record; `rotate_keep` deletes the oldest.';
  static readonly optionsSchema = schema;
  static override readonly durable = true;

  readonly #options: FileOptions;
  readonly #fileOptions: RecordFileOptions;
  /** How the files of a rotating sink are named; undefined when it never rotates. */
  readonly #series: SeriesNaming | undefined;
  #path: string | undefined;
  #file: RecordFile | undefined;
  /**
   * The path was opened before: opening it again (after a removal or a rotation) appends,
   * never empties a file another program may have put there (see `#open`).
   */
  #reopen = false;
  /** The open file holds more than its header, so rotating it would not leave it empty. */
  #fileHasData = false;
  #pending: string[] = [];
  /**
   * Where time boundaries fell in `#pending`, as record counts: the records before one go
   * to the file that was open at the boundary, those after to the next file.
   */
  #boundaries: number[] = [];
  #pendingBytes = 0;
  #queue: Promise<void> = Promise.resolve();
  #drainQueued = false;
  #timer: NodeJS.Timeout | undefined;
  /** The time (ms since the epoch) of the next rotation by `rotate_interval`. */
  #rotateAt: number | undefined;
  #rotationTimer: NodeJS.Timeout | undefined;
  /** Rotations and truncations: normal events, said at info level, rate-limited. */
  #notices: RateLimitedLog | undefined;
  #started = false;
  #closed = false;
  readonly #counts = this.counters('records_received', 'records_written', 'files_rotated');

  /** `fileOptions` replaces the file writes, for tests of faults no real disk gives on demand. */
  constructor(options: FileOptions, fileOptions: RecordFileOptions = {}) {
    super();
    this.#options = options;
    this.#fileOptions = fileOptions;
    const rotates = options.rotate_bytes !== null || options.rotate_interval !== null;
    this.#series = rotates ? (options.filename_timestamp ? 'stamped' : 'numbered') : undefined;
    this.declareEvents(
      'DATALOGD_ERR_FILE_DROPPED',
      'DATALOGD_ERR_FILE_WRITE',
      'DATALOGD_ERR_FILE_REMOVED',
      'DATALOGD_ERR_FILE_ROTATE',
      'DATALOGD_ERR_UNENCODABLE',
    );
  }

  /**
   * The file written to now, with the timestamp prefix fixed at the first call (normally
   * start); in a stamped series, the newest file's name.
   */
  get path(): string {
    this.#path ??= this.#options.filename_timestamp
      ? timestampedPath(this.#options.filename, new Date())
      : this.#options.filename;
    return this.#path;
  }

  override async start(): Promise<void> {
    if (this.#started || this.#closed) return;
    this.#started = true;
    if (this.#options.flush_interval === null) {
      const file = this.path;
      if (this.#options.mode === 'x' && (await exists(file))) throw this.#existsError(file);
      return;
    }
    await this.#enqueue(() => this.#openFirst());
    const interval = this.#options.rotate_interval;
    if (interval !== null) this.#scheduleRotation(interval);
  }

  override receive(data: Data): undefined {
    this.#counts.records_received += 1;
    if (this.#closed) {
      this.#drop(1, 'the sink is closed');
      return undefined;
    }
    // Also looked at here, not only when the timer fires: a timer runs late after the
    // machine slept, and a record received after the boundary belongs to the next file.
    if (this.#rotateAt !== undefined && Date.now() >= this.#rotateAt) this.#timeBoundary();
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

  override pendingOutput(): PendingOutput {
    return { bytes: this.#pendingBytes };
  }

  protected override async onClose(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#rotationTimer);
    this.#rotationTimer = undefined;
    this.#rotateAt = undefined;
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
    const boundaries = this.#boundaries;
    if (batch.length === 0 && boundaries.length === 0) return;
    this.#pending = [];
    this.#boundaries = [];
    this.#pendingBytes = 0;
    if (this.#options.flush_interval === null) {
      // No boundaries here: rotation needs a numeric flush_interval (the schema says so).
      for (const text of batch) await this.#writeWhole(text);
      return;
    }
    let from = 0;
    for (const at of boundaries) {
      await this.#write(batch.slice(from, at));
      from = at;
      // At close, a boundary with nothing after it would leave a file with only a header.
      if (this.#closed && at === batch.length) break;
      if (this.#fileHasData) await this.#rotate();
    }
    await this.#write(from === 0 ? batch : batch.slice(from));
  }

  /** Appends `records` to the open file (opening it if need be), within `rotate_bytes`. */
  async #write(records: readonly string[]): Promise<void> {
    if (records.length === 0) return;
    if (this.#file !== undefined) await this.#checkStillThere(this.#file);
    const file = this.#file ?? (await this.#open(false));
    if (file === undefined) {
      this.#drop(records.length, 'the file cannot be opened');
      return;
    }
    const limit = this.#options.rotate_bytes;
    if (limit === null) {
      this.#counted(await file.append(records), records.length, file);
      return;
    }
    await this.#writeWithin(limit, file, records);
  }

  /**
   * Appends `records` in files of at most `limit` bytes, starting the next file between two
   * records, never within one. A file with nothing but its header takes at least one
   * record, so a record larger than the limit has a file of its own.
   */
  async #writeWithin(limit: number, first: RecordFile, records: readonly string[]): Promise<void> {
    let file = first;
    let start = 0;
    // When the full file could not be renamed, the rest of this write goes on in it rather
    // than being lost; the next write tries the rotation again.
    let overflow = false;
    while (start < records.length) {
      let end = start;
      let size = file.size;
      while (end < records.length) {
        const next = size + Buffer.byteLength(records[end] as string);
        if (next > limit && !overflow && (end > start || this.#fileHasData)) break;
        size = next;
        end += 1;
      }
      if (end === start) {
        const rotation = await this.#rotate();
        if (rotation.file === undefined) {
          this.#drop(records.length - start, 'the file cannot be opened');
          return;
        }
        overflow = !rotation.rotated;
        file = rotation.file;
        continue;
      }
      const chunk = start === 0 && end === records.length ? records : records.slice(start, end);
      const result = await file.append(chunk);
      this.#counted(result, records.length - start, file);
      if (result.error !== undefined) return;
      start = end;
    }
  }

  /** The first file: `#open` at start, or the first of a stamped series. */
  async #openFirst(): Promise<void> {
    if (this.#series === 'stamped') {
      // Every file of a series has a name of its own: never one overwritten, whatever `mode`.
      await this.#openStamped(new Date());
    } else if (this.#series === 'numbered' && this.#options.mode === 'w') {
      // 'w' would empty the newest part of the series a restart (an upgrade, a crash)
      // finds: it is rotated into the series instead. Should that fail, it is appended to.
      const kept = (await fileSize(this.path)) > 0 && !(await this.#retire(this.path));
      await this.#open(true, kept);
    } else {
      await this.#open(true);
    }
    if (this.#series !== undefined && this.#file !== undefined) await this.#prune();
  }

  /**
   * Opens the file for buffered writing and writes the header; undefined when it cannot.
   * Opened again (after a removal or a rotation, `anew`), it is appended to ('w' would
   * empty a file that another program created in its place) and the header is written
   * only to an empty file.
   */
  async #open(atStart: boolean, anew = this.#reopen): Promise<RecordFile | undefined> {
    const name = this.path;
    const flags = anew ? 'a' : MODE_FLAGS[this.#options.mode];
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
    await this.#adopt(file, !anew || file.size === 0);
    return file;
  }

  /** Opens the next file of a stamped series: the first free name for `when`. */
  async #openStamped(when: Date): Promise<RecordFile | undefined> {
    for (let sequence = 0; sequence < MAX_FILES_PER_SECOND; sequence++) {
      this.#path = timestampedPath(this.#options.filename, when, sequence);
      try {
        const file = await RecordFile.open(this.#path, 'wx', this.#fileOptions);
        await this.#adopt(file, true);
        return file;
      } catch (err) {
        if (errorCode(err) === 'EEXIST') continue;
        this.#writeFailed('open', err);
        return undefined;
      }
    }
    this.#writeFailed('open', new Error(`${MAX_FILES_PER_SECOND} files of this second exist`));
    return undefined;
  }

  /** Makes `file` the one written to, with the header first when `header` says so. */
  async #adopt(file: RecordFile, header: boolean): Promise<void> {
    this.#file = file;
    this.#reopen = true;
    this.#fileHasData = file.size > 0;
    if (this.#options.header !== '' && header) {
      const result = await file.append([this.#options.header]);
      if (result.error !== undefined) this.#appendFailed('write the header to', result);
    }
  }

  /**
   * Ends the open file and starts the next: the file is synced and closed (complete on the
   * disk before the next one opens), renamed to its number in a numbered series, the next
   * file opened with the header, and the oldest beyond `rotate_keep` deleted. `rotated` is
   * false when the full file could not be renamed and `file` is that file again.
   */
  async #rotate(): Promise<{ file: RecordFile | undefined; rotated: boolean }> {
    const old = this.#file;
    this.#file = undefined;
    this.#fileHasData = false;
    const from = this.path;
    if (old !== undefined) {
      try {
        await old.sync();
      } catch (err) {
        this.#rotateFailed('sync', `sync ${from} before closing it`, err);
      }
      await this.#closeFile(old);
    }
    let file: RecordFile | undefined;
    let done: string;
    if (this.#series === 'stamped') {
      file = await this.#openStamped(new Date());
      done = from;
    } else {
      const retired = await this.#retire(from);
      file = await this.#open(false, true);
      if (retired === false) return { file, rotated: false };
      done = retired;
    }
    if (file === undefined) return { file, rotated: true };
    this.#counts.files_rotated += 1;
    this.#notice('rotated', `${done} is complete; writing ${this.path}`);
    await this.#prune();
    return { file, rotated: true };
  }

  /**
   * Renames the file at `from` to the next number of its series; returns the new name,
   * the old one when there was no file to rename, or false when it could not be renamed.
   */
  async #retire(from: string): Promise<string | false> {
    try {
      const members = await listSeries(this.#options.filename, 'numbered');
      const to = numberedPath(this.#options.filename, nextNumber(members));
      await rename(from, to);
      return to;
    } catch (err) {
      // Gone already (removed, or the whole directory): nothing is left to keep.
      if (errorCode(err) === 'ENOENT') return from;
      this.#rotateFailed('rename', `rename ${from} to its number in the series`, err);
      return false;
    }
  }

  /** Deletes the oldest files of the series beyond `rotate_keep`. */
  async #prune(): Promise<void> {
    const keep = this.#options.rotate_keep;
    if (keep === null || this.#series === undefined) return;
    let members: SeriesMember[];
    try {
      members = await listSeries(this.#options.filename, this.#series);
    } catch (err) {
      this.#rotateFailed('list', `list the files of the series of ${this.path}`, err);
      return;
    }
    const { failed } = await pruneSeries(members, keep, this.path);
    for (const { path: old, error } of failed) {
      this.#rotateFailed('delete', `delete ${old}, beyond rotate_keep=${keep}`, error);
    }
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
    if (presence === 'truncated') {
      // Rotation by copy and truncate: writing goes on at the new end, with no hole; an
      // emptied file gets the header again, as a new one does.
      this.#notice('truncated', `${file.path} was truncated by another program; writing on`);
      this.#fileHasData = file.size > 0;
      if (file.size === 0 && this.#options.header !== '') {
        const result = await file.append([this.#options.header]);
        if (result.error !== undefined) this.#appendFailed('write the header to', result);
      }
      return;
    }
    this.report(
      'DATALOGD_ERR_FILE_REMOVED',
      `${file.path} was ${presence === 'removed' ? 'removed' : 'replaced by another file'} while open; opening it anew`,
      { key: presence },
    );
    this.#file = undefined;
    this.#fileHasData = false;
    await this.#closeFile(file);
  }

  /**
   * The next time boundary of `rotate_interval` after `from` (the boundary just passed, so
   * that a timer's lateness does not add up), and a timer for it. After a long sleep, the
   * boundaries missed are skipped.
   */
  #scheduleRotation(interval: RotationInterval, from = Date.now()): void {
    const now = Date.now();
    const next = nextRotation(interval, from);
    this.#armRotation(next > now ? next : nextRotation(interval, now));
  }

  #armRotation(at: number): void {
    this.#rotateAt = at;
    clearTimeout(this.#rotationTimer);
    this.#rotationTimer = setTimeout(
      () => {
        this.#rotationTimer = undefined;
        if (this.#closed) return;
        // Early, or the clock was set back: wait for the boundary itself.
        if (Date.now() < at) this.#armRotation(at);
        else this.#timeBoundary();
      },
      Math.max(0, at - Date.now()),
    );
  }

  /**
   * A time boundary passed: what was received before it goes to the file open now, which
   * is then ended, at once (not at the next flush), so that it is complete on the hour.
   */
  #timeBoundary(): void {
    const interval = this.#options.rotate_interval;
    if (interval === null) return;
    if (this.#boundaries.at(-1) !== this.#pending.length) {
      this.#boundaries.push(this.#pending.length);
    }
    this.#scheduleRotation(interval, this.#rotateAt);
    this.#requestDrain();
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

  /**
   * Counts what an append wrote and, when it failed, the rest of the `count` records at
   * stake as dropped, and says why.
   */
  #counted(result: AppendResult, count: number, file: RecordFile): void {
    this.#counts.records_written += result.written;
    if (result.written > 0) this.#fileHasData = true;
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

  /** `key` is one of a few fixed words, so it can key the rate limit. */
  #notice(key: string, message: string): void {
    this.#notices ??= new RateLimitedLog(this.log);
    this.#notices.log('info', key, message);
  }

  #writeFailed(what: string, err: unknown): void {
    this.report('DATALOGD_ERR_FILE_WRITE', `cannot ${what} ${this.path}: ${errorMessage(err)}`);
  }

  /** `step` is one of a few fixed words, so it can key the rate limit. */
  #rotateFailed(step: string, what: string, err: unknown): void {
    this.report('DATALOGD_ERR_FILE_ROTATE', `cannot ${what}: ${errorMessage(err)}`, { key: step });
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

/** The size of the file at `file`, 0 when there is none. */
async function fileSize(file: string): Promise<number> {
  try {
    return (await lstat(file)).size;
  } catch {
    return 0;
  }
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
