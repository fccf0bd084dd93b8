import { Worker } from 'node:worker_threads';
import type { RenderReply, RenderRequest, WorkerMessage } from './protocol.js';

/** Turns a plot into the bytes of its file. */
export interface PlotRenderer {
  /** Resolves once drawing can start (the libraries are loaded); rejects if they cannot be. */
  ready(): Promise<void>;
  render(request: RenderRequest): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** A render that takes longer than this is abandoned and its worker replaced. */
export const RENDER_TIMEOUT_MS = 60_000;
/** Loading Vega, resvg and PDFKit takes well under a second; this allows for a slow board. */
export const READY_TIMEOUT_MS = 60_000;
/** The worker's heap limit: a plot too large for it fails alone and the daemon carries on. */
export const WORKER_HEAP_MB = 512;

export interface WorkerRendererOptions {
  /** The worker's entry module (a test may give one of its own). */
  readonly script?: URL;
  readonly renderTimeoutMs?: number;
  readonly readyTimeoutMs?: number;
}

interface Waiter {
  readonly resolve: (bytes: Uint8Array) => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout;
}

interface LiveWorker {
  readonly worker: Worker;
  readonly ready: Promise<void>;
}

/**
 * Draws in a worker thread, so that rendering (hundreds of milliseconds for a large plot)
 * never holds up the daemon's event loop. A worker that crashes, runs out of memory or
 * hangs is replaced at the next render; its render fails with the reason.
 */
export class WorkerRenderer implements PlotRenderer {
  readonly #script: URL;
  readonly #renderTimeoutMs: number;
  readonly #readyTimeoutMs: number;
  readonly #waiters = new Map<number, Waiter>();
  #live: LiveWorker | undefined;
  #sequence = 0;
  #closed = false;

  constructor(options: WorkerRendererOptions = {}) {
    this.#script = options.script ?? new URL('./render-worker.js', import.meta.url);
    this.#renderTimeoutMs = options.renderTimeoutMs ?? RENDER_TIMEOUT_MS;
    this.#readyTimeoutMs = options.readyTimeoutMs ?? READY_TIMEOUT_MS;
  }

  ready(): Promise<void> {
    return this.#spawn().ready;
  }

  async render(request: RenderRequest): Promise<Uint8Array> {
    if (this.#closed) throw new Error('the renderer is closed');
    const live = this.#spawn();
    await live.ready;
    const id = ++this.#sequence;
    return new Promise<Uint8Array>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#discard(
          live.worker,
          new Error(`drawing took longer than ${this.#renderTimeoutMs} ms`),
        );
      }, this.#renderTimeoutMs);
      this.#waiters.set(id, { resolve, reject, timer });
      live.worker.postMessage({ id, request } satisfies WorkerMessage);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const live = this.#live;
    if (live === undefined) return;
    this.#discard(live.worker, new Error('the renderer is closed'));
    await live.worker.terminate();
  }

  #spawn(): LiveWorker {
    if (this.#live !== undefined) return this.#live;
    const worker = new Worker(this.#script, {
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
      stdout: false,
      stderr: false,
    });
    const ready = new Promise<void>((resolve, reject) => {
      const fail = (err: Error): void => {
        clearTimeout(timer);
        reject(err);
        this.#discard(worker, err);
      };
      const timer = setTimeout(() => {
        fail(new Error(`the plotting libraries did not load in ${this.#readyTimeoutMs} ms`));
      }, this.#readyTimeoutMs);
      worker.on('message', (reply: RenderReply) => {
        if ('ready' in reply) {
          clearTimeout(timer);
          resolve();
        } else {
          this.#settle(reply);
        }
      });
      worker.on('error', fail);
      worker.on('exit', (code) => {
        fail(new Error(`the render worker exited (code ${code})`));
      });
    });
    // A failed start is reported through ready() or render(); never as an unhandled rejection.
    ready.catch(() => undefined);
    this.#live = { worker, ready };
    return this.#live;
  }

  #settle(reply: Exclude<RenderReply, { ready: true }>): void {
    const waiter = this.#waiters.get(reply.id);
    if (waiter === undefined) return;
    this.#waiters.delete(reply.id);
    clearTimeout(waiter.timer);
    if (reply.ok) waiter.resolve(reply.bytes);
    else waiter.reject(new Error(reply.message));
  }

  /** Fails every render waiting on `worker` and forgets it, so the next render spawns anew. */
  #discard(worker: Worker, reason: Error): void {
    // An old worker's late 'exit' must not fail the renders of the one that replaced it.
    if (this.#live?.worker !== worker) return;
    this.#live = undefined;
    void worker.terminate();
    for (const [id, waiter] of this.#waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(reason);
      this.#waiters.delete(id);
    }
  }
}
