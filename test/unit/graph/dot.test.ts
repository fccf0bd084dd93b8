import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGraph, type ParsedGraph } from '../../../src/graph/dot.js';

/** name -> attributes, for compact expectations. */
function nodesOf(parsed: ParsedGraph): Record<string, Record<string, string>> {
  return Object.fromEntries(parsed.nodes.map((n) => [n.name, { ...n.attributes }]));
}

function edgesOf(parsed: ParsedGraph): string[] {
  return parsed.edges.map((e) => `${e.from}->${e.to}`);
}

function codesOf(parsed: ParsedGraph): string[] {
  return parsed.problems.map((p) => p.code);
}

interface Case {
  readonly name: string;
  readonly dot: string;
  readonly nodes: Record<string, Record<string, string>>;
  readonly edges: string[];
  readonly warnings?: number;
}

const cases: Case[] = [
  {
    name: 'plain nodes and an edge',
    dot: 'digraph { a [class=A, k=1]; b [class=B]; a -> b }',
    nodes: { a: { class: 'A', k: '1' }, b: { class: 'B' } },
    edges: ['a->b'],
  },
  {
    name: 'strict digraph with an id, keywords in any case',
    dot: 'STRICT DiGraph G { a [class=A]; a -> b }',
    nodes: { a: { class: 'A' } },
    edges: ['a->b'],
  },
  {
    name: '// comments',
    dot: 'digraph {\n // b [class=B]\n a [class=A] // c [class=C]\n}',
    nodes: { a: { class: 'A' } },
    edges: [],
  },
  {
    name: '/* */ comments, also across lines and inside attribute lists',
    dot: 'digraph {\n /* b [class=B]\n c -> d */ a [class=A /* k=1 */, j=2]\n}',
    nodes: { a: { class: 'A', j: '2' } },
    edges: [],
  },
  {
    name: '# lines',
    dot: 'digraph {\n# b [class=B]\n a [class=A]\n  # c -> d\n}',
    nodes: { a: { class: 'A' } },
    edges: [],
  },
  {
    name: 'edge chain',
    dot: 'digraph { a -> b -> c -> d }',
    nodes: {},
    edges: ['a->b', 'b->c', 'c->d'],
  },
  {
    name: 'edge to a group',
    dot: 'digraph { a -> {b c} }',
    nodes: {},
    edges: ['a->b', 'a->c'],
  },
  {
    name: 'edge from a group, groups with separators',
    dot: 'digraph { {a; b} -> {c, d} }',
    nodes: {},
    edges: ['a->c', 'a->d', 'b->c', 'b->d'],
  },
  {
    name: 'chain through a group',
    dot: 'digraph { a -> {b c} -> d }',
    nodes: {},
    edges: ['a->b', 'a->c', 'b->d', 'c->d'],
  },
  {
    name: 'edge attributes are ignored (with a warning)',
    dot: 'digraph { a -> b [color=red, class=X] }',
    nodes: {},
    edges: ['a->b'],
    warnings: 1,
  },
  {
    name: 'ports and compass points give the node id',
    dot: 'digraph { a [class=A]; a:p1 -> b:n:s -> c:sw }',
    nodes: { a: { class: 'A' } },
    edges: ['a->b', 'b->c'],
  },
  {
    name: 'quoted names without quotes, same node as unquoted',
    dot: 'digraph { "my node" [class=A]; "b" [class=B]; "my node" -> b; b -> "my node" }',
    nodes: { 'my node': { class: 'A' }, b: { class: 'B' } },
    edges: ['my node->b', 'b->my node'],
  },
  {
    name: 'quoted values: quotes removed, \\" unescaped, single quotes kept',
    dot: `digraph { a [class="A", walkers="[[0, 1], [10, 2]]", keyvals="[['type', 'temp']]", q="say \\"hi\\""] }`,
    nodes: {
      a: {
        class: 'A',
        walkers: '[[0, 1], [10, 2]]',
        keyvals: "[['type', 'temp']]",
        q: 'say "hi"',
      },
    },
    edges: [],
  },
  {
    name: 'backslash-newline continues a quoted string',
    dot: 'digraph { a [class=A, w="[1,\\\n 2]"] }',
    nodes: { a: { class: 'A', w: '[1, 2]' } },
    edges: [],
  },
  {
    name: 'numbers, negative numbers and HTML strings stay raw text',
    dot: 'digraph { a [class=A, n=-1.5, m=.5, h=<<b>x</b>>] }',
    nodes: { a: { class: 'A', n: '-1.5', m: '.5', h: '<b>x</b>' } },
    edges: [],
  },
  {
    name: 'nodes and edges inside subgraphs, nested',
    dot: 'digraph { a [class=A]; subgraph s1 { b [class=B]; a -> b; subgraph cluster_2 { c [class=C]; b -> c } } { d [class=D] } c -> d }',
    nodes: { a: { class: 'A' }, b: { class: 'B' }, c: { class: 'C' }, d: { class: 'D' } },
    edges: ['a->b', 'b->c', 'c->d'],
  },
  {
    name: 'only node statements create nodes',
    dot: 'digraph { a [class=A]; a -> b; c }',
    nodes: { a: { class: 'A' }, c: {} },
    edges: ['a->b'],
  },
  {
    name: 'node defaults apply to later node statements; explicit attributes win',
    dot: 'digraph { a [k=0]; node [class=N, k=1]; b; c [k=2] }',
    nodes: { a: { k: '0' }, b: { class: 'N', k: '1' }, c: { class: 'N', k: '2' } },
    edges: [],
  },
  {
    name: 'later node defaults add to earlier ones',
    dot: 'digraph { node [class=N]; a; node [k=1]; b; node [class=M]; c }',
    nodes: { a: { class: 'N' }, b: { class: 'N', k: '1' }, c: { class: 'M', k: '1' } },
    edges: [],
  },
  {
    name: 'a subgraph inherits defaults; its own defaults do not leak out',
    dot: 'digraph { node [class=N]; subgraph { node [k=1]; a; subgraph { node [class=M]; b } c } d }',
    nodes: {
      a: { class: 'N', k: '1' },
      b: { class: 'M', k: '1' },
      c: { class: 'N', k: '1' },
      d: { class: 'N' },
    },
    edges: [],
  },
  {
    name: 'defaults set after a subgraph do not reach back into it',
    dot: 'digraph { subgraph { a } node [class=N]; b }',
    nodes: { a: {}, b: { class: 'N' } },
    edges: [],
  },
  {
    name: 'nodes only mentioned in edges get no defaults and are not created',
    dot: 'digraph { node [class=N]; a -> b }',
    nodes: {},
    edges: ['a->b'],
  },
  {
    name: 'a repeated node merges attributes, later ones win (with a warning)',
    dot: 'digraph { a [class=A, k=1]; a [k=2, j=3] }',
    nodes: { a: { class: 'A', k: '2', j: '3' } },
    edges: [],
    warnings: 1,
  },
  {
    name: 'a repeated node takes defaults only when first declared',
    dot: 'digraph { a [class=A]; node [class=N, k=1]; a [j=2] }',
    nodes: { a: { class: 'A', j: '2' } },
    edges: [],
    warnings: 1,
  },
  {
    name: 'edge [...], graph [...] and graph attributes are ignored with warnings',
    dot: 'digraph { rankdir=LR; graph [label=x]; edge [color=red]; subgraph cluster_a { label="A"; a [class=A] } }',
    nodes: { a: { class: 'A' } },
    edges: [],
    warnings: 4,
  },
  {
    name: 'numeric node names',
    dot: 'digraph { 1 [class=A]; 1 -> 2.5 }',
    nodes: { '1': { class: 'A' } },
    edges: ['1->2.5'],
  },
];

