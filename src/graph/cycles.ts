export interface Edge {
  readonly from: string;
  readonly to: string;
}

/**
 * One cycle per strongly connected component that has one: the nodes in order, starting
 * at the component's node declared first (the path closes back to it). Self-edges are not
 * cycles here; the validator refuses them on their own.
 *
 * Tarjan's algorithm with an explicit stack, so a long chain cannot overflow the call stack.
 */
export function findCycles(names: readonly string[], edges: readonly Edge[]): string[][] {
  const successors = adjacency(names, edges);
  // Declared names first, then names only known from edges, in the order edges name them.
  const order = new Map<string, number>();
  for (const name of [...names, ...successors.keys()]) {
    if (!order.has(name)) order.set(name, order.size);
  }
  return stronglyConnectedComponents(names, successors)
    .filter((component) => component.length > 1)
    .map((component) => {
      const sorted = [...component].sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
      return cycleThrough(sorted[0] as string, new Set(component), successors);
    })
    .sort((a, b) => (order.get(a[0] ?? '') ?? 0) - (order.get(b[0] ?? '') ?? 0));
}

function adjacency(names: readonly string[], edges: readonly Edge[]): Map<string, string[]> {
  const successors = new Map<string, string[]>(names.map((name) => [name, []]));
  for (const { from, to } of edges) {
    if (from === to) continue;
    if (!successors.has(to)) successors.set(to, []);
    const list = successors.get(from);
    if (list === undefined) successors.set(from, [to]);
    else list.push(to);
  }
  return successors;
}

interface Frame {
  readonly name: string;
  next: number;
}

/** Every strongly connected component, each as a list of node names. */
export function stronglyConnectedComponents(
  names: readonly string[],
  successors: ReadonlyMap<string, readonly string[]>,
): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;

  const visit = (name: string, frames: Frame[]): void => {
    index.set(name, counter);
    low.set(name, counter);
    counter += 1;
    stack.push(name);
    onStack.add(name);
    frames.push({ name, next: 0 });
  };

  for (const root of [...names, ...successors.keys()]) {
    if (index.has(root)) continue;
    const frames: Frame[] = [];
    visit(root, frames);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1] as Frame;
      const next = successors.get(frame.name) ?? [];
      if (frame.next < next.length) {
        const child = next[frame.next] as string;
        frame.next += 1;
        if (!index.has(child)) {
          visit(child, frames);
        } else if (onStack.has(child)) {
          low.set(frame.name, Math.min(low.get(frame.name) ?? 0, index.get(child) ?? 0));
        }
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent !== undefined) {
        low.set(parent.name, Math.min(low.get(parent.name) ?? 0, low.get(frame.name) ?? 0));
      }
      if (low.get(frame.name) === index.get(frame.name)) {
        const component: string[] = [];
        let member: string | undefined;
        do {
          member = stack.pop();
          if (member === undefined) break;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.name);
        components.push(component);
      }
    }
  }
  return components;
}

/**
 * The shortest cycle from `start` back to itself inside one component (breadth-first,
 * following edges in file order so the answer is stable).
 */
function cycleThrough(
  start: string,
  component: ReadonlySet<string>,
  successors: ReadonlyMap<string, readonly string[]>,
): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const name = queue[head] as string;
    for (const next of successors.get(name) ?? []) {
      if (!component.has(next)) continue;
      if (next === start) return pathTo(name, start, previous);
      if (previous.has(next)) continue;
      previous.set(next, name);
      queue.push(next);
    }
  }
  return [start];
}

function pathTo(last: string, start: string, previous: ReadonlyMap<string, string>): string[] {
  const path = [last];
  let at = last;
  while (at !== start) {
    at = previous.get(at) as string;
    path.push(at);
  }
  return path.reverse();
}
