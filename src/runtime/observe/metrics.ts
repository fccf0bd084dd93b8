/**
 * `/metrics`: the graph in the Prometheus text format, through prom-client. Nothing is
 * counted per record for it: every family reads the nodes' own counters when scraped, so a
 * daemon that is never scraped pays nothing, and one scraped every few seconds pays one
 * pass over its nodes per scrape. The process metrics are prom-client's defaults (event
 * loop lag, RSS, heap, handles, GC).
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { RUNTIME_EVENTS, type RuntimeCode } from '../../core/errors.js';
import { logLinesDropped } from '../../core/log.js';
import type { NodeSnapshot } from './snapshot.js';

/** What the families read at each scrape, besides the graph. */
export interface MetricsSources {
  /** One reading of the graph, taken once per scrape. */
  readonly snapshot: () => readonly NodeSnapshot[];
  readonly tapWatchers: () => number;
  readonly tapMissed: () => ReadonlyMap<string, number>;
  /** The observers' own problems (refused requests, full tap queues), by code. */
  readonly ownProblems: () => ReadonlyMap<RuntimeCode, number>;
}

type NodeLabel = 'node' | 'class';

export const CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

export class DaemonMetrics {
  readonly #registry = new Registry();
  readonly #sources: MetricsSources;
  #current: readonly NodeSnapshot[] = [];

  constructor(sources: MetricsSources, version: string) {
    this.#sources = sources;
    const registers = [this.#registry];
    const nodes = (): readonly NodeSnapshot[] => this.#current;
    const labels = (n: NodeSnapshot): Record<NodeLabel, string> => ({
      node: n.name,
      class: n.className,
    });

    /** A counter family with one series per node, read from the snapshot. */
    const perNode = (
      name: string,
      help: string,
      value: (n: NodeSnapshot) => number | undefined,
    ): void => {
      new Counter<NodeLabel>({
        name,
        help,
        labelNames: ['node', 'class'],
        registers,
        collect() {
          this.reset();
          for (const n of nodes()) {
            const v = value(n);
            if (v !== undefined && Number.isFinite(v) && v >= 0) this.inc(labels(n), v);
          }
        },
      });
    };

    perNode(
      'datalogd_node_records_in_total',
      'Records the node received: what its upstream nodes sent.',
      (n) => (n.kind === 'source' ? undefined : n.recordsIn),
    );
    perNode('datalogd_node_records_out_total', 'Records the node sent to its sinks.', (n) =>
      n.kind === 'sink' ? undefined : n.recordsOut,
    );
    perNode('datalogd_node_sends_total', 'Sends (lists of records) the node made.', (n) =>
      n.kind === 'sink' ? undefined : n.sends,
    );
    perNode(
      'datalogd_node_bytes_in_total',
      'Bytes the node read from outside (a socket peer).',
      (n) => n.counters.bytes_in,
    );
    perNode(
      'datalogd_node_bytes_out_total',
      'Bytes the node wrote to outside (a socket peer).',
      (n) => n.counters.bytes_out,
    );
    perNode(
      'datalogd_node_reconnects_total',
      'Times the node came back after being down (reconnected, board found again, database writable again).',
      (n) => n.reconnects,
    );

    new Counter<NodeLabel | 'code' | 'counter'>({
      name: 'datalogd_node_events_total',
      help: 'Runtime events by code: what the node dropped or survived, and why (docs/errors.md).',
      labelNames: ['node', 'class', 'code', 'counter'],
      registers,
      collect() {
        this.reset();
        for (const n of nodes()) {
          for (const { code, count } of n.events) {
            this.inc({ ...labels(n), code, counter: RUNTIME_EVENTS[code].counter }, count);
          }
        }
      },
    });

    new Counter<NodeLabel | 'counter'>({
      name: 'datalogd_node_counter_total',
      help: "The node's other counters, by name (as in its shutdown stats line).",
      labelNames: ['node', 'class', 'counter'],
      registers,
      collect() {
        this.reset();
        for (const n of nodes()) {
          for (const [counter, value] of Object.entries(n.counters)) {
            if (Number.isFinite(value) && value >= 0) this.inc({ ...labels(n), counter }, value);
          }
        }
      },
    });

    new Gauge<NodeLabel | 'gauge'>({
      name: 'datalogd_node_gauge',
      help: 'What the node holds now, by name: buffered records and bytes, queued messages, connections.',
      labelNames: ['node', 'class', 'gauge'],
      registers,
      collect() {
        this.reset();
        for (const n of nodes()) {
          for (const [gauge, value] of Object.entries(n.gauges)) {
            if (Number.isFinite(value)) this.set({ ...labels(n), gauge }, value);
          }
        }
      },
    });

    new Gauge<NodeLabel>({
      name: 'datalogd_node_up',
      help: '1 while the node is running (connected, board found, database writable), else 0.',
      labelNames: ['node', 'class'],
      registers,
      collect() {
        this.reset();
        for (const n of nodes()) this.set(labels(n), n.health.ok ? 1 : 0);
      },
    });

    new Gauge<NodeLabel>({
      name: 'datalogd_node_state_since_seconds',
      help: 'When the node entered its present state (up or down), in seconds since the epoch.',
      labelNames: ['node', 'class'],
      registers,
      collect() {
        this.reset();
        for (const n of nodes()) this.set(labels(n), n.health.since / 1000);
      },
    });

    const tapWatchers = sources.tapWatchers;
    new Gauge({
      name: 'datalogd_tap_watchers',
      help: 'Tap watchers (/tap/NODE) connected now.',
      registers,
      collect() {
        this.set(tapWatchers());
      },
    });

    const tapMissed = sources.tapMissed;
    new Counter<'node'>({
      name: 'datalogd_tap_missed_total',
      help: 'Messages tap watchers of the node missed because they read too slowly.',
      labelNames: ['node'],
      registers,
      collect() {
        this.reset();
        for (const [node, missed] of tapMissed()) this.inc({ node }, missed);
      },
    });

    const ownProblems = sources.ownProblems;
    new Counter<'code'>({
      name: 'datalogd_web_events_total',
      help: 'Runtime events of the metrics, health and tap routes, by code.',
      labelNames: ['code'],
      registers,
      collect() {
        this.reset();
        for (const [code, count] of ownProblems()) this.inc({ code }, count);
      },
    });

    new Counter({
      name: 'datalogd_log_lines_dropped_total',
      help: 'Log lines dropped because nothing read stderr.',
      registers,
      collect() {
        this.reset();
        this.inc(logLinesDropped());
      },
    });

    new Gauge<'version'>({
      name: 'datalogd_info',
      help: 'Always 1; the version label says which datalogd runs.',
      labelNames: ['version'],
      registers,
    }).set({ version }, 1);

    collectDefaultMetrics({ register: this.#registry });
  }

  /** The text of one scrape. */
  async text(): Promise<string> {
    this.#current = this.#sources.snapshot();
    try {
      return await this.#registry.metrics();
    } finally {
      this.#current = [];
    }
  }
}