describe('parseGraph: DOT features', () => {
  for (const c of cases) {
    test(c.name, () => {
      const parsed = parseGraph(c.dot);
      assert.deepEqual(codesOf(parsed), []);
      assert.deepEqual(nodesOf(parsed), c.nodes);
      assert.deepEqual(edgesOf(parsed), c.edges);
      assert.equal(parsed.warnings.length, c.warnings ?? 0, parsed.warnings.join('\n'));
    });
  }
});

describe('parseGraph: details', () => {
  test('nodes keep declaration order and record their line', () => {
    const parsed = parseGraph(
      'digraph {\n  b [class=B]\n\n  a [class=A]\n  b -> a\n  a -> c -> d\n}',
    );
    assert.deepEqual(
      parsed.nodes.map((n) => [n.name, n.line]),
      [
        ['b', 2],
        ['a', 4],
      ],
    );
    assert.deepEqual(
      parsed.edges.map((e) => [e.from, e.to, e.line]),
      [
        ['b', 'a', 5],
        ['a', 'c', 6],
        ['c', 'd', 6],
      ],
    );
  });

  test('a repeated node keeps its first position and line; the warning names both lines', () => {
    const parsed = parseGraph('digraph {\n a [class=A]\n b [class=B]\n a [k=1]\n}');
    assert.deepEqual(
      parsed.nodes.map((n) => [n.name, n.line]),
      [
        ['a', 2],
        ['b', 3],
      ],
    );
    assert.deepEqual(parsed.warnings, [
      'line 4: node "a" is declared again (first at line 2); its attributes are merged, later ones win',
    ]);
  });

  test('duplicate edges are all returned (the validator reports them)', () => {
    assert.deepEqual(edgesOf(parseGraph('digraph { a -> b; a -> b; a -> {b b} }')), [
      'a->b',
      'a->b',
      'a->b',
      'a->b',
    ]);
  });

  test('warnings say what was ignored and where', () => {
    const parsed = parseGraph(
      'digraph {\n rankdir=LR\n edge [color=red]\n a -> b [style=dotted]\n}',
    );
    assert.deepEqual(parsed.warnings, [
      'line 2: graph attribute rankdir=LR is ignored; it means nothing to datalogd',
      'line 3: edge [...] attributes are ignored; they mean nothing to datalogd',
      'line 4: edge attributes are ignored; they mean nothing to datalogd',
    ]);
  });
});

