/**
 * `/tap/NODE`: a live stream of what one node sends, for people and scripts watching a
 * running daemon (like `vector tap`). While nobody watches a node nothing is attached to
 * it; the first watcher connects a receiver ahead of the node's own sinks (so it sees each
 * send as it left, before any sink could change it), the last one to leave disconnects it.
 *
 * Each send becomes one Server-Sent Event whose data is the JSON of what was sent. Every
 * watcher has its own bounded queue (ClientQueue, dropping its oldest messages when full):
 * a watcher that reads slowly or not at all costs at most that queue, misses messages
 * instead, and is told how many in a `missed` event placed where the gap is.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { utf8Bytes } from '../../core/bounded-queue.js';
import { errorMessage } from '../../core/errors.js';
import { DataSource, type Data, type DataReceiver, type ReportProblem } from '../../core/node.js';
import { ClientQueue } from '../../io/web/client-queue.js';
import { plain } from '../../io/web/responses.js';
import { stringifyPythonJson } from '../../python/json.js';
import { EventStreamSocket, sseMessage } from './event-stream.js';
import type { GraphView } from './snapshot.js';

export const TAP_PREFIX = '/tap/';

export interface TapLimits {
  /** Watchers at most, over all nodes. */
  readonly maxWatchers: number;
  /** Messages and bytes one watcher's queue holds at most. */
  readonly maxMessages: number;
  readonly maxBytes: number;
  /** Nothing more is handed to a response whose own buffer holds more than this. */
  readonly highWaterBytes: number;
  /** A watcher that finishes no write for this long, with messages waiting, is dropped. */
  readonly stallMs: number;
}

export const DEFAULT_TAP_LIMITS: TapLimits = {
  maxWatchers: 16,
  maxMessages: 1000,
  maxBytes: 1024 * 1024,
  highWaterBytes: 256 * 1024,
  // Long: a terminal paused for a while should find its tap still there, with a gap told.
  stallMs: 120_000,
};

/** What a node's watchers share: the receiver attached to the node while anyone watches. */
class TapReceiver implements DataReceiver {
  readonly watchers = new Set<ClientQueue>();
  /** Messages every watcher of this node missed, including departed ones. */
  missed = 0;
  readonly #onUnencodable: (err: unknown) => void;

  constructor(onUnencodable: (err: unknown) => void) {
    this.#onUnencodable = onUnencodable;
  }

  receive(data: Data): undefined {
    let json: string | undefined;
    try {
      json = stringifyPythonJson(data);
    } catch (err) {
      this.#onUnencodable(err);
      return undefined;
    }
    const message = sseMessage(json ?? 'null');
    const bytes = utf8Bytes(message);
    for (const queue of this.watchers) queue.push(message, bytes);
    return undefined;
  }
}

export class TapHub {
  readonly #view: GraphView;
  readonly #report: ReportProblem;
  readonly #limits: TapLimits;
  readonly #taps = new Map<DataSource, TapReceiver>();
  /** Misses of nodes no longer tapped, kept so that the counter never goes down. */
  readonly #missedBefore = new Map<string, number>();

  constructor(view: GraphView, report: ReportProblem, limits: TapLimits = DEFAULT_TAP_LIMITS) {
    this.#view = view;
    this.#report = report;
    this.#limits = limits;
  }

  /** Watchers connected now. */
  get watcherCount(): number {
    let count = 0;
    for (const tap of this.#taps.values()) count += tap.watchers.size;
    return count;
  }

  /** Messages watchers missed so far, by node name. */
  missedByNode(): Map<string, number> {
    const out = new Map(this.#missedBefore);
    for (const [node, tap] of this.#taps) {
      out.set(node.nodeName, (out.get(node.nodeName) ?? 0) + tap.missed);
    }
    return out;
  }

  /** The HTTP handler of `/tap/NODE`. */
  readonly handle = (request: IncomingMessage, response: ServerResponse, url: URL): void => {
    const name = decodeURIComponent(url.pathname).slice(TAP_PREFIX.length);
    if (name === '') {
      const tappable = [...this.#view.nodes].filter(([, n]) => n instanceof DataSource);
      plain(response, 200, tappable.map(([n]) => `${TAP_PREFIX}${n}\n`).join(''));
      return;
    }
    const node = this.#view.nodes.get(name);
    if (node === undefined) {
      plain(response, 404, `No node named "${name}" in the graph.`);
      return;
    }
    if (!(node instanceof DataSource)) {
      plain(response, 400, `"${name}" is a sink: it sends nothing to tap.`);
      return;
    }
    if (this.watcherCount >= this.#limits.maxWatchers) {
      this.#report(
        'DATALOGD_ERR_WEB_CLIENTS_FULL',
        `refused a tap of "${name}": ${this.#limits.maxWatchers} watchers are connected already`,
      );
      plain(response, 503, 'Too many tap watchers.');
      return;
    }
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Accel-Buffering': 'no',
    });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    this.#watch(node, response);
  };

  /** Detaches every tap (the daemon is stopping); watchers' responses end with the server. */
  close(): void {
    for (const [node, tap] of this.#taps) {
      for (const queue of tap.watchers) queue.stop();
      this.#detach(node, tap);
    }
  }

  #watch(node: DataSource, response: ServerResponse): void {
    const tap = this.#attach(node);
    const name = node.nodeName;
    const queue: ClientQueue = new ClientQueue(new EventStreamSocket(response), {
      maxMessages: this.#limits.maxMessages,
      maxBytes: this.#limits.maxBytes,
      highWaterBytes: this.#limits.highWaterBytes,
      stallMs: this.#limits.stallMs,
      whenFull: 'drop-oldest',
      describe: `a tap watcher of "${name}"`,
      report: (code, message, options) => {
        if (code === 'DATALOGD_ERR_WEB_QUEUE_FULL') tap.missed += options?.count ?? 1;
        return this.#report(code, message, { ...options, key: name });
      },
      missedNote: (missed) => sseMessage(JSON.stringify({ missed }), 'missed'),
      first: once(sseMessage(JSON.stringify({ node: name, class: node.constructor.name }), 'tap')),
    });
    tap.watchers.add(queue);
    queue.pump();
    const leave = (): void => {
      queue.stop();
      tap.watchers.delete(queue);
      if (tap.watchers.size === 0) this.#detach(node, tap);
    };
    response.once('close', leave);
  }

  #attach(node: DataSource): TapReceiver {
    const existing = this.#taps.get(node);
    if (existing !== undefined) return existing;
    const tap = new TapReceiver((err) => {
      this.#report(
        'DATALOGD_ERR_UNENCODABLE',
        `a send of "${node.nodeName}" cannot be written as JSON for its tap: ${errorMessage(err)}`,
        { key: node.nodeName },
      );
    });
    this.#taps.set(node, tap);
    // First in the list, so that it sees each send before a sink could change it.
    const sinks = [...node.sinks];
    node.disconnectSinks(sinks);
    node.connectSinks([tap, ...sinks]);
    return tap;
  }

  #detach(node: DataSource, tap: TapReceiver): void {
    if (this.#taps.get(node) !== tap) return;
    this.#taps.delete(node);
    node.disconnectSinks(tap);
    const name = node.nodeName;
    this.#missedBefore.set(name, (this.#missedBefore.get(name) ?? 0) + tap.missed);
  }
}

/** A `first` backlog of one message. */
function once(message: string): () => string | undefined {
  let given = false;
  return () => {
    if (given) return undefined;
    given = true;
    return message;
  };
}
