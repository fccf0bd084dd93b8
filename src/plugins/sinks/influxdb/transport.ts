import { WriteFailure, type BatchTransport } from '../../../io/batch-writer.js';

/** Where batches of line-protocol lines go. The 1.x and 2.x sinks differ only here. */
export type LineTransport = BatchTransport<string>;

/** Statuses that say "try later", not "no". */
const TRY_LATER: readonly number[] = [408, 425, 429];
/** Answers that refuse this request but can change on the server without a restart. */
const DENIED: readonly number[] = [401, 403, 404];

/**
 * What an HTTP error status means for the points of the request. Points are kept and
 * retried unless the server looked at them and refused them (400 bad line protocol or a
 * field type conflict, 413 too large, and other 4xx that a retry cannot change).
 * Unreachable servers, timeouts, 5xx, 429, and also 401/403/404 (credentials, a database or
 * bucket that may appear) are retried. `body` is the server's message, shortened.
 */
export function httpFailure(status: number, body: string): WriteFailure {
  const text = body.trim().slice(0, 300);
  const message = `HTTP ${status}${text === '' ? '' : `: ${text}`}`;
  const kind =
    status < 400 || status >= 500 || TRY_LATER.includes(status)
      ? 'unavailable'
      : DENIED.includes(status)
        ? 'denied'
        : 'refused';
  const needsPrepare = status === 404 && /database not found/i.test(text);
  return new WriteFailure(message, { kind, needsPrepare, status });
}

/** The URL without user, password and query, for log lines. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(invalid URL)';
  }
}
