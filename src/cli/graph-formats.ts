/**
 * The shapes `datalogd graph` prints a validated graph in.
 *
 * - `dot`: a connection graph datalogd reads back to the same nodes, classes, options and
 *   edges (`datalogd check -g "$(datalogd graph)"` passes). Each node statement names its
 *   class and only the options that differ from their defaults. It carries no `label`,
 *   which would be an unknown option to every plugin; Graphviz shows it with node names.
 * - `mermaid`: a flowchart for Markdown (GitHub, GitLab), each node labelled with its
 *   name, class and those options.
 * - `svg`: the same labelled boxes, laid out by Graphviz (see graph-svg.ts).
 */
import type { PluginKind } from '../core/registry.js';
import { writeDigraph, type DotAttributes } from '../graph/dot-write.js';
import type { GraphSummary, NodeSummary } from '../runtime/graph-summary.js';

export const GRAPH_FORMATS = ['dot', 'mermaid', 'svg'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

/** Option values longer than this are shortened in labels (the `dot` format keeps them whole). */
const LABEL_VALUE_CHARS = 60;

const KIND_COLOURS: Readonly<Record<PluginKind, string>> = {
  DataSource: '#d5e8d4',
  DataFilter: '#dae8fc',
  DataSink: '#ffe6cc',
};

export function connectionGraphDot(summary: GraphSummary): string {
  return writeDigraph({
    nodes: summary.nodes.map((node) => ({
      name: node.name,
      attributes: [['class', node.className], ...node.options],
    })),
    edges: summary.edges,
  });
}

/** The graph for Graphviz to draw: labelled boxes coloured by kind, flowing left to right. */
export function labelledDot(summary: GraphSummary): string {
  return writeDigraph({
    graphDefaults: [['rankdir', 'LR']],
    nodeDefaults: [
      ['shape', 'box'],
      ['style', 'rounded,filled'],
      ['fontname', 'DejaVu Sans'],
      ['fontsize', '11'],
    ],
    nodes: summary.nodes.map((node) => ({
      name: node.name,
      attributes: [
        // Graphviz reads backslash escapes in labels (\n, \N); a user's own backslashes are
        // doubled so that they are shown, and lines are joined with Graphviz's \n.
        [
          'label',
          labelLines(node)
            .map((line) => line.replaceAll('\\', '\\\\'))
            .join('\\n'),
        ],
        ['fillcolor', KIND_COLOURS[node.kind]],
      ] satisfies DotAttributes,
    })),
    edges: summary.edges,
  });
}

export function mermaidFlowchart(summary: GraphSummary): string {
  const ids = new Map(summary.nodes.map((node, i) => [node.name, `n${i + 1}`]));
  const lines = ['flowchart LR'];
  for (const node of summary.nodes) {
    const label = labelLines(node).map(mermaidText).join('<br/>');
    lines.push(`  ${ids.get(node.name) as string}["${label}"]`);
  }
  for (const { from, to } of summary.edges) {
    lines.push(`  ${ids.get(from) as string} --> ${ids.get(to) as string}`);
  }
  for (const [kind, colour] of Object.entries(KIND_COLOURS)) {
    const members = summary.nodes.filter((node) => node.kind === kind);
    if (members.length === 0) continue;
    lines.push(`  classDef ${kind} fill:${colour},stroke:#555`);
    lines.push(`  class ${members.map((node) => ids.get(node.name) as string).join(',')} ${kind}`);
  }
  return lines.join('\n') + '\n';
}

/** Name, class, then one `option=value` line per option that differs from its default. */
function labelLines(node: NodeSummary): string[] {
  return [
    node.name,
    node.className,
    ...node.options.map(([key, value]) => `${key}=${shortened(value)}`),
  ];
}

/** At most LABEL_VALUE_CHARS characters (as a reader counts them, emoji whole). */
function shortened(value: string): string {
  const characters = Array.from(new Intl.Segmenter().segment(value), (s) => s.segment);
  return characters.length <= LABEL_VALUE_CHARS
    ? value
    : `${characters.slice(0, LABEL_VALUE_CHARS - 1).join('')}…`;
}

/**
 * Text inside a quoted Mermaid label. Mermaid writes entities as `#name;`, and reads `<`
 * as the start of HTML, so those characters are written as entities.
 */
function mermaidText(text: string): string {
  return text
    .replaceAll('#', '#35;')
    .replaceAll('"', '#quot;')
    .replaceAll('<', '#lt;')
    .replaceAll('>', '#gt;')
    .replaceAll('`', '#96;');
}
