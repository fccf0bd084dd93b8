import { DotSyntaxError } from '@ts-graphviz/ast';
import { DatalogdError } from '../core/errors.js';

interface PegLocation {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

interface PegDetails {
  readonly start: PegLocation | undefined;
  readonly endOfInputExpected: boolean;
  readonly foundEndOfInput: boolean;
  readonly graphKeywordExpected: boolean;
}

/**
 * Turns a parser exception into our error. The peggy error the parser wraps (its
 * `cause`) knows where the text went wrong and what was expected there, which tells
 * "a second graph" and "no graph at all" apart from ordinary syntax errors.
 */
export function syntaxProblem(dot: string, err: unknown): DatalogdError {
  const message = err instanceof Error ? err.message : String(err);
  if (!(err instanceof DotSyntaxError)) {
    return new DatalogdError(
      'DATALOGD_ERR_GRAPH_SYNTAX',
      `the connection graph could not be parsed: ${message}`,
      {
        cause: err,
      },
    );
  }
  const details = pegDetails(err.cause);
  const start = details.start;
  if (details.foundEndOfInput && details.graphKeywordExpected) {
    return new DatalogdError(
      'DATALOGD_ERR_GRAPH_NOT_DIGRAPH',
      'the connection graph contains no graph; write digraph { ... }',
      { cause: err },
    );
  }
  if (start !== undefined && details.endOfInputExpected && !details.foundEndOfInput) {
    const rest = dot.slice(start.offset).toLowerCase();
    if (['digraph', 'graph', 'strict'].some((keyword) => rest.startsWith(keyword))) {
      return new DatalogdError(
        'DATALOGD_ERR_GRAPH_NOT_DIGRAPH',
        `${at(start.line, start.column)}a second graph starts here; datalogd takes exactly one digraph`,
        { cause: err },
      );
    }
    return new DatalogdError(
      'DATALOGD_ERR_GRAPH_SYNTAX',
      `${at(start.line, start.column)}unexpected text after the end of the graph (${message})`,
      { cause: err },
    );
  }
  // The position leads, like every graph problem's, so that a graph written in a config
  // file can be reported at the file's own line and column.
  const where = start === undefined ? '' : at(start.line, start.column);
  return new DatalogdError(
    'DATALOGD_ERR_GRAPH_SYNTAX',
    `${where}the connection graph is not valid DOT: ${message}`,
    { cause: err },
  );
}

function pegDetails(cause: unknown): PegDetails {
  const none: PegDetails = {
    start: undefined,
    endOfInputExpected: false,
    foundEndOfInput: false,
    graphKeywordExpected: false,
  };
  if (typeof cause !== 'object' || cause === null) return none;
  const record = cause as Record<string, unknown>;
  const expected = Array.isArray(record['expected']) ? (record['expected'] as unknown[]) : [];
  const kinds = expected.map((item) =>
    typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {},
  );
  return {
    start: startOf(record['location']),
    endOfInputExpected: kinds.some((item) => item['type'] === 'end'),
    foundEndOfInput: 'found' in record && record['found'] === null,
    graphKeywordExpected: kinds.some(
      (item) => item['type'] === 'literal' && item['text'] === 'digraph',
    ),
  };
}

function startOf(location: unknown): PegLocation | undefined {
  if (typeof location !== 'object' || location === null) return undefined;
  const start = (location as Record<string, unknown>)['start'];
  if (typeof start !== 'object' || start === null) return undefined;
  const { offset, line, column } = start as Record<string, unknown>;
  if (typeof offset !== 'number' || typeof line !== 'number' || typeof column !== 'number') {
    return undefined;
  }
  return { offset, line, column };
}

function at(line: number, column: number): string {
  return `line ${line}, column ${column}: `;
}