interface ProblemCase {
  readonly name: string;
  readonly dot: string;
  readonly code: string;
  /** Parts the message must contain. */
  readonly says: readonly string[];
}

const problemCases: ProblemCase[] = [
  {
    name: 'undirected graph',
    dot: 'graph { a [class=A]; a -- b }',
    code: 'DATALOGD_ERR_GRAPH_NOT_DIGRAPH',
    says: ['line 1: ', 'undirected "graph"', 'digraph', '->'],
  },
  {
    name: 'strict undirected graph',
    dot: 'strict graph { a }',
    code: 'DATALOGD_ERR_GRAPH_NOT_DIGRAPH',
    says: ['undirected'],
  },
  {
    name: '-- in a digraph',
    dot: 'digraph {\n  a -- b\n}',
    code: 'DATALOGD_ERR_GRAPH_SYNTAX',
    says: ['line 2, column 5', '"->"'],
  },
  {
    name: 'two graphs',
    dot: 'digraph { a }\ndigraph { b }',
    code: 'DATALOGD_ERR_GRAPH_NOT_DIGRAPH',
    says: ['line 2, column 1', 'second graph', 'exactly one digraph'],
  },
  {
    name: 'a digraph then a graph',
    dot: 'digraph { a } /* x */ graph { b }',
    code: 'DATALOGD_ERR_GRAPH_NOT_DIGRAPH',
    says: ['line 1, column 23', 'second graph'],
  },
  {
    name: 'text after the graph',
    dot: 'digraph { a }\n}',
    code: 'DATALOGD_ERR_GRAPH_SYNTAX',
    says: ['line 2, column 1', 'after the end of the graph'],
  },
  { name: 'empty text', dot: '', code: 'DATALOGD_ERR_GRAPH_NOT_DIGRAPH', says: ['no graph'] },
  {
    name: 'only whitespace and comments',
    dot: '  \n// nothing here\n/* nor here */\n',
    code: 'DATALOGD_ERR_GRAPH_NOT_DIGRAPH',
    says: ['no graph'],
  },
  {
    name: 'missing target',
    dot: 'digraph {\n a -> \n}',
    code: 'DATALOGD_ERR_GRAPH_SYNTAX',
    says: ['line 3, column 1: the connection graph is not valid DOT', 'but "}" found'],
  },
  {
    name: 'unclosed attribute list',
    dot: 'digraph {\n  a [class=A\n  b',
    code: 'DATALOGD_ERR_GRAPH_SYNTAX',
    says: ['line 3, column 4', 'end of input'],
  },
  {
    name: 'unclosed graph',
    dot: 'digraph { a [class=A]',
    code: 'DATALOGD_ERR_GRAPH_SYNTAX',
    says: ['line 1, column 22'],
  },
  {
    name: 'unterminated string',
    dot: 'digraph { a [class="A] }',
    code: 'DATALOGD_ERR_GRAPH_SYNTAX',
    says: ['line 1'],
  },
  {
    name: 'a subgraph as an edge end',
    dot: 'digraph {\n a -> subgraph { b c }\n}',
    code: 'DATALOGD_ERR_GRAPH_SYNTAX',
    says: ['line 2, column 7', 'a -> { b c }'],
  },
];

