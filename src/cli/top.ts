/**
 * `datalogd top`: a live table of every node of the running daemon, its records in and out
 * (totals and rates), runtime events (drops and faults) and what it holds now, read from
 * `/metrics` every `--interval` seconds. `--once` prints one table (after one interval, so
 * that it has rates) and exits, for scripts and tests.
 */
import { errorMessage } from '../core/errors.js';
import { parsePrometheusText, type Exposition } from '../io/prometheus-text.js';
import {
  daemonEndpoint,
  readBody,
  request,
  type DaemonEndpoint,
  type EndpointOptions,
} from './daemon-endpoint.js';

export interface TopOptions extends EndpointOptions {
  readonly interval?: number;
  readonly once?: boolean;
}

interface NodeRow {
  readonly node: string;
  readonly className: string;
  readonly up: boolean;
  readonly recordsIn: number | undefined;
  readonly recordsOut: number | undefined;
  readonly events: number;
  /** The non-zero runtime event counters and gauges, as `name=value`. */
  readonly detail: string[];
}

export async function topCommand(options: TopOptions): Promise<number> {
  const intervalS = options.interval ?? 2;
  if (!(intervalS >= 0.1)) {
    process.stderr.write('datalogd top: --interval must be at least 0.1 seconds\n');
    return 2;
  }
  let endpoint: DaemonEndpoint;
  try {
    endpoint = await daemonEndpoint(options);
  } catch (err) {
    process.stderr.write(`datalogd top: ${errorMessage(err)}\n`);
    return 1;
  }
  const live = options.once !== true && process.stdout.isTTY;
  let before: { at: number; rows: Map<string, NodeRow> } | undefined;
  for (;;) {
    let rows: Map<string, NodeRow>;
    try {
      rows = nodeRows(await scrape(endpoint));
    } catch (err) {
      process.stderr.write(`datalogd top: ${endpoint.url('/metrics')}: ${errorMessage(err)}\n`);
      return 1;
    }
    const at = performance.now();
    if (before !== undefined || options.once !== true) {
      const table = formatTable(rows, before, at);
      const head = `datalogd at ${endpoint.url('/')}, every ${intervalS} s${live ? ' (Ctrl-C quits)' : ''}`;
      process.stdout.write(`${live ? '\x1b[H\x1b[2J' : ''}${head}\n${table}\n${live ? '' : '\n'}`);
      if (options.once === true) return 0;
    }
    before = { at, rows };
    await new Promise((resolve) => setTimeout(resolve, intervalS * 1000));
  }
}

async function scrape(endpoint: DaemonEndpoint): Promise<Exposition> {
  const response = await request(endpoint, '/metrics', 'text/plain');
  const body = await readBody(response);
  if (response.statusCode !== 200) {
    throw new Error(`answered ${response.statusCode}: ${body.trim().slice(0, 200)}`);
  }
  return parsePrometheusText(body);
}

/** Every node named in the metrics, with its figures. */
export function nodeRows(metrics: Exposition): Map<string, NodeRow> {
  const rows = new Map<
    string,
    { className: string; up: boolean; in?: number; out?: number; events: number; detail: string[] }
  >();
  const row = (labels: Readonly<Record<string, string>>) => {
    const node = labels.node ?? '';
    let entry = rows.get(node);
    if (entry === undefined) {
      entry = { className: labels.class ?? '', up: true, events: 0, detail: [] };
      rows.set(node, entry);
    }
    return entry;
  };
  // Every node has an up sample, in graph order: the rows follow it.
  for (const { name, labels } of metrics.samples) {
    if (name === 'datalogd_node_up' && labels.node !== undefined) row(labels);
  }
  for (const { name, labels, value } of metrics.samples) {
    if (labels.node === undefined) continue;
    switch (name) {
      case 'datalogd_node_up':
        row(labels).up = value === 1;
        break;
      case 'datalogd_node_records_in_total':
        row(labels).in = value;
        break;
      case 'datalogd_node_records_out_total':
        row(labels).out = value;
        break;
      case 'datalogd_node_events_total':
        row(labels).events += value;
        if (value !== 0) row(labels).detail.push(`${labels.counter ?? labels.code}=${value}`);
        break;
      case 'datalogd_node_gauge':
        if (value !== 0) row(labels).detail.push(`${labels.gauge}=${value}`);
        break;
      default:
    }
  }
  return new Map(
    [...rows].map(([node, r]) => [
      node,
      {
        node,
        className: r.className,
        up: r.up,
        recordsIn: r.in,
        recordsOut: r.out,
        events: r.events,
        detail: r.detail,
      },
    ]),
  );
}

/** The table: one line a node, columns aligned, rates from the previous reading. */
export function formatTable(
  rows: ReadonlyMap<string, NodeRow>,
  before: { at: number; rows: ReadonlyMap<string, NodeRow> } | undefined,
  at: number,
): string {
  const seconds = before === undefined ? 0 : (at - before.at) / 1000;
  const rate = (now: number | undefined, then: number | undefined): string => {
    if (now === undefined) return '';
    if (then === undefined || seconds <= 0) return '-';
    return formatRate(Math.max(0, now - then) / seconds);
  };
  const header = ['NODE', 'CLASS', 'STATE', 'IN', 'IN/s', 'OUT', 'OUT/s', 'EVENTS', 'DETAIL'];
  const lines: string[][] = [header];
  for (const r of rows.values()) {
    const was = before?.rows.get(r.node);
    lines.push([
      r.node,
      r.className,
      r.up ? 'up' : 'DOWN',
      r.recordsIn === undefined ? '' : String(r.recordsIn),
      rate(r.recordsIn, was?.recordsIn),
      r.recordsOut === undefined ? '' : String(r.recordsOut),
      rate(r.recordsOut, was?.recordsOut),
      String(r.events),
      r.detail.join(' '),
    ]);
  }
  const widths = header.map((_, i) => Math.max(...lines.map((l) => (l[i] ?? '').length)));
  return lines
    .map((cells) =>
      cells
        .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function formatRate(perSecond: number): string {
  if (perSecond >= 10_000) return `${(perSecond / 1000).toFixed(0)}k`;
  if (perSecond >= 100) return perSecond.toFixed(0);
  return perSecond.toFixed(1);
}
