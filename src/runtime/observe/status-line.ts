/**
 * The status line: every `status_interval`, one info line that says what each node did
 * since start (and since the last line), what it dropped and why, what it holds now, and
 * which nodes are down. Between start and stop the log is no longer silent.
 */
import { RUNTIME_EVENTS } from '../../core/errors.js';
import { getLogger } from '../../core/log.js';
import { snapshotGraph, type GraphView, type NodeSnapshot } from './snapshot.js';

/** Counts at the previous line, by node, for the "(+N)" since then. */
type Previous = ReadonlyMap<string, { readonly in: number; readonly out: number }>;

export function formatStatus(
  nodes: readonly NodeSnapshot[],
  previous: Previous,
  now: number,
): string {
  const down = nodes.filter((n) => !n.health.ok).length;
  const head = `Status: ${nodes.length} node${nodes.length === 1 ? '' : 's'}, ${
    down === 0 ? 'all running' : `${down} not running`
  }`;
  return [head, ...nodes.map((n) => describeNode(n, previous.get(n.name), now))].join('; ');
}

function describeNode(
  node: NodeSnapshot,
  before: { readonly in: number; readonly out: number } | undefined,
  now: number,
): string {
  const parts: string[] = [];
  const delta = (total: number, was: number | undefined): string =>
    was === undefined ? `${total}` : `${total} (+${total - was})`;
  if (node.kind !== 'source') parts.push(`in=${delta(node.recordsIn, before?.in)}`);
  if (node.kind !== 'sink') parts.push(`out=${delta(node.recordsOut, before?.out)}`);
  if (!node.health.ok) {
    const seconds = Math.max(0, Math.round((now - node.health.since) / 1000));
    const why = node.health.detail === undefined ? '' : ` (${node.health.detail})`;
    parts.push(`DOWN for ${seconds} s${why}`);
  }
  for (const { code, count } of node.events) {
    if (count !== 0) parts.push(`${RUNTIME_EVENTS[code].counter}=${count}`);
  }
  for (const [name, value] of Object.entries(node.gauges)) {
    if (value !== 0) parts.push(`${name}=${value}`);
  }
  return `${node.name} ${parts.join(' ')}`;
}

/** Logs the status line every `intervalMs` until stopped; the timer never keeps the process up. */
export class StatusTimer {
  readonly #view: GraphView;
  readonly #intervalMs: number;
  readonly #log = getLogger('datalogd');
  #timer: NodeJS.Timeout | undefined;
  #previous: Previous = new Map();

  constructor(view: GraphView, intervalMs: number) {
    this.#view = view;
    this.#intervalMs = intervalMs;
  }

  start(): void {
    if (this.#timer !== undefined || this.#intervalMs <= 0) return;
    this.#timer = setInterval(() => {
      this.logNow();
    }, this.#intervalMs);
    this.#timer.unref();
  }

  logNow(): void {
    const nodes = snapshotGraph(this.#view);
    this.#log.info(formatStatus(nodes, this.#previous, Date.now()));
    this.#previous = new Map(nodes.map((n) => [n.name, { in: n.recordsIn, out: n.recordsOut }]));
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
