import { isDeepStrictEqual } from 'node:util';

/** What makes a running node the same as a node of the new configuration. */
export interface NodeIdentity {
  readonly name: string;
  readonly className: string;
  /** The class itself: a plugin file changed on disk loads as a new class. */
  readonly cls: unknown;
  /** The options after the schema's decoding and defaults. */
  readonly options: Record<string, unknown>;
}

export interface ReloadPlan {
  /** Same name, class and options: left running untouched (only its edges may change). */
  readonly kept: readonly string[];
  /** Same name, but another class or other options: closed, then started anew. */
  readonly restarted: readonly string[];
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

/** Compares the running nodes with the new configuration's, by name. */
export function planReload(
  running: ReadonlyMap<string, NodeIdentity>,
  wanted: readonly NodeIdentity[],
): ReloadPlan {
  const kept: string[] = [];
  const restarted: string[] = [];
  const added: string[] = [];
  const wantedNames = new Set<string>();
  for (const next of wanted) {
    wantedNames.add(next.name);
    const now = running.get(next.name);
    if (now === undefined) added.push(next.name);
    else if (sameNode(now, next)) kept.push(next.name);
    else restarted.push(next.name);
  }
  const removed = [...running.keys()].filter((name) => !wantedNames.has(name));
  return { kept, restarted, added, removed };
}

function sameNode(a: NodeIdentity, b: NodeIdentity): boolean {
  return a.className === b.className && a.cls === b.cls && isDeepStrictEqual(a.options, b.options);
}
