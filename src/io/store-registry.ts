/**
 * The SQLite stores this process's sinks are writing, so that a live plot in the same graph
 * can offer their history without being told the file. A store is announced while its
 * sink runs; the same file announced twice counts once.
 */
const announced = new Map<string, number>();

/** Announces `filename` (an absolute path); returns the function that withdraws it. */
export function announceStore(filename: string): () => void {
  announced.set(filename, (announced.get(filename) ?? 0) + 1);
  let withdrawn = false;
  return () => {
    if (withdrawn) return;
    withdrawn = true;
    const users = (announced.get(filename) ?? 1) - 1;
    if (users > 0) announced.set(filename, users);
    else announced.delete(filename);
  };
}

/** The stores being written now, in the order they were first announced. */
export function announcedStores(): string[] {
  return [...announced.keys()];
}
