import { lstat, open, type FileHandle } from 'node:fs/promises';
import nodePath from 'node:path';
import { DatalogdError, errorMessage } from '../../core/errors.js';
import { DataSink, type Data } from '../../core/node.js';
import { toJsonText } from '../../io/json-text.js';
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
    'Writes each receipt (text as it is, anything else as JSON) and `terminator` to a file. Buffered in memory up to 8 MiB (beyond that records are dropped and counted); write errors are logged and counted, never thrown; close() leaves the file complete.';
  static readonly optionsSchema = schema;

  readonly #options: FileOptions;
  #path: string | undefined;
  #handle: FileHandle | undefined;
  #pending: string[] = [];
  #pendingBytes = 0;
  #queue: Promise<void> = Promise.resolve();
  #drainQueued = false;
  #timer: NodeJS.Timeout | undefined;
  #started = false;
  #closed = false;
  readonly #counts = this.counters('records_received', 'records_written');

  constructor(options: FileOptions) {
    super();
    this.#options = options;
    this.declareEvents('DATALOGD_ERR_FILE_DROPPED', 'DATALOGD_ERR_FILE_WRITE');
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
    await this.#enqueue(() => this.#open(true));
  }

  override receive(data: Data): undefined {
    this.#counts.records_received += 1;
    if (this.#closed) {
      this.#drop(1, 'the sink is closed');
      return undefined;
    }
    const text = toJsonText(data) + this.#options.terminator;
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
      const handle = this.#handle;
      this.#handle = undefined;
      try {
        await handle?.close();
      } catch (err) {
        this.#writeFailed('close', err);
      }
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
    if (this.#handle === undefined && !(await this.#open(false))) {
      this.#drop(batch.length, 'the file cannot be opened');
      return;
    }
    try {
      await writeAll(this.#handle as FileHandle, batch.join(''));
      this.#counts.records_written += batch.length;
    } catch (err) {
      this.#writeFailed('write to', err);
      this.#drop(batch.length, 'the write failed');
    }
  }

  /** Opens the file for buffered writing and writes the header; false when it cannot. */
  async #open(atStart: boolean): Promise<boolean> {
    const file = this.path;
    try {
      this.#handle = await open(file, { w: 'w', a: 'a', x: 'wx' }[this.#options.mode]);
    } catch (err) {
      if (atStart && this.#options.mode === 'x' && errorCode(err) === 'EEXIST') {
        throw this.#existsError(file, err);
      }
      this.#writeFailed('open', err);
      return false;
    }
    if (this.#options.header !== '') {
      try {
        await writeAll(this.#handle, this.#options.header);
      } catch (err) {
        this.#writeFailed('write the header to', err);
      }
    }
    return true;
  }

  /** `flush_interval=null`: the file holds header + this receipt ('w') or grows ('a'). */
  async #writeWhole(text: string): Promise<void> {
    // 'x' was checked at start; after that each receipt replaces the file like 'w'.
    const flags = this.#options.mode === 'a' ? 'a' : 'w';
    let handle: FileHandle | undefined;
    try {
      handle = await open(this.path, flags);
      await writeAll(handle, this.#options.header + text);
      this.#counts.records_written += 1;
    } catch (err) {
      this.#writeFailed('write to', err);
      this.#drop(1, 'the write failed');
    }
    try {
      await handle?.close();
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

async function writeAll(handle: FileHandle, text: string): Promise<void> {
  const buffer = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < buffer.length) {
    const { bytesWritten } = await handle.write(buffer, offset, buffer.length - offset);
    if (bytesWritten <= 0) throw new Error('the write made no progress');
    offset += bytesWritten;
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
