import { DatalogdError } from '../core/errors.js';
import { closest, validateOptions } from '../core/options.js';
import { kindFromName, type RegisteredPlugin, type Registry } from '../core/registry.js';
import { findCycles } from './cycles.js';
import type { GraphEdgeDecl, GraphNodeDecl, ParsedGraph } from './dot.js';
import { dotId } from './dot-write.js';

export interface ValidNode {
  readonly name: string;
  readonly className: string;
  readonly plugin: RegisteredPlugin;
  readonly options: Record<string, unknown>;
}

export interface ValidatedGraph {
  /** Nodes whose class was found and whose options are valid, in declaration order. */
  readonly nodes: readonly ValidNode[];
  /** Edges between valid endpoints, each once, in file order (the order sinks are connected). */
  readonly edges: readonly { from: string; to: string }[];
  readonly problems: readonly DatalogdError[];
  readonly warnings: readonly string[];
}

/**
 * Checks a parsed graph against the plugins that exist. Every problem is collected, so a
 * user sees all of them at once; the graph is usable only when `problems` is empty.
 */
export function validateGraph(
  parsed: ParsedGraph,
  registry: Registry,
  decode: (raw: string) => unknown,
): ValidatedGraph {
  const problems: DatalogdError[] = [...parsed.problems];
  const warnings: string[] = [...parsed.warnings];
  // A graph that could not be read has no nodes; saying so again would only add noise.
  if (parsed.nodes.length === 0 && parsed.problems.length === 0) {
    problems.push(
      new DatalogdError(
        'DATALOGD_ERR_GRAPH_EMPTY',
        'the connection graph declares no nodes; declare each with a class, e.g. digraph { a [class=NullDataSource]; b [class=NullDataSink]; a -> b }',
      ),
    );
  }

  const plugins = new Map<string, RegisteredPlugin>();
  const nodes: ValidNode[] = [];
  for (const decl of parsed.nodes) {
    const checked = checkNode(decl, registry, decode);
    problems.push(...checked.problems);
    if (checked.plugin !== undefined) plugins.set(decl.name, checked.plugin);
    if (checked.valid !== undefined) nodes.push(checked.valid);
  }

  const declared = parsed.nodes.map((node) => node.name);
  const declaredSet = new Set(declared);
  const edges: { from: string; to: string }[] = [];
  for (const { edge, count } of distinctEdges(parsed.edges)) {
    if (count > 1) {
      warnings.push(
        `${at(edge.line)}edge ${dotId(edge.from)} -> ${dotId(edge.to)} appears ${count} times; connected once`,
      );
    }
    const edgeProblems = checkEdge(edge, declared, declaredSet, plugins);
    problems.push(...edgeProblems);
    if (edgeProblems.length === 0) edges.push({ from: edge.from, to: edge.to });
  }

  for (const cycle of findCycles(declared, edges)) {
    const start = cycle[0] as string;
    problems.push(
      new DatalogdError(
        'DATALOGD_ERR_GRAPH_CYCLE',
        `the edges form a cycle, which would send data round forever: ${[...cycle, start].map(dotId).join(' -> ')}`,
        { node: start },
      ),
    );
  }

  return { nodes, edges, problems, warnings };
}

interface CheckedNode {
  /** Set when the class was found, even if the options are wrong: edges still need the kind. */
  readonly plugin: RegisteredPlugin | undefined;
  readonly valid: ValidNode | undefined;
  readonly problems: readonly DatalogdError[];
}

function checkNode(
  decl: GraphNodeDecl,
  registry: Registry,
  decode: (raw: string) => unknown,
): CheckedNode {
  const { name } = decl;
  const className = decl.attributes['class'];
  if (className === undefined) {
    return failed(
      new DatalogdError(
        'DATALOGD_ERR_NODE_NO_CLASS',
        `${at(decl.line)}node "${name}" has no class attribute; every node needs one, e.g. ${dotId(name)} [class=NullDataSink]`,
        { node: name },
      ),
    );
  }
  const plugin = registry.get(className);
  if (plugin === undefined) {
    return failed(
      new DatalogdError(
        'DATALOGD_ERR_UNKNOWN_CLASS',
        `${at(decl.line)}node "${name}": unknown class "${className}"${unknownClassHint(className, registry)}`,
        { node: name, option: 'class' },
      ),
    );
  }

  // No prototype: a `__proto__` attribute stays a key, which the schema reports as unknown.
  const attributes = Object.create(null) as Record<string, unknown>;
  for (const [key, raw] of Object.entries(decl.attributes)) {
    if (key !== 'class') attributes[key] = decode(raw);
  }
  const schema = plugin.cls.optionsSchema;
  if (schema === undefined) return schemaless(decl, className, plugin, attributes);
  const result = validateOptions(name, className, schema, attributes);
  if (result.problems.length > 0) {
    return {
      plugin,
      valid: undefined,
      problems: result.problems.map((p) => withLine(p, decl.line)),
    };
  }
  return { plugin, valid: { name, className, plugin, options: result.options }, problems: [] };
}

