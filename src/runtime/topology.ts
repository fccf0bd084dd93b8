/**
 * Orders nodes so that every node comes before the nodes it sends to. The graph has been
 * checked for cycles already; ties keep declaration order so start-up is predictable.
 */
export function upstreamFirst(
  names: readonly string[],
  edges: readonly { readonly from: string; readonly to: string }[],
): string[] {
  const incoming = new Map<string, number>(names.map((n) => [n, 0]));
  const outgoing = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const { from, to } of edges) {
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
