import { constants } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';

/**
 * A file that grows by whole records: a record is in it completely or not at all. When a
 * write stops part-way (a full disk takes what fits, then refuses), the file is truncated
 * back to the end of the last record that landed whole, so that no torn record is left for
 * the next one to be glued to, and the caller can count exactly what the file holds. It
 * also tells whether the file it holds open is still the one its path names, for a file
 * removed or rotated away while open, whose writes would otherwise vanish unseen.
 *
 * It assumes it is the only writer of the file while a write is in flight.
 */

/** One positional write, as `FileHandle.write` does it; replaceable to test faults. */
export type WriteFunction = (
  handle: FileHandle,
  buffer: Buffer,
  offset: number,
  length: number,
  position: number,
) => Promise<{ bytesWritten: number }>;

export interface RecordFileOptions {
  readonly write?: WriteFunction;
}

export interface AppendResult {
  /** How many of the records given are now in the file, whole (the first ones). */
  readonly written: number;
  /** Why the rest were not written; undefined when all were. */
  readonly error?: unknown;
  /** The roll-back failed too: the file may end with part of a record. */
  readonly rollbackError?: unknown;
}

/**
 * Whether the open file is still at its path; 'truncated' when it is, but another program
 * cut it shorter (logrotate's copytruncate), so that the next record starts at its new end.
 */
export type FilePresence = 'present' | 'removed' | 'replaced' | 'truncated';

const { O_APPEND, O_CREAT, O_EXCL, O_TRUNC, O_WRONLY } = constants;

/**
 * 'w' and 'wx' as their flags plus O_APPEND. Emptied at open as 'w' says, the file is then
 * written at its end wherever that is: a program that truncates it while it is open (log
 * rotation by copy and truncate) does not leave a hole of NUL bytes before the next record,
 * as a write at the old offset would.
 */
const APPEND_FLAGS: Readonly<Record<string, number>> = {
  w: O_WRONLY | O_CREAT | O_TRUNC | O_APPEND,
  wx: O_WRONLY | O_CREAT | O_TRUNC | O_EXCL | O_APPEND,
};

const defaultWrite: WriteFunction = (handle, buffer, offset, length, position) =>
  handle.write(buffer, offset, length, position);

export class RecordFile {
  readonly path: string;
  readonly #handle: FileHandle;
  readonly #write: WriteFunction;
  #size: number;

  private constructor(path: string, handle: FileHandle, size: number, write: WriteFunction) {
    this.path = path;
    this.#handle = handle;
    this.#size = size;
    this.#write = write;
  }

  /** Opens `path` with fs `flags` ('w', 'a', 'wx'); rejects as `open` does. */
  static async open(
    path: string,
    flags: string,
    options: RecordFileOptions = {},
  ): Promise<RecordFile> {
    const handle = await open(path, APPEND_FLAGS[flags] ?? flags);
    try {
      const { size } = await handle.stat();
      return new RecordFile(path, handle, size, options.write ?? defaultWrite);
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw err;
    }
  }

  /** Bytes in the file: what was there at open and every whole record since. */
  get size(): number {
    return this.#size;
  }

  /**
   * Appends `records` in order, in one write where the system allows. Never rejects: a
   * failure is in the result, with the records before it counted as written.
   */
  async append(records: readonly string[]): Promise<AppendResult> {
    if (records.length === 0) return { written: 0 };
    const buffer = Buffer.from(records.length === 1 ? (records[0] as string) : records.join(''));
    let done = 0;
    try {
      while (done < buffer.length) {
        // The file is in append mode, so the system writes at its end, which is where the
        // last whole record ends (after a roll-back too); the position says the same for a
        // `write` replaced in tests.
        const { bytesWritten } = await this.#write(
          this.#handle,
          buffer,
          done,
          buffer.length - done,
          this.#size + done,
        );
        if (bytesWritten <= 0) throw new Error('the write made no progress');
        done += bytesWritten;
      }
    } catch (error) {
      return this.#rollBack(records, done, error);
    }
    this.#size += done;
    return { written: records.length };
  }

  /**
   * Is the file open still the one at `path`? ('removed' also when its directory went.) A
   * file found shorter than what was written takes that as its size: 'truncated'.
   */
  async presence(): Promise<FilePresence> {
    const own = await this.#handle.stat();
    if (own.nlink === 0) return 'removed';
    try {
      const named = await stat(this.path);
      if (named.ino !== own.ino || named.dev !== own.dev) return 'replaced';
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return 'removed';
    }
    if (own.size >= this.#size) return 'present';
    this.#size = own.size;
    return 'truncated';
  }

  /** Waits until what was written is on the disk (fdatasync), for a file about to be handed on. */
  async sync(): Promise<void> {
    await this.#handle.datasync();
  }

  async close(): Promise<void> {
    await this.#handle.close();
  }

  /** `done` bytes landed: keep the whole records among them, cut the torn one off. */
  async #rollBack(records: readonly string[], done: number, error: unknown): Promise<AppendResult> {
    let written = 0;
    let kept = 0;
    for (const record of records) {
      const end = kept + Buffer.byteLength(record);
      if (end > done) break;
      kept = end;
      written += 1;
    }
    if (done > kept) {
      try {
        // From the file's real size, not this object's idea of it, in case the torn write
        // went somewhere else (append mode puts it at the end, wherever that is).
        const { size } = await this.#handle.stat();
        const target = size - (done - kept);
        await this.#handle.truncate(target);
        this.#size = target;
      } catch (rollbackError) {
        this.#size += done;
        return { written, error, rollbackError };
      }
    } else {
      this.#size += kept;
    }
    return { written, error };
  }
}