/**
 * A class without a schema (written like a Python plugin) takes any keyword option, as an
 * ordinary object; only `__proto__` cannot be one, since it would set the object's prototype.
 */
function schemaless(
  decl: GraphNodeDecl,
  className: string,
  plugin: RegisteredPlugin,
  attributes: Record<string, unknown>,
): CheckedNode {
  const { name } = decl;
  if (Object.hasOwn(attributes, PROTO)) {
    const problem = new DatalogdError(
      'DATALOGD_ERR_UNKNOWN_OPTION',
      `node "${name}": ${className} cannot take an option named "${PROTO}"; rename the attribute`,
      { node: name, option: PROTO },
    );
    return { plugin, valid: undefined, problems: [withLine(problem, decl.line)] };
  }
  const options: Record<string, unknown> = {};
  for (const key of Object.keys(attributes)) options[key] = attributes[key];
  return { plugin, valid: { name, className, plugin, options }, problems: [] };
}

const PROTO = '__proto__';

/** The same problem with the node's line in front, like every other graph problem. */
function withLine(problem: DatalogdError, line: number | undefined): DatalogdError {
  if (line === undefined) return problem;
  return new DatalogdError(problem.code, `${at(line)}${problem.message}`, {
    ...(problem.node === undefined ? {} : { node: problem.node }),
    ...(problem.option === undefined ? {} : { option: problem.option }),
  });
}

function failed(problem: DatalogdError): CheckedNode {
  return { plugin: undefined, valid: undefined, problems: [problem] };
}

function unknownClassHint(className: string, registry: Registry): string {
  const suggestion = closest(className, registry.names());
  if (suggestion !== undefined) return ` (did you mean "${suggestion}"?)`;
  const kind = kindFromName(className);
  if (kind === undefined) {
    return `; a class name ends in DataSource, DataFilter or DataSink; known classes: ${list(registry.names())}`;
  }
  const sameKind = registry.names().filter((name) => kindFromName(name) === kind);
  return `; known ${kind} classes: ${list(sameKind)}`;
}

function list(names: readonly string[]): string {
  return names.length === 0 ? '(none)' : names.join(', ');
}

interface CountedEdge {
  readonly edge: GraphEdgeDecl;
  count: number;
}

function distinctEdges(edges: readonly GraphEdgeDecl[]): CountedEdge[] {
  const byFrom = new Map<string, Map<string, CountedEdge>>();
  const distinct: CountedEdge[] = [];
  for (const edge of edges) {
    let byTo = byFrom.get(edge.from);
    if (byTo === undefined) {
      byTo = new Map();
      byFrom.set(edge.from, byTo);
    }
    const seen = byTo.get(edge.to);
    if (seen !== undefined) {
      seen.count += 1;
      continue;
    }
    const counted = { edge, count: 1 };
    byTo.set(edge.to, counted);
    distinct.push(counted);
  }
  return distinct;
}

function checkEdge(
  edge: GraphEdgeDecl,
  declared: readonly string[],
  declaredSet: ReadonlySet<string>,
  plugins: ReadonlyMap<string, RegisteredPlugin>,
): DatalogdError[] {
  const { from, to } = edge;
  const where = `${at(edge.line)}edge ${dotId(from)} -> ${dotId(to)}`;
  const problems: DatalogdError[] = [];
  for (const end of from === to ? [from] : [from, to]) {
    if (declaredSet.has(end)) continue;
    const near = closest(end, declared);
    problems.push(
      new DatalogdError(
        'DATALOGD_ERR_EDGE_UNKNOWN_NODE',
        `${where}: node "${end}" is not declared${near === undefined ? '' : ` (did you mean "${near}"?)`}; declare it with ${dotId(end)} [class=...]`,
        { node: end },
      ),
    );
  }
  if (from === to) {
    problems.push(
      new DatalogdError(
        'DATALOGD_ERR_EDGE_SELF',
        `${where}: node "${from}" cannot send data to itself`,
        { node: from },
      ),
    );
  }
  const fromKind = plugins.get(from)?.kind;
  if (fromKind === 'DataSink') {
    problems.push(
      new DatalogdError(
        'DATALOGD_ERR_EDGE_NOT_SOURCE',
        `${where}: node "${from}" is a DataSink (${classOf(plugins, from)}) and cannot send data`,
        { node: from },
      ),
    );
  }
  const toKind = plugins.get(to)?.kind;
  if (toKind === 'DataSource') {
    problems.push(
      new DatalogdError(
        'DATALOGD_ERR_EDGE_NOT_SINK',
        `${where}: node "${to}" is a DataSource (${classOf(plugins, to)}) and cannot receive data`,
        { node: to },
      ),
    );
  }
  return problems;
}

function classOf(plugins: ReadonlyMap<string, RegisteredPlugin>, name: string): string {
  return plugins.get(name)?.cls.name ?? '?';
}

function at(line: number | undefined): string {
  return line === undefined ? '' : `line ${line}: `;
}
