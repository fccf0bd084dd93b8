import { DatalogdError, type ProblemDetails } from '../core/errors.js';

/** Where a connection graph's text was written, so that problems point at the user's file. */
export interface GraphOrigin {
  /** The config file the graph came from; undefined for `-g` and the demo graph. */
  readonly file: string | undefined;
  /** The file's line number of each line of the graph text (line 1 first). */
  readonly lines: readonly number[];
  /**
   * The characters of the file's line before each line of the graph text (the key and `=`,
   * or the indentation); empty when not known, and then no column is given.
   */
  readonly columns?: readonly number[];
}

const LEADING_LINE = /^line (\d+)(?:, column (\d+))?: /;
const FIRST_AT = /\(first at line (\d+)\)/g;

/**
 * Graph problems start with `line N: ` (or `line N, column M: `) counted within the DOT
 * text. For a graph written in a config file that becomes `FILE:LINE: ` with the line (and
 * column) of the file, the way INI problems are reported, and so does a "(first at line N)"
 * inside the message; a graph given with `-g` keeps its own line numbers.
 */
export function locateInFile(message: string, origin: GraphOrigin): string {
  const file = origin.file;
  if (file === undefined) return message;
  const rest = message.replace(FIRST_AT, (text, n: string) => {
    const line = origin.lines[Number(n) - 1];
    return line === undefined ? text : `(first at ${file}:${line})`;
  });
  const match = LEADING_LINE.exec(rest);
  if (match === null) return `${file}: ${rest}`;
  const index = Number(match[1]) - 1;
  const line = origin.lines[index];
  if (line === undefined) return `${file}: ${rest}`;
  const before = origin.columns?.[index];
  const column =
    match[2] === undefined || before === undefined ? '' : `:${Number(match[2]) + before}`;
  return `${file}:${line}${column}: ${rest.slice(match[0].length)}`;
}

/**
 * The problem with its message located as `locateInFile` does, and the place in `file`,
 * `line` and `column` for tools that read problems (`datalogd check --json`). A graph given
 * with `-g` has no file; its line and column are those of the DOT text.
 */
export function locateProblem(problem: DatalogdError, origin: GraphOrigin): DatalogdError {
  const match = LEADING_LINE.exec(problem.message);
  const textLine = match === null ? undefined : Number(match[1]);
  const column = match?.[2] === undefined ? undefined : Number(/\d+/.exec(match[2])?.[0]);
  const line =
    origin.file === undefined || textLine === undefined ? textLine : origin.lines[textLine - 1];
  const place = {
    ...(origin.file === undefined ? {} : { file: origin.file }),
    ...(line === undefined ? {} : { line }),
    ...(line === undefined || column === undefined ? {} : { column }),
  };
  if (Object.keys(place).length === 0) return problem;
  return reworded(problem, locateInFile(problem.message, origin), place);
}

/**
 * A problem found about a node after the graph was checked (a plugin's `validate` hook)
 * carries no line; this puts its node's line in front, like the graph's own problems.
 */
export function atNodeLine(
  problem: DatalogdError,
  nodeLines: ReadonlyMap<string, number | undefined>,
): DatalogdError {
  const line = problem.node === undefined ? undefined : nodeLines.get(problem.node);
  if (line === undefined || LEADING_LINE.test(problem.message)) return problem;
  return reworded(problem, `line ${line}: ${problem.message}`);
}

function reworded(
  problem: DatalogdError,
  message: string,
  place: ProblemDetails = {},
): DatalogdError {
  return new DatalogdError(problem.code, message, { ...problem.details(), ...place });
}
