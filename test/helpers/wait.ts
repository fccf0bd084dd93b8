/**
 * The one way tests wait for something to become true: poll `check` (sync or async) every
 * `intervalMs` until it holds, or reject after `timeoutMs` with `what` and, when given, the
 * `detail()` that explains the state (a process's output, the lines seen so far).
 */
export interface WaitOptions {
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  /** Extra text for the timeout error, read only when it times out. */
  readonly detail?: () => string;
  /** Resolves early when it fires (a process writing output, say), instead of a full interval. */
  readonly wake?: (resume: () => void) => () => void;
}

export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  what: string,
  options: WaitOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 20;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) {
      const detail = options.detail?.() ?? '';
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${detail === '' ? '' : `\n${detail}`}`,
      );
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, intervalMs);
      const unsubscribe = options.wake?.(done);
      function done(): void {
        clearTimeout(timer);
        unsubscribe?.();
        resolve();
      }
    });
  }
}

/** Waits `ms`; for tests that must let time pass (a rate window, a quiet period). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
