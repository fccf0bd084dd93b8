/**
 * `datalogd check` (or `validate`): every check the daemon makes at start, through the
 * daemon's own path (runtime/prepare.ts), and no node created or started. For people, a
 * one-line OK or the problems as the daemon would log them; for editors and CI, `--json`.
 */
import type { Command } from 'commander';
import type { DatalogdError } from '../core/errors.js';
import { prepareGraph, type PreparedGraph } from '../runtime/prepare.js';
import {
  prepareOptions,
  problemsOf,
  reportProblems,
  setUpCommandLogging,
} from './command-options.js';

/** One problem in `check --json`; a field that does not apply is null. */
export interface ProblemJson {
  readonly code: string;
  readonly node: string | null;
  readonly option: string | null;
  readonly file: string | null;
  readonly line: number | null;
  readonly column: number | null;
  readonly message: string;
}

export function registerCheckCommand(program: Command): void {
  program
    .command('check')
    .alias('validate')
    .configureHelp({ showGlobalOptions: true })
    .description(
      'check the configuration as the daemon does at start (files, plugin directories, graph, options, rules files, expressions) without starting a node; exit 0 when valid, 1 when not',
    )
    .option(
      '--json',
      'print the problems as a JSON list of {code, node, option, file, line, column, message} ([] when valid)',
    )
    .action(async (options: { readonly json?: boolean }, command: Command) => {
      process.exitCode = await check(command, options.json === true);
    });
}

async function check(command: Command, json: boolean): Promise<number> {
  setUpCommandLogging(command);
  const write = (text: string): void => {
    process.stdout.write(text);
  };
  let problems: readonly DatalogdError[];
  try {
    const prepared = await prepareGraph(prepareOptions(command));
    if (json) write('[]\n');
    else write(`${okSummary(prepared)}\n`);
    return 0;
  } catch (err) {
    problems = problemsOf(err);
  }
  if (json) write(`${JSON.stringify(problems.map(problemJson), null, 2)}\n`);
  else reportProblems(problems, write);
  return 1;
}

export function problemJson(problem: DatalogdError): ProblemJson {
  return {
    code: problem.code,
    node: problem.node ?? null,
    option: problem.option ?? null,
    file: problem.file ?? null,
    line: problem.line ?? null,
    column: problem.column ?? null,
    message: problem.message,
  };
}

function okSummary({ config, graph }: PreparedGraph): string {
  const counted = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;
  const from =
    config.graphFrom === 'none'
      ? 'the built-in demo graph: no connection_graph is configured'
      : `graph from ${config.graphFrom}`;
  return `OK: ${counted(graph.nodes.length, 'node')}, ${counted(graph.edges.length, 'edge')} (${from})`;
}
