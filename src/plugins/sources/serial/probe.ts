import { parsePythonJson } from '../../../python/json.js';
import type { SerialLink } from './link.js';
import { boardHeader, type BoardHeader } from './protocol.js';

export type ProbeOutcome =
  | { readonly kind: 'board'; readonly header: BoardHeader; readonly line: string }
  | { readonly kind: 'not-board'; readonly detail: string }
  | { readonly kind: 'closed'; readonly detail: string };

/** Lines looked at before a port is judged not to be a logging board. */
const LINES_TO_JUDGE = 2;

/**
 * Asks an open port whether a logging board is on it, as Python datalogd does: the first
 * line may have been cut by the open, so when it is not board JSON the next line decides.
 * Unlike Python, a first line that is already a good header is accepted at once. Each line
 * must come within `lineTimeoutMs`. The link's line handlers are the probe's until it
 * settles; then the link holds further lines until the caller sets its own.
 */
export function probeLink(
  link: SerialLink,
  lineTimeoutMs: number,
  signal?: AbortSignal,
): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    let seen = 0;
    let last = '';
    let settled = false;
    let timer: NodeJS.Timeout | undefined;

    const finish = (outcome: ProbeOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      // Lines after the deciding one wait in the link for the reader.
      link.hold();
      resolve(outcome);
    };
    const arm = (): void => {
      if (settled) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        finish({
          kind: 'not-board',
          detail:
            seen === 0
              ? `sent no complete line within ${lineTimeoutMs / 1000} s`
              : `sent ${quote(last)} and then nothing within ${lineTimeoutMs / 1000} s`,
        });
      }, lineTimeoutMs);
    };
    const onAbort = (): void => {
      finish({ kind: 'closed', detail: 'probe cancelled' });
    };

    link.closed.then(
      (reason) => {
        finish({ kind: 'closed', detail: reason ?? 'closed' });
      },
      () => undefined,
    );
    if (signal?.aborted === true) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    arm();
    link.setHandlers({
      onLine: (text) => {
        seen += 1;
        last = text;
        const header = headerOf(text);
        if (header !== undefined) {
          finish({ kind: 'board', header, line: text });
        } else if (seen >= LINES_TO_JUDGE) {
          finish({ kind: 'not-board', detail: `sent ${quote(text)}, which is not board JSON` });
        } else {
          arm();
        }
      },
      onOversize: (bytes) => {
        seen += 1;
        last = `(a line of ${bytes} bytes)`;
        if (seen >= LINES_TO_JUDGE) {
          finish({ kind: 'not-board', detail: `sent a line of ${bytes} bytes` });
        } else {
          arm();
        }
      },
    });
  });
}

function headerOf(text: string): BoardHeader | undefined {
  try {
    return boardHeader(parsePythonJson(text));
  } catch {
    return undefined;
  }
}

/** A line for a log message: JSON-quoted, and cut short when long. */
export function quote(text: string, max = 80): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}
