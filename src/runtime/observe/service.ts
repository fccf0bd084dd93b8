/**
 * The daemon's observers: the status line, and (when `http` or `--http` is configured)
 * `/metrics`, `/health` and `/tap/NODE` on the daemon's one web server, shared with the
 * live plots (src/io/web/shared.ts). See docs/observe.md.
 */
import { readFileSync } from 'node:fs';
import type { DaemonSettings } from '../../config/daemon-settings.js';
import { errorMessage } from '../../core/errors.js';
import { getLogger } from '../../core/log.js';
import { setDefaultWebAddress } from '../../io/web/address.js';
import { json } from '../../io/web/responses.js';
import { acquireWebServer, type WebLease } from '../../io/web/shared.js';
import { healthReport, healthStatus } from './health.js';
import { ProblemCounter } from './problems.js';
import { snapshotGraph, type GraphView } from './snapshot.js';
import { StatusTimer } from './status-line.js';
import { TAP_PREFIX, TapHub } from './tap.js';

const log = getLogger('http');

export class ObserveService {
  readonly #view: GraphView;
  readonly #status: StatusTimer;
  readonly #problems = new ProblemCounter('http');
  readonly #taps: TapHub;
  readonly #unroute: (() => void)[] = [];
  #lease: WebLease | undefined;
  #stopping = false;

  constructor(view: GraphView, settings: DaemonSettings) {
    this.#view = view;
    this.#status = new StatusTimer(view, settings.statusIntervalS * 1000);
    this.#taps = new TapHub(view, this.#problems.report);
  }

  /** The server's URL of `path`, once it listens (undefined when no `http` is configured). */
  url(path = '/'): string | undefined {
    return this.#lease?.server.url(path);
  }

  /**
   * Makes the configured address the daemon's web address (so that plot sinks without one
   * of their own share the server), and serves the routes there. Called before any node
   * starts; a port in use is retried in the background like any web server's.
   */
  async start(settings: DaemonSettings): Promise<void> {
    this.#status.start();
    const address = settings.http;
    if (address === undefined) return;
    const token = settings.httpToken;
    setDefaultWebAddress({ ...address, ...(token === undefined ? {} : { token }) });
    const lease = acquireWebServer(address, {
      ...(token === undefined ? {} : { token }),
      report: this.#problems.report,
    });
    this.#lease = lease;
    const { DaemonMetrics, CONTENT_TYPE } = await import('./metrics.js');
    const metrics = new DaemonMetrics(
      {
        snapshot: () => snapshotGraph(this.#view),
        tapWatchers: () => this.#taps.watcherCount,
        tapMissed: () => this.#taps.missedByNode(),
        ownProblems: () => this.#problems.counts(),
      },
      packageVersion(),
    );
    const server = lease.server;
    const report = this.#problems.report;
    this.#unroute.push(
      server.addRoute(
        '/metrics',
        async (_request, response) => {
          const text = await metrics.text();
          response.writeHead(200, {
            'Content-Type': CONTENT_TYPE,
            'Content-Length': Buffer.byteLength(text),
            'Cache-Control': 'no-store',
          });
          response.end(text);
        },
        { title: 'Metrics (Prometheus text format)', report },
      ),
      server.addRoute(
        '/health',
        (_request, response) => {
          if (this.#stopping) {
            json(response, { status: 'stopping', nodes: this.#view.nodes.size, failing: [] }, 503);
            return;
          }
          const health = healthReport(snapshotGraph(this.#view), Date.now());
          json(response, health, healthStatus(health));
        },
        { title: 'Health', report },
      ),
      server.addRoute(TAP_PREFIX, this.#taps.handle, { report, prefix: true }),
    );
    await server.listen();
    const where = server.url('/metrics');
    if (where !== undefined) log.info(`Metrics at ${where}, health at ${server.url('/health')}`);
  }

  /** Stops the status line; /health answers 503 "stopping" from now on. */
  beginStop(): void {
    this.#stopping = true;
    this.#status.stop();
  }

  /** Detaches every tap and gives the web server up (the last user closes it). */
  async close(): Promise<void> {
    this.beginStop();
    this.#taps.close();
    for (const unroute of this.#unroute.splice(0)) unroute();
    const lease = this.#lease;
    this.#lease = undefined;
    try {
      await lease?.release();
    } catch (err) {
      log.error(`Closing the web server failed: ${errorMessage(err)}`);
    }
  }
}

function packageVersion(): string {
  try {
    const text = readFileSync(new URL('../../../package.json', import.meta.url), 'utf8');
    return (JSON.parse(text) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
