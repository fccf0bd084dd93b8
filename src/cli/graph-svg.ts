/**
 * SVG by a real Graphviz, compiled to WebAssembly (@hpcc-js/wasm-graphviz): no system
 * package needed. Imported only when `datalogd graph --format svg` asks for it, so the
 * daemon and the other commands never load the few megabytes of WebAssembly.
 */
export async function renderSvg(dot: string): Promise<string> {
  const { Graphviz } = await import('@hpcc-js/wasm-graphviz');
  const graphviz = await Graphviz.load();
  return graphviz.dot(dot, 'svg');
}
