/**
 * `datalogd graph`: the graph the daemon would run, after every check `datalogd check`
 * makes, as DOT, Mermaid or SVG. An invalid configuration prints its problems instead, as
 * the daemon would log them, and exits 1.
 */
import { Option, type Command } from 'commander';
import { summarizeGraph } from '../runtime/graph-summary.js';
import { prepareGraph } from '../runtime/prepare.js';
import {
  prepareOptions,
  problemsOf,
  reportProblems,
  setUpCommandLogging,
} from './command-options.js';
import {
  connectionGraphDot,
  GRAPH_FORMATS,
  labelledDot,
  mermaidFlowchart,
  type GraphFormat,
} from './graph-formats.js';
import { renderSvg } from './graph-svg.js';

export function registerGraphCommand(program: Command): void {
  program
    .command('graph')
    .configureHelp({ showGlobalOptions: true })
    .description(
      'print the validated connection graph, each node with its class and the options that differ from their defaults',
    )
    .addOption(
      new Option(
        '--format <format>',
        'dot (a graph datalogd reads back), mermaid (for Markdown) or svg (drawn by Graphviz)',
      )
        .choices(GRAPH_FORMATS)
        .default('dot'),
    )
    .action(async (options: { readonly format: GraphFormat }, command: Command) => {
      process.exitCode = await graph(command, options.format);
    });
}

async function graph(command: Command, format: GraphFormat): Promise<number> {
  setUpCommandLogging(command);
  let summary;
  try {
    summary = summarizeGraph(await prepareGraph(prepareOptions(command)));
  } catch (err) {
    reportProblems(problemsOf(err), (text) => process.stderr.write(text));
    return 1;
  }
  const text =
    format === 'dot'
      ? connectionGraphDot(summary)
      : format === 'mermaid'
        ? mermaidFlowchart(summary)
        : await renderSvg(labelledDot(summary));
  process.stdout.write(text);
  return 0;
}
