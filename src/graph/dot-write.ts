/**
 * Writes DOT text that src/graph/dot.ts reads back to the same names and attribute texts:
 * the inverse of `parseGraph`, for `datalogd graph` and for naming nodes in messages.
 */

export type DotAttributes = readonly (readonly [string, string])[];

export interface DotNode {
  readonly name: string;
  readonly attributes: DotAttributes;
}

export interface DotGraph {
  readonly nodes: readonly DotNode[];
  readonly edges: readonly { readonly from: string; readonly to: string }[];
  /** `graph [...]` and `node [...]` statements written first (presentation, for Graphviz). */
  readonly graphDefaults?: DotAttributes;
  readonly nodeDefaults?: DotAttributes;
}

/** A DOT numeral, which is an ID as it stands: `-1`, `0.5`, `.5`. */
const NUMERAL = /^-?(\.[0-9]+|[0-9]+(\.[0-9]*)?)$/;

/** DOT's keywords, which are not IDs unless quoted (case does not matter). */
const KEYWORDS = new Set(['node', 'edge', 'graph', 'digraph', 'subgraph', 'strict']);

/**
 * An ID as DOT reads it: plain when it is a plain identifier, quoted otherwise. Inside the
 * quotes only `"` is escaped: the parser reads `\\` as two backslashes and `\"` as a quote,
 * so the text of an ID it parsed comes back unchanged.
 */
export function dotId(text: string): string {
  if (isPlainId(text) && !KEYWORDS.has(text.toLowerCase())) return text;
  if (NUMERAL.test(text)) return text;
  return `"${text.replaceAll('"', '\\"')}"`;
}

function isPlainId(text: string): boolean {
  if (text === '') return false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    const letter = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch === '_';
    const digit = ch >= '0' && ch <= '9';
    if (!(letter || (digit && i > 0))) return false;
  }
  return true;
}

export function writeDigraph(graph: DotGraph): string {
  const lines = ['digraph {'];
  if (graph.graphDefaults !== undefined && graph.graphDefaults.length > 0) {
    lines.push(`  graph ${attributeList(graph.graphDefaults)};`);
  }
  if (graph.nodeDefaults !== undefined && graph.nodeDefaults.length > 0) {
    lines.push(`  node ${attributeList(graph.nodeDefaults)};`);
  }
  for (const node of graph.nodes) {
    const attributes = node.attributes.length === 0 ? '' : ` ${attributeList(node.attributes)}`;
    lines.push(`  ${dotId(node.name)}${attributes};`);
  }
  for (const { from, to } of graph.edges) lines.push(`  ${dotId(from)} -> ${dotId(to)};`);
  lines.push('}');
  return lines.join('\n') + '\n';
}

function attributeList(attributes: DotAttributes): string {
  return `[${attributes.map(([key, value]) => `${dotId(key)}=${dotId(value)}`).join(', ')}]`;
}
