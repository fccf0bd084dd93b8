import {
  parse,
  type AttributeASTNode,
  type ClusterStatementASTNode,
  type CommentASTNode,
  type EdgeASTNode,
  type EdgeTargetASTNode,
  type LiteralASTNode,
  type NodeASTNode,
} from '@ts-graphviz/ast';
import { DatalogdError } from '../core/errors.js';
import { blankComments } from './comments.js';
import { syntaxProblem } from './syntax-error.js';

export interface GraphNodeDecl {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly line: number | undefined;
}

export interface GraphEdgeDecl {
  readonly from: string;
  readonly to: string;
  readonly line: number | undefined;
}

export interface ParsedGraph {
  /** One entry per node name, in the order the names were first declared. */
  readonly nodes: readonly GraphNodeDecl[];
  /** Expanded edges in file order; duplicates are kept (the validator reports them). */
  readonly edges: readonly GraphEdgeDecl[];
  readonly problems: readonly DatalogdError[];
  /** Things that were ignored or merged; worth telling the user, not worth refusing to start. */
  readonly warnings: readonly string[];
}

type Attributes = Record<string, string>;

/**
 * Attribute sets have no prototype, so that `__proto__` (like `constructor`) is an attribute
 * like any other, kept and reported as an unknown option, instead of an assignment that
 * changes the object's prototype and vanishes.
 */
function attributeSet(...sources: readonly Readonly<Attributes>[]): Attributes {
  const attributes = Object.create(null) as Attributes;
  for (const source of sources) copyInto(attributes, source);
  return attributes;
}

interface NodeEntry {
  readonly name: string;
  readonly attributes: Attributes;
  readonly line: number | undefined;
}

/**
 * Reads a DOT connection graph into node and edge declarations. Never throws: every
 * problem found is returned in `problems`.
 */
export function parseGraph(dot: string): ParsedGraph {
  const source = blankComments(dot);
  let ast;
  try {
    ast = parse(source);
  } catch (err) {
    return onlyProblem(syntaxProblem(source, err));
  }
  const graphs = ast.children.filter((child) => child.type === 'Graph');
  const graph = graphs[0];
  if (graph === undefined) {
    return onlyProblem(notDigraph('the connection graph contains no graph; write digraph { ... }'));
  }
  if (graphs.length > 1) {
    return onlyProblem(
      notDigraph(
        `the connection graph holds ${graphs.length} graphs; datalogd takes exactly one digraph`,
      ),
    );
  }
  if (!graph.directed) {
    return onlyProblem(
      notDigraph(
        `${at(lineOf(graph))}the connection graph is an undirected "graph" (edges written --); ` +
          'datalogd needs a "digraph" whose edges are written ->, e.g. digraph { a -> b }',
      ),
    );
  }
  const collector = new Collector();
  collector.walk(graph.children, {});
  return collector.result();
}

class Collector {
  readonly #nodes = new Map<string, NodeEntry>();
  readonly #edges: GraphEdgeDecl[] = [];
  readonly #problems: DatalogdError[] = [];
  readonly #warnings: string[] = [];

