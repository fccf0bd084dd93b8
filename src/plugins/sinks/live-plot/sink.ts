/**
 * The live plot: records matched to traces go into one ring of points per trace, and are
 * pushed, batched, to every page open on the daemon's web server. A page that connects
 * (or reconnects after a restart, or after being dropped for not reading) first receives
 * what the rings hold, then live points.
 */
import nodePath from 'node:path';
import type { ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';
import { DataSink, type Data, type DataRecord } from '../../../core/node.js';
import { utf8Bytes } from '../../../core/bounded-queue.js';
import { DatalogdError, errorMessage } from '../../../core/errors.js';
import { isRecord } from '../../../python/records.js';
import { KeyValSelector } from '../../../python/selector.js';
import { listify } from '../../../python/values.js';
import { addressKey, defaultWebAddress, type WebAddress } from '../../../io/web/address.js';
import { ClientQueue } from '../../../io/web/client-queue.js';
import { html, json } from '../../../io/web/responses.js';
import { announcedStores } from '../../../io/store-registry.js';
import { acquireWebServer, type WebLease } from '../../../io/web/shared.js';
import { staticFile } from '../../../io/web/static-files.js';
import { pageAssets } from './assets.js';
import {
  HISTORY_RANGES,
  historyFailure,
  loadHistory,
  MAX_HISTORY_POINTS,
  type HistoryRange,
} from './history.js';
import type { Layout } from './layout.js';
import { plotPage } from './page.js';
import { helloMessage, pointsMessage, syncedMessage, type TracePoints } from './protocol.js';
import { readPoint } from './reading.js';
import { TraceBuffer } from './trace-buffer.js';

export interface LivePlotConfig {
  readonly npoints: number;
  readonly layout: Layout;
  readonly xlink: boolean;
  readonly crosshair: boolean;
  readonly title: string | null;
  readonly size: readonly [number, number] | null;
  /** Seconds of data held and shown; null for no limit but `npoints`. */
  readonly window: number | null;
  /** The SQLite store history is read from; null: the graph's only one; false: none. */
  readonly history: string | false | null;
  /** Host and port as configured; null takes the daemon's web address. */
  readonly host: string | null;
  readonly port: number | null;
  readonly token: string | undefined;
  /** Options given that only mean something to Qt, named once in the start-up log. */
  readonly qtOnly: readonly string[];
}

/** Limits of one page's connection. */
export const PAGE_LIMITS = {
  /** Batches waiting for a page: at 60 a second, 8 s of lag; then it resynchronises. */
  maxMessages: 512,
  /** About 13 s of 10,000 points a second. */
  maxBytes: 4 * 1024 * 1024,
  highWaterBytes: 512 * 1024,
  /** A tab that reads nothing for this long is dropped; it reconnects when it wakes. */
  stallMs: 5000,
};
/** Points per backlog message: small enough to interleave, large enough to be cheap. */
const BACKLOG_CHUNK = 8192;
/** Batches go out at most this often: one per frame of a 60 Hz display. */
const FRAME_MS = 16;

interface Trace {
  readonly buffer: TraceBuffer;
  readonly selector: KeyValSelector;
  units: string | null;
  /** Points up to here went out in a batch (or predate every connected page). */
  flushed: number;
}

interface Page {
  readonly queue: ClientQueue;
  /** Per trace: the next point of the backlog to send. */
  readonly cursors: number[];
  stage: 'hello' | 'backlog' | 'live';
}

export class LivePlotSink extends DataSink {
  readonly #config: LivePlotConfig;
  readonly #traces: Trace[];
  readonly #pages = new Set<Page>();
  readonly #counts = this.counters('records_in', 'points_in');
  #lease: WebLease | undefined;
  readonly #unroute: (() => void)[] = [];
  #flushTimer: NodeJS.Timeout | undefined;
  #flushImmediate: NodeJS.Immediate | undefined;
  #lastFlush = 0;
  #unitsChanged: [number, string][] = [];
  #skippedShown = -1;
  /** A history read in progress: one at a time, so that pages cannot pile reads up. */
  #historyBusy = false;

  constructor(config: LivePlotConfig) {
    super();
    this.#config = config;
    this.#traces = config.layout.panels.flatMap((panel) =>
      panel.traces.map((trace) => ({
        buffer: new TraceBuffer(config.npoints),
        selector: new KeyValSelector(trace.selector),
        units: null,
        flushed: 0,
      })),
    );
    this.declareEvents(
      'DATALOGD_ERR_PLOT_SKIPPED',
      'DATALOGD_ERR_PLOT_BAD_VALUE',
      'DATALOGD_ERR_WEB_CLIENT_STALLED',
      'DATALOGD_ERR_WEB_CLIENTS_FULL',
      'DATALOGD_ERR_PLOT_HISTORY_FAILED',
    );
  }

  /** The page's path on the server. */
  get pagePath(): string {
    return `/plot/${this.nodeName}/`;
  }

  /** The page's URL, once the server listens. */
  get url(): string | undefined {
    const server = this.#lease?.server;
    return server?.url(`/plot/${encodeURIComponent(this.nodeName)}/`);
  }

  override async start(): Promise<void> {
    if (this.#lease !== undefined) return;
    const address = this.#address();
    const token = this.#token(address);
    try {
      this.#lease = acquireWebServer(address, {
        ...(token === undefined ? {} : { token }),
        report: this.reporter,
      });
    } catch (err) {
      throw new DatalogdError(
        'DATALOGD_ERR_NODE_START',
        `node "${this.nodeName}": ${errorMessage(err)}`,
        {
          node: this.nodeName,
          cause: err,
        },
      );
    }
    const server = this.#lease.server;
    const title = this.#title();
    const route = { report: this.reporter };
    this.#unroute.push(
      server.addRoute(
        this.pagePath,
        (_request, response) => {
          html(response, plotPage(title));
        },
        { ...route, title },
      ),
      server.addRoute(
        `${this.pagePath}history`,
        (_request, response, url) => this.#serveHistory(response, url),
        route,
      ),
      server.addWebSocketRoute(
        `${this.pagePath}ws`,
        (ws) => {
          this.#connect(ws);
        },
        route,
      ),
    );
    for (const [path, file] of pageAssets()) {
      this.#unroute.push(server.addRoute(path, staticFile(file), { shared: true }));
    }
    if (this.#config.qtOnly.length > 0 || this.#config.layout.ignored.length > 0) {
      const names = [...this.#config.qtOnly, ...this.#config.layout.ignored];
      this.log.info(
        `Options for Qt only, accepted and ignored in the browser: ${names.join(', ')}.`,
      );
    }
    await server.listen();
    const url = this.url;
    if (url !== undefined) this.log.info(`Live plot at ${url}`);
  }

  override receive(data: Data): undefined {
    // Python's sinks ignore None; a source that has nothing sends nothing worth counting.
    if (data === null || data === undefined) return undefined;
    const now = Date.now();
    const traces = this.#traces;
    let skipped = 0;
    let bad = 0;
    let badReason = '';
    let added = 0;
    const items = listify(data);
    for (const item of items) {
      if (!isRecord(item)) {
        skipped += 1;
        continue;
      }
      const record = item as DataRecord;
      let matched = false;
      for (let t = 0; t < traces.length; t++) {
        const trace = traces[t] as Trace;
        if (!trace.selector.matches(record)) continue;
        matched = true;
        const point = readPoint(record, now);
        if (!point.ok) {
          if (point.reason === 'no value') skipped += 1;
          else {
            bad += 1;
            badReason = point.reason;
          }
          break;
        }
        trace.buffer.push(point.x, point.y);
        added += 1;
        const units = record.units;
        if (typeof units === 'string' && units !== trace.units) {
          trace.units = units;
          this.#unitsChanged.push([t, units]);
        }
        if (this.#config.window !== null) {
          trace.buffer.dropBefore((trace.buffer.lastX() ?? 0) - this.#config.window * 1000);
        }
      }
      if (!matched) skipped += 1;
    }
    this.#counts.records_in += items.length;
    this.#counts.points_in += added;
    if (skipped > 0) {
      this.report(
        'DATALOGD_ERR_PLOT_SKIPPED',
        `${skipped} record(s) matched no trace or had no value`,
        { count: skipped },
      );
    }
    if (bad > 0) {
      this.report(
        'DATALOGD_ERR_PLOT_BAD_VALUE',
        `skipped ${bad} record(s) whose value or timestamp cannot be plotted (${badReason})`,
        { count: bad },
      );
    }
    if (this.#pages.size > 0 && (added > 0 || skipped > 0 || bad > 0)) this.#scheduleFlush();
    return undefined;
  }

  protected override gauges(): Record<string, number> {
    let queued = 0;
    for (const page of this.#pages) queued += page.queue.bytes;
    let held = 0;
    for (const trace of this.#traces) held += trace.buffer.length;
    return { pages: this.#pages.size, points_held: held, page_bytes_queued: queued };
  }

  protected override async onClose(): Promise<void> {
    if (this.#flushTimer !== undefined) clearTimeout(this.#flushTimer);
    if (this.#flushImmediate !== undefined) clearImmediate(this.#flushImmediate);
    for (const unroute of this.#unroute.splice(0)) unroute();
    for (const page of this.#pages) page.queue.stop();
    this.#pages.clear();
    const lease = this.#lease;
    this.#lease = undefined;
    await lease?.release();
  }

  #address(): WebAddress {
    const fallback = defaultWebAddress();
    return { host: this.#config.host ?? fallback.host, port: this.#config.port ?? fallback.port };
  }

  /** The node's own token; else the daemon's, when the node is served at the daemon's address. */
  #token(address: WebAddress): string | undefined {
    if (this.#config.token !== undefined) return this.#config.token;
    const fallback = defaultWebAddress();
    return addressKey(address) === addressKey(fallback) ? fallback.token : undefined;
  }

  #title(): string {
    return this.#config.title ?? this.nodeName;
  }

  #connect(ws: WebSocket): void {
    if (this.#lease === undefined) {
      ws.terminate();
      return;
    }
    if (this.#pages.size === 0) {
      // No page needs the points since the last batch as a batch: the backlog has them.
      for (const trace of this.#traces) trace.flushed = trace.buffer.nextSeq;
    }
    const cursors = this.#traces.map((trace) => trace.buffer.firstSeq);
    const page: Page = {
      cursors,
      stage: 'hello',
      queue: new ClientQueue(ws, {
        ...PAGE_LIMITS,
        whenFull: 'disconnect',
        report: this.reporter,
        describe: `a page of live plot ${this.nodeName}`,
        first: () => this.#backlog(page),
      }),
    };
    this.#pages.add(page);
    ws.on('close', () => {
      page.queue.stop();
      this.#pages.delete(page);
    });
    // Pages send nothing the daemon acts on; reading keeps the socket's buffers empty.
    ws.on('message', () => undefined);
    page.queue.pump();
  }

  /** The next backlog message for `page`, or undefined once it is live. */
  #backlog(page: Page): string | undefined {
    if (page.stage === 'hello') {
      page.stage = 'backlog';
      return this.#hello();
    }
    if (page.stage === 'live') return undefined;
    for (let t = 0; t < this.#traces.length; t++) {
      const trace = this.#traces[t] as Trace;
      const from = Math.max(page.cursors[t] ?? 0, trace.buffer.firstSeq);
      if (from >= trace.flushed) continue;
      const to = Math.min(trace.flushed, from + BACKLOG_CHUNK);
      page.cursors[t] = to;
      const points = trace.buffer.json(from, to);
      if (points.count === 0) continue;
      return pointsMessage([{ index: t, x: points.x, y: points.y }]);
    }
    page.stage = 'live';
    return syncedMessage(
      this.#traces.map((trace) => trace.units),
      this.#skipCounts(),
    );
  }

  /** The store the history buttons read, if there is one. */
  #historyFile(): string | undefined {
    const history = this.#config.history;
    if (history === false) return undefined;
    if (history !== null) return nodePath.resolve(history);
    const stores = announcedStores();
    return stores.length === 1 ? stores[0] : undefined;
  }

  /**
   * GET history?range=hour|run[&before=MS]: per trace, the newest points of the range from
   * the store (older than `before`, when given: the page sends its oldest live point), as JSON.
   */
  async #serveHistory(response: ServerResponse, url: URL): Promise<void> {
    const range = url.searchParams.get('range') ?? 'hour';
    if (!(HISTORY_RANGES as readonly string[]).includes(range)) {
      json(response, { error: `range must be one of ${HISTORY_RANGES.join(', ')}` }, 400);
      return;
    }
    const beforeText = url.searchParams.get('before');
    const beforeMs = beforeText === null ? undefined : Number(beforeText);
    if (beforeMs !== undefined && !Number.isFinite(beforeMs)) {
      json(response, { error: 'before must be a time in ms since the epoch' }, 400);
      return;
    }
    const filename = this.#historyFile();
    if (filename === undefined) {
      json(response, { error: 'this plot has no store to read history from' }, 404);
      return;
    }
    if (this.#historyBusy) {
      response.setHeader('Retry-After', '1');
      json(response, { error: 'a history read is in progress; try again' }, 503);
      return;
    }
    this.#historyBusy = true;
    try {
      const result = await loadHistory({
        filename,
        range: range as HistoryRange,
        selectors: this.#traces.map((trace) => trace.selector),
        maxPoints: Math.max(this.#config.npoints, MAX_HISTORY_POINTS),
        nowMs: Date.now(),
        beforeMs,
      });
      json(response, { type: 'history', range, ...result });
    } catch (err) {
      const why = historyFailure(filename, err);
      this.report('DATALOGD_ERR_PLOT_HISTORY_FAILED', `history for a page: ${why}`);
      json(response, { error: why }, 500);
    } finally {
      this.#historyBusy = false;
    }
  }

  #hello(): string {
    const c = this.#config;
    return helloMessage({
      history: this.#historyFile() !== undefined,
      node: this.nodeName,
      title: this.#title(),
      npoints: c.npoints,
      windowMs: c.window === null ? null : c.window * 1000,
      xlink: c.xlink,
      crosshair: c.crosshair,
      size: c.size,
      panels: c.layout.panels,
      units: this.#traces.map((trace) => trace.units),
    });
  }

  /** What the page shows as "not drawn", so that a selector that matches nothing is seen. */
  #skipCounts(): { plot_skipped: number; plot_bad_values: number } {
    const stats = this.stats();
    return { plot_skipped: stats.plot_skipped ?? 0, plot_bad_values: stats.plot_bad_values ?? 0 };
  }

  #scheduleFlush(): void {
    if (this.#flushTimer !== undefined || this.#flushImmediate !== undefined) return;
    const wait = this.#lastFlush + FRAME_MS - Date.now();
    if (wait <= 0) {
      // This tick's other receipts join the batch.
      this.#flushImmediate = setImmediate(this.#flush);
    } else {
      this.#flushTimer = setTimeout(this.#flush, wait);
    }
  }

  readonly #flush = (): void => {
    this.#flushTimer = undefined;
    this.#flushImmediate = undefined;
    this.#lastFlush = Date.now();
    const parts: TracePoints[] = [];
    for (let t = 0; t < this.#traces.length; t++) {
      const trace = this.#traces[t] as Trace;
      const to = trace.buffer.nextSeq;
      if (to <= trace.flushed) continue;
      const points = trace.buffer.json(trace.flushed, to);
      trace.flushed = to;
      if (points.count > 0) parts.push({ index: t, x: points.x, y: points.y });
    }
    const units = this.#unitsChanged.splice(0);
    const counts = this.#skipCounts();
    const skippedNow = counts.plot_skipped + counts.plot_bad_values;
    const skipped = skippedNow === this.#skippedShown ? undefined : counts;
    this.#skippedShown = skippedNow;
    if (parts.length === 0 && units.length === 0 && skipped === undefined) return;
    const message = pointsMessage(parts, units, skipped);
    const bytes = utf8Bytes(message);
    for (const page of this.#pages) {
      if (page.stage === 'live') page.queue.push(message, bytes);
    }
  };
}
