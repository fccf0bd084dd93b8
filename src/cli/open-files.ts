import { readFileSync } from 'node:fs';
import { ConfigurationErrors, DatalogdError } from '../core/errors.js';

const OUT_OF_FILES = new Set(['EMFILE', 'ENFILE']);

/** What a start needs: Node.js reads many module files at once (measured: about 90). */
const NEEDED_TO_START = 100;
const SUGGESTED_LIMIT = 4096;

/**
 * When `err` (or anything it wraps: a cause, one of several configuration problems) is the
 * process or the system running out of file descriptors, the one problem to report instead
 * of it: what happened, the limit, and how to raise it. Undefined for any other failure.
 */
export function openFilesProblem(err: unknown): DatalogdError | undefined {
  const code = outOfFilesCode(err, 0);
  if (code === undefined) return undefined;
  // Node.js raises the soft limit to the hard one as it starts: the hard one is what counts.
  const hard = openFileLimits()?.hard;
  const what =
    code === 'ENFILE'
      ? 'the system has too many open files (ENFILE)'
      : `too many open files (EMFILE): the open-file limit is ${hard === undefined ? 'too low' : `${hard} (ulimit -Hn; Node.js raises the soft limit to it)`}`;
  return new DatalogdError(
    'DATALOGD_ERR_OPEN_FILES_LIMIT',
    `${what}, and datalogd needs about ${NEEDED_TO_START} file descriptors to start, plus one per connection, serial port and open file; raise the limit before starting datalogd, e.g. with ulimit -n ${SUGGESTED_LIMIT} (as root) in the shell that starts it, or LimitNOFILE=${SUGGESTED_LIMIT} in its systemd unit`,
    { cause: err },
  );
}

function outOfFilesCode(err: unknown, depth: number): string | undefined {
  if (typeof err !== 'object' || err === null || depth > 8) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && OUT_OF_FILES.has(code)) return code;
  const wrapped: unknown[] = [(err as { cause?: unknown }).cause];
  if (err instanceof ConfigurationErrors) wrapped.push(...err.problems);
  if (err instanceof AggregateError) wrapped.push(...(err.errors as unknown[]));
  for (const inner of wrapped) {
    const found = outOfFilesCode(inner, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

interface Limits {
  readonly soft: string;
  readonly hard: string;
}

let noted: Limits | undefined;

/**
 * Reads the limits now, while a file can still be opened, for a report made later (when
 * none can be).
 */
export function noteOpenFileLimits(): void {
  noted = readOpenFileLimits();
}

function openFileLimits(): Limits | undefined {
  return noted ?? readOpenFileLimits();
}

/** The soft and hard open-file limits, from Linux's /proc/self/limits; undefined elsewhere. */
function readOpenFileLimits(): Limits | undefined {
  try {
    const text = readFileSync('/proc/self/limits', 'utf8');
    const match = /^Max open files\s+(\S+)\s+(\S+)/m.exec(text);
    if (match?.[1] === undefined || match[2] === undefined) return undefined;
    return { soft: match[1], hard: match[2] };
  } catch {
    return undefined;
  }
}