  /**
   * `inherited` is the `node [...]` defaults in force where this scope opens. A scope
   * works on its own copy, so what it sets does not leak out to the enclosing graph.
   */
  walk(statements: readonly ClusterStatementASTNode[], inherited: Readonly<Attributes>): void {
    const defaults = attributeSet(inherited);
    for (const statement of statements) {
      switch (statement.type) {
        case 'Node':
          this.#node(statement, defaults);
          break;
        case 'Edge':
          this.#edge(statement);
          break;
        case 'AttributeList':
          if (statement.kind === 'Node') {
            copyInto(defaults, attributesOf(statement.children));
          } else {
            const keyword = statement.kind === 'Edge' ? 'edge' : 'graph';
            this.#warnings.push(
              `${at(lineOf(statement))}${keyword} [...] attributes are ignored; they mean nothing to datalogd`,
            );
          }
          break;
        case 'Attribute':
          this.#warnings.push(
            `${at(lineOf(statement))}graph attribute ${text(statement.key)}=${text(statement.value)} is ignored; it means nothing to datalogd`,
          );
          break;
        case 'Subgraph':
          this.walk(statement.children, defaults);
          break;
        case 'Comment':
          break;
      }
    }
  }

  result(): ParsedGraph {
    const nodes: GraphNodeDecl[] = [...this.#nodes.values()].map(({ name, attributes, line }) => ({
      name,
      attributes,
      line,
    }));
    return {
      nodes,
      edges: this.#edges,
      problems: this.#problems,
      warnings: this.#warnings,
    };
  }

  #node(statement: NodeASTNode, defaults: Readonly<Attributes>): void {
    const name = text(statement.id);
    const line = lineOf(statement);
    const explicit = attributesOf(statement.children);
    const existing = this.#nodes.get(name);
    if (existing === undefined) {
      // As in Graphviz, defaults are taken when a node is created; a later statement
      // for the same node adds only what it writes itself.
      this.#nodes.set(name, {
        name,
        attributes: attributeSet(defaults, explicit),
        line,
      });
      return;
    }
    copyInto(existing.attributes, explicit);
    const first = existing.line === undefined ? '' : ` (first at line ${existing.line})`;
    this.#warnings.push(
      `${at(line)}node "${name}" is declared again${first}; its attributes are merged, later ones win`,
    );
  }

  #edge(statement: EdgeASTNode): void {
    const line = lineOf(statement);
    const groups = statement.targets.map((target) => this.#endpoints(target));
    for (let i = 0; i + 1 < groups.length; i++) {
      for (const from of groups[i] ?? []) {
        for (const to of groups[i + 1] ?? []) this.#edges.push({ from, to, line });
      }
    }
    if (statement.children.some((child) => child.type === 'Attribute')) {
      this.#warnings.push(`${at(line)}edge attributes are ignored; they mean nothing to datalogd`);
    }
  }

  #endpoints(target: EdgeTargetASTNode): string[] {
    const refs = target.type === 'NodeRef' ? [target] : target.children;
    return refs.map((ref) => {
      // The parser reads `a -> subgraph { b c }` as an edge to a node called "subgraph"
      // followed by a separate subgraph; say so instead of reporting an unknown node.
      if (ref.id.quoted === false && ref.id.value.toLowerCase() === 'subgraph') {
        this.#problems.push(
          new DatalogdError(
            'DATALOGD_ERR_GRAPH_SYNTAX',
            `${at(lineOf(ref), columnOf(ref))}a subgraph cannot be the end of an edge here; ` +
              'write the nodes in braces instead, e.g. a -> { b c }',
          ),
        );
      }
      return text(ref.id);
    });
  }
}

function copyInto(target: Attributes, source: Readonly<Attributes>): void {
  for (const key of Object.keys(source)) target[key] = source[key] as string;
}

function attributesOf(children: readonly (AttributeASTNode | CommentASTNode)[]): Attributes {
  const attributes = attributeSet();
  for (const child of children) {
    if (child.type === 'Attribute') attributes[text(child.key)] = text(child.value);
  }
  return attributes;
}

/**
 * The text of an ID. The parser removes the quotes and turns \" into ", but leaves
 * DOT's backslash-newline line continuation in place, so that is removed here.
 */
function text(literal: LiteralASTNode): string {
  if (literal.quoted !== true) return literal.value;
  return literal.value.split('\\\r\n').join('').split('\\\n').join('');
}

function lineOf(node: { readonly location?: { readonly start: { readonly line: number } } }) {
  return node.location?.start.line;
}

function columnOf(node: { readonly location?: { readonly start: { readonly column: number } } }) {
  return node.location?.start.column;
}

function at(line: number | undefined, column?: number): string {
  if (line === undefined) return '';
  return column === undefined ? `line ${line}: ` : `line ${line}, column ${column}: `;
}

function onlyProblem(problem: DatalogdError): ParsedGraph {
  return { nodes: [], edges: [], problems: [problem], warnings: [] };
}

function notDigraph(message: string): DatalogdError {
  return new DatalogdError('DATALOGD_ERR_GRAPH_NOT_DIGRAPH', message);
}
