/** The default process-wide budget for bytes waiting to be sent: 64 MiB. */
export const DEFAULT_SEND_BUDGET_BYTES = 64 * 1024 * 1024;

/**
 * When the budget is reached, the slowest peers' queues are dropped until this share of it
 * is free again, so that a burst of non-reading peers costs one sweep, not one per message.
 */
const REFILL_TO = 0.75;

/**
 * A peer with less than this waiting is keeping up (a chunk or two in the queue is the
 * normal state of a fast reader), and is never dropped from for the budget.
 */
export const BEHIND_BYTES = 256 * 1024;

/** What the budget needs of a connection's send queue. */
export interface BudgetedQueue {
  /** Bytes waiting in this queue, not yet handed to the socket. */
  readonly queuedBytes: number;
  /** Drops everything still queued (counted by the queue's owner); for the slowest first. */
  dropQueued(): void;
  /** Disconnects the peer when it has taken nothing for its stall timeout. */
  checkStalled(now: number): void;
}

/**
 * One encoded batch of frames, written to every connection from the same memory: a server
 * with a hundred clients holds a broadcast once, not a hundred times. The budget counts its
 * bytes once, from when the first connection takes it until the last lets it go.
 */
export class OutgoingChunk<Part = unknown> {
  readonly buffer: Buffer;
  readonly messages: number;
  /** Client: the frames the chunk was built from, to requeue them if it is never sent. */
  readonly parts: readonly Part[] | undefined;
  readonly #budget: SendBudget;
  #holders = 0;

  constructor(
    buffer: Buffer,
    messages: number,
    budget: SendBudget,
    parts: readonly Part[] | undefined,
  ) {
    this.buffer = buffer;
    this.messages = messages;
    this.#budget = budget;
    this.parts = parts;
  }

  get bytes(): number {
    return this.buffer.length;
  }

  hold(): void {
    if (this.#holders === 0) this.#budget.add(this.buffer.length);
    this.#holders += 1;
  }

  release(): void {
    if (this.#holders === 0) return;
    this.#holders -= 1;
    if (this.#holders === 0) this.#budget.remove(this.buffer.length);
  }
}

/**
 * The process-wide bound on bytes waiting to be sent, over every connection of every
 * SocketDataFilter: per-connection bounds alone let a thousand non-reading peers hold a
 * thousand send buffers. Each chunk is counted once however many connections hold it.
 * It also runs the one timer that disconnects stalled peers.
 */
export class SendBudget {
  readonly #defaultLimit: number;
  /** The limit each node asked for; the smallest applies. */
  readonly #requested = new Map<object, number>();
  readonly #queues = new Set<BudgetedQueue>();
  #held = 0;
  #sweepTimer: NodeJS.Timeout | undefined;
  readonly #sweepMs: number;

  constructor(defaultLimit = DEFAULT_SEND_BUDGET_BYTES, sweepMs = 1000) {
    this.#defaultLimit = defaultLimit;
    this.#sweepMs = sweepMs;
  }

  /** Bytes held now, each chunk once. */
  get held(): number {
    return this.#held;
  }

  get limit(): number {
    let limit = Infinity;
    for (const value of this.#requested.values()) limit = Math.min(limit, value);
    return limit === Infinity ? this.#defaultLimit : limit;
  }

  /** A node's `send_budget_bytes`, until `withdraw(owner)`; the smallest of them applies. */
  request(owner: object, limit: number): void {
    this.#requested.set(owner, limit);
  }

  withdraw(owner: object): void {
    this.#requested.delete(owner);
  }

  register(queue: BudgetedQueue): void {
    this.#queues.add(queue);
    this.#sweepTimer ??= setInterval(() => {
      this.#sweep();
    }, this.#sweepMs).unref();
  }

  unregister(queue: BudgetedQueue): void {
    this.#queues.delete(queue);
    if (this.#queues.size === 0 && this.#sweepTimer !== undefined) {
      clearInterval(this.#sweepTimer);
      this.#sweepTimer = undefined;
    }
  }

  add(bytes: number): void {
    this.#held += bytes;
  }

  remove(bytes: number): void {
    this.#held = Math.max(0, this.#held - bytes);
  }

  /**
   * Makes room for `bytes` more. When the budget would be exceeded, the queues of the
   * slowest connections (the most bytes waiting, BEHIND_BYTES at least) are dropped first,
   * until a quarter of the budget is free again. Returns whether `bytes` now fit.
   */
  makeRoom(bytes: number): boolean {
    const limit = this.limit;
    if (this.#held + bytes <= limit) return true;
    const target = Math.min(limit * REFILL_TO, limit - bytes);
    const slowest = [...this.#queues]
      .filter((q) => q.queuedBytes >= BEHIND_BYTES)
      .sort((a, b) => b.queuedBytes - a.queuedBytes);
    for (const queue of slowest) {
      if (this.#held <= target) break;
      queue.dropQueued();
    }
    return this.#held + bytes <= limit;
  }

  #sweep(): void {
    const now = Date.now();
    for (const queue of [...this.#queues]) queue.checkStalled(now);
  }
}

/** The one budget of this process. */
export const processSendBudget = new SendBudget();
