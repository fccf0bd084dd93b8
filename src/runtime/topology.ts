export interface Edge {
  readonly from: string;
  readonly to: string;
}

/**
 * Orders nodes so that every node comes before the nodes it sends to. The graph has been
 * checked for cycles already; ties keep declaration order so start-up is predictable.
 */
export function upstreamFirst(names: readonly string[], edges: readonly Edge[]): string[] {
  const incoming = new Map<string, number>(names.map((n) => [n, 0]));
  const outgoing = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const { from, to } of edges) {
    if (!incoming.has(to) || !outgoing.has(from)) continue;
    incoming.set(to, (incoming.get(to) ?? 0) + 1);
    outgoing.get(from)?.push(to);
  }
  const ready = names.filter((n) => incoming.get(n) === 0);
  const order: string[] = [];
  while (ready.length > 0) {
    const name = ready.shift() as string;
    order.push(name);
    for (const next of outgoing.get(name) ?? []) {
      const left = (incoming.get(next) ?? 0) - 1;
      incoming.set(next, left);
      if (left === 0) ready.push(next);
    }
  }
  return order;
}

/** For each of `names`, the nodes among `names` that send to it directly. */
export function upstreamOf(
  names: readonly string[],
  edges: readonly Edge[],
): Map<string, string[]> {
  const known = new Set(names);
  const upstream = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const { from, to } of edges) {
    if (!known.has(from) || !known.has(to)) continue;
    const list = upstream.get(to) as string[];
    if (!list.includes(from)) list.push(from);
  }
  return upstream;
}

/** Each source's sinks in edge order: the order `send` delivers in. */
export function sinksOf(edges: readonly Edge[]): Map<string, string[]> {
  const sinks = new Map<string, string[]>();
  for (const { from, to } of edges) {
    const list = sinks.get(from) ?? [];
    if (!list.includes(to)) list.push(to);
    sinks.set(from, list);
  }
  return sinks;
}