describe('parseGraph: problems', () => {
  for (const c of problemCases) {
    test(c.name, () => {
      const parsed = parseGraph(c.dot);
      assert.deepEqual(codesOf(parsed), [c.code], parsed.problems.map((p) => p.message).join());
      const message = parsed.problems[0]?.message ?? '';
      for (const part of c.says) assert.ok(message.includes(part), `"${message}" lacks "${part}"`);
      // A position leads the message, so a config file's line can replace it.
      if (c.says.some((part) => part.startsWith('line '))) assert.match(message, /^line \d+/);
    });
  }

  test('a syntax error keeps the parser error as cause and returns nothing else', () => {
    const parsed = parseGraph('digraph { a -> }');
    assert.equal(parsed.nodes.length, 0);
    assert.equal(parsed.edges.length, 0);
    const problem = parsed.problems[0];
    assert.ok(problem?.cause instanceof SyntaxError);
  });

  test('a quoted "subgraph" is an ordinary node name', () => {
    const parsed = parseGraph('digraph { "subgraph" [class=A]; a -> "subgraph" }');
    assert.deepEqual(codesOf(parsed), []);
    assert.deepEqual(edgesOf(parsed), ['a->subgraph']);
  });

  test('parseGraph never throws, whatever the input', () => {
    for (const dot of ['{', '}', 'digraph', '"', '->', 'digraph { a -> b -> }', '\u0000']) {
      const parsed = parseGraph(dot);
      assert.equal(parsed.problems.length, 1, dot);
    }
  });
});

describe('parseGraph: comments anywhere DOT allows them', () => {
  const table: { name: string; dot: string }[] = [
    { name: 'between a node id and its attributes', dot: 'digraph { a /* x */ [class=A, k=1] }' },
    { name: 'before a comma in a list', dot: 'digraph { a [class=A /* x */, k=1] }' },
    { name: 'at the start of a list', dot: 'digraph { a [/* x */ class=A, k=1] }' },
    { name: 'around =', dot: 'digraph { a [class /* x */ = /* y */ A, k=1] }' },
    { name: '// ending a line inside a list', dot: 'digraph { a [class=A, // x\n k=1] }' },
    { name: '# line inside a list', dot: 'digraph { a [class=A,\n# k=2\n k=1] }' },
    { name: 'tight against tokens', dot: 'digraph{a/*x*/[class=A/*y*/,k=1]}' },
  ];
  for (const c of table) {
    test(c.name, () => {
      const parsed = parseGraph(c.dot);
      assert.deepEqual(codesOf(parsed), [], parsed.problems.map((p) => p.message).join());
      assert.deepEqual(nodesOf(parsed), { a: { class: 'A', k: '1' } });
    });
  }

  test('comment markers inside quoted and HTML strings are text', () => {
    const parsed = parseGraph(
      'digraph { a [class=A, u="http://x/*y*/#z", q="a\\"//b", h=<<a href="//x">#</a>>] }',
    );
    assert.deepEqual(codesOf(parsed), []);
    assert.deepEqual(nodesOf(parsed), {
      a: { class: 'A', u: 'http://x/*y*/#z', q: 'a"//b', h: '<a href="//x">#</a>' },
    });
  });

  test('lines and columns still point into the original text after a comment', () => {
    const parsed = parseGraph('digraph { /* one\n two 😀 */ a -> ; }');
    assert.ok(
      parsed.problems[0]?.message.includes('line 2, column 17'),
      parsed.problems[0]?.message,
    );
    const lines = parseGraph('digraph {\n/* x\n y */\n a [class=A]\n}');
    assert.equal(lines.nodes[0]?.line, 4);
  });

  test('an unterminated block comment is a syntax error', () => {
    const parsed = parseGraph('digraph { a [class=A] /* never closed }');
    assert.deepEqual(codesOf(parsed), ['DATALOGD_ERR_GRAPH_SYNTAX']);
  });
});
