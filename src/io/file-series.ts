import { readdir, unlink } from 'node:fs/promises';
import nodePath from 'node:path';

/**
 * The names of a series of files that one writer fills in turn (a rotated log or data
 * file), how to find the members of a series in their directory, oldest first, and how to
 * keep only the newest N. Two namings:
 *
 * - `numbered`: the file being written is always `filename`; a full one is renamed to
 *   `name.N.ext`, N one more than the highest on disk, so that a name once given never
 *   changes (a shipper or rsync sees each file once) and the extension stays last (a
 *   spreadsheet still opens `data.3.csv`).
 * - `stamped`: every file has its own name, Python datalogd's `filename_timestamp` prefix
 *   `YYYY-MM-DD_HH-MM-SS_` (local time), with `-N` after the seconds for a second file
 *   started within the same second, so that no file of the series is ever overwritten.
 */
export type SeriesNaming = 'numbered' | 'stamped';

export interface SeriesMember {
  readonly path: string;
  /** Sorts the series oldest first: the number, or the stamp then its sequence number. */
  readonly order: readonly [string, number];
}

const two = (n: number): string => String(n).padStart(2, '0');

/** `YYYY-MM-DD_HH-MM-SS`, local time: sorts in time order as text (within one UTC offset). */
export function localStamp(when: Date): string {
  return (
    `${when.getFullYear()}-${two(when.getMonth() + 1)}-${two(when.getDate())}_` +
    `${two(when.getHours())}-${two(when.getMinutes())}-${two(when.getSeconds())}`
  );
}

/**
 * `dir/name` becomes `dir/YYYY-MM-DD_HH-MM-SS_name` in local time, as Python datalogd names
 * it; a `sequence` above 0 makes `..._HH-MM-SS-N_name`, the Nth more file of that second.
 */
export function timestampedPath(filename: string, when: Date, sequence = 0): string {
  const suffix = sequence > 0 ? `-${sequence}` : '';
  return nodePath.join(
    nodePath.dirname(filename),
    `${localStamp(when)}${suffix}_${nodePath.basename(filename)}`,
  );
}

/** `dir/data.csv` becomes `dir/data.N.csv`; a name without an extension gets `.N` at the end. */
export function numberedPath(filename: string, n: number): string {
  const { dir, name, ext } = nodePath.parse(filename);
  return nodePath.join(dir, `${name}.${n}${ext}`);
}

/**
 * The members of the series of `filename` in its directory, oldest first. Other files, and
 * names that only look alike (`data.x.csv`, `data.csv.1`), are not members.
 */
export async function listSeries(filename: string, naming: SeriesNaming): Promise<SeriesMember[]> {
  const directory = nodePath.dirname(filename);
  const pattern = memberPattern(filename, naming);
  const members: SeriesMember[] = [];
  for (const entry of await readdir(directory)) {
    const match = pattern.exec(entry);
    if (match === null) continue;
    const order: [string, number] =
      naming === 'numbered'
        ? ['', Number(match[1])]
        : [match[1] ?? '', match[2] === undefined ? 0 : Number(match[2])];
    members.push({ path: nodePath.join(directory, entry), order });
  }
  return members.sort(compareMembers);
}

/** The number the next rotated file of a numbered series gets: one above the highest. */
export function nextNumber(members: readonly SeriesMember[]): number {
  let highest = 0;
  for (const member of members) highest = Math.max(highest, member.order[1]);
  return highest + 1;
}

export interface PruneResult {
  readonly removed: readonly string[];
  readonly failed: readonly { readonly path: string; readonly error: unknown }[];
}

/**
 * Deletes the oldest members beyond the newest `keep`; `current` (the file being written)
 * is never deleted nor counted. A file already gone is not a failure.
 */
export async function pruneSeries(
  members: readonly SeriesMember[],
  keep: number,
  current: string,
): Promise<PruneResult> {
  const closed = members.filter((m) => nodePath.resolve(m.path) !== nodePath.resolve(current));
  const removed: string[] = [];
  const failed: { path: string; error: unknown }[] = [];
  for (const member of closed.slice(0, Math.max(0, closed.length - keep))) {
    try {
      await unlink(member.path);
      removed.push(member.path);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') continue;
      failed.push({ path: member.path, error });
    }
  }
  return { removed, failed };
}

function compareMembers(a: SeriesMember, b: SeriesMember): number {
  if (a.order[0] !== b.order[0]) return a.order[0] < b.order[0] ? -1 : 1;
  return a.order[1] - b.order[1];
}

function memberPattern(filename: string, naming: SeriesNaming): RegExp {
  if (naming === 'numbered') {
    const { name, ext } = nodePath.parse(filename);
    return new RegExp(`^${escapeRegExp(name)}\\.(\\d+)${escapeRegExp(ext)}$`);
  }
  const base = escapeRegExp(nodePath.basename(filename));
  return new RegExp(`^(\\d{4}-\\d\\d-\\d\\d_\\d\\d-\\d\\d-\\d\\d)(?:-(\\d+))?_${base}$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
