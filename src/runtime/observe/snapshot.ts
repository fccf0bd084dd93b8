/**
 * One reading of the whole graph, taken when asked (a scrape, a status line, a health
 * check) and never per record: what every node sent and received, its counters and gauges,
 * and whether it is healthy.
 */
import { RUNTIME_EVENTS, type RuntimeCode } from '../../core/errors.js';
import { DataFilter, DataSource, type DataNode, type NodeHealth } from '../../core/node.js';

/** What the observers read: the daemon's nodes and edges as they are now (a reload may change them). */
export interface GraphView {
  readonly nodes: ReadonlyMap<string, DataNode>;
  readonly edges: readonly { readonly from: string; readonly to: string }[];
}

export type NodeKind = 'source' | 'filter' | 'sink';

export interface NodeSnapshot {
  readonly name: string;
  readonly className: string;
  readonly kind: NodeKind;
  /** What its upstream nodes sent it (every send reaches every connected sink). */
  readonly recordsIn: number;
  readonly recordsOut: number;
  readonly sends: number;
  /** Counters that are runtime events, by code: what was dropped or went wrong, and why. */
  readonly events: readonly { readonly code: RuntimeCode; readonly count: number }[];
  /** Every other counter, by name. */
  readonly counters: Readonly<Record<string, number>>;
  readonly gauges: Readonly<Record<string, number>>;
  readonly health: NodeHealth;
  readonly reconnects: number;
}

/** The runtime code of each event counter name. */
const EVENT_OF_COUNTER: ReadonlyMap<string, RuntimeCode> = new Map(
  (Object.entries(RUNTIME_EVENTS) as [RuntimeCode, { counter: string }][]).map(([code, spec]) => [
    spec.counter,
    code,
  ]),
);

export function snapshotGraph(view: GraphView): NodeSnapshot[] {
  const recordsIn = new Map<string, number>();
  for (const { from, to } of view.edges) {
    const upstream = view.nodes.get(from);
    if (!(upstream instanceof DataSource)) continue;
    recordsIn.set(to, (recordsIn.get(to) ?? 0) + upstream.recordsOut);
  }
  const out: NodeSnapshot[] = [];
  for (const [name, node] of view.nodes) {
    const { counters: all, gauges } = safeReadings(node);
    const events: { code: RuntimeCode; count: number }[] = [];
    const counters: Record<string, number> = {};
    for (const [counter, value] of Object.entries(all)) {
      const code = EVENT_OF_COUNTER.get(counter);
      if (code === undefined) counters[counter] = value;
      else events.push({ code, count: value });
    }
    const source = node instanceof DataSource ? node : undefined;
    out.push({
      name,
      className: node.constructor.name,
      kind: node instanceof DataFilter ? 'filter' : source === undefined ? 'sink' : 'source',
      recordsIn: recordsIn.get(name) ?? 0,
      recordsOut: source?.recordsOut ?? 0,
      sends: source?.sends ?? 0,
      events,
      counters,
      gauges,
      health: safeHealth(node),
      reconnects: node.reconnects,
    });
  }
  return out;
}

/** A user plugin's gauges() that throws must not take the scrape down with it. */
function safeReadings(node: DataNode): {
  counters: Readonly<Record<string, number>>;
  gauges: Readonly<Record<string, number>>;
} {
  try {
    return node.readings();
  } catch {
    return { counters: {}, gauges: {} };
  }
}

function safeHealth(node: DataNode): NodeHealth {
  try {
    return node.health();
  } catch (err) {
    return { ok: false, since: Date.now(), detail: `health() threw: ${String(err)}` };
  }
}
