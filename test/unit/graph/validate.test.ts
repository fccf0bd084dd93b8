import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { DataFilter, DataSink, DataSource } from '../../../src/core/node.js';
import { Registry } from '../../../src/core/registry.js';
import { DatalogdError } from '../../../src/core/errors.js';
import { NullDataFilter, NullDataSink, NullDataSource } from '../../../src/plugins/null.js';
import { parseGraph } from '../../../src/graph/dot.js';
import { validateGraph, type ValidatedGraph } from '../../../src/graph/validate.js';

class RandomWalkDataSource extends DataSource {
  static readonly optionsSchema = z.object({
    interval: z.number().positive().default(1),
    walkers: z.array(z.tuple([z.number(), z.number()])).default([[0, 1]]),
    seed: z.number().nullable().default(null),
  });
}

class ScaleDataFilter extends DataFilter {
  static readonly optionsSchema = z.object({ factor: z.number() });
}

class PrintDataSink extends DataSink {
  static readonly optionsSchema = z.object({ prefix: z.string().default('') });
}

/** A user plugin in the Python style: no schema, gets the decoded attributes. */
class LooseDataSink extends DataSink {}

function registry(): Registry {
  return new Registry([
    NullDataSource,
    NullDataFilter,
    NullDataSink,
    RandomWalkDataSource,
    ScaleDataFilter,
    PrintDataSink,
    LooseDataSink,
  ]);
}

/** Stands in for parseDotJson: JSON with single quotes, else the text. */
function decode(raw: string): unknown {
  try {
    return JSON.parse(raw.replaceAll("'", '"')) as unknown;
  } catch {
    return raw;
  }
}

function check(dot: string): ValidatedGraph {
  return validateGraph(parseGraph(dot), registry(), decode);
}

function codes(graph: ValidatedGraph): string[] {
  return graph.problems.map((p) => p.code);
}

function messages(graph: ValidatedGraph): string {
  return graph.problems.map((p) => `[${p.code}] ${p.message}`).join('\n');
}

describe('validateGraph: a good graph', () => {
  test('nodes get their plugin and typed options with defaults; edges keep file order', () => {
    const graph = check(`digraph {
      w [class=RandomWalkDataSource, interval=0.5, walkers="[[100, 5], [50, 2.5]]"];
      f [class=ScaleDataFilter, factor=2];
      p [class=PrintDataSink];
      l [class=LooseDataSink, anything="{'a': [1, 2]}", name=text];
      w -> p; w -> f -> l; f -> p;
    }`);
    assert.deepEqual(codes(graph), [], messages(graph));
    assert.deepEqual(
      graph.nodes.map((n) => [n.name, n.className, n.plugin.kind, n.options]),
      [
        [
          'w',
          'RandomWalkDataSource',
          'DataSource',
          {
            interval: 0.5,
            walkers: [
              [100, 5],
              [50, 2.5],
            ],
            seed: null,
          },
        ],
        ['f', 'ScaleDataFilter', 'DataFilter', { factor: 2 }],
        ['p', 'PrintDataSink', 'DataSink', { prefix: '' }],
        ['l', 'LooseDataSink', 'DataSink', { anything: { a: [1, 2] }, name: 'text' }],
      ],
    );
    assert.equal(graph.nodes[0]?.plugin.cls, RandomWalkDataSource);
    assert.deepEqual(graph.edges, [
      { from: 'w', to: 'p' },
      { from: 'w', to: 'f' },
      { from: 'f', to: 'l' },
      { from: 'f', to: 'p' },
    ]);
    assert.deepEqual(graph.warnings, []);
  });

  test('decode sees the raw attribute text, never the class', () => {
    const seen: string[] = [];
    const graph = validateGraph(
      parseGraph('digraph { a [class=LooseDataSink, x="[1, 2]", y=True] }'),
      registry(),
      (raw) => {
        seen.push(raw);
        return raw.length;
      },
    );
    assert.deepEqual(seen, ['[1, 2]', 'True']);
    assert.deepEqual(graph.nodes[0]?.options, { x: 6, y: 4 });
  });

  test('parser warnings are passed on', () => {
    const graph = check(
      'digraph { rankdir=LR; a [class=NullDataSource]; b [class=NullDataSink]; a -> b }',
    );
    assert.deepEqual(codes(graph), []);
    assert.equal(graph.warnings.length, 1);
    assert.match(graph.warnings[0] ?? '', /rankdir=LR is ignored/);
  });

  test('a duplicate edge is kept once with a warning, at its first position', () => {
    const graph = check(`digraph {
      a [class=NullDataSource]; b [class=NullDataSink]; c [class=NullDataSink];
      a -> b; a -> c; a -> b; a -> {b c}
    }`);
    assert.deepEqual(codes(graph), []);
    assert.deepEqual(graph.edges, [
      { from: 'a', to: 'b' },
      { from: 'a', to: 'c' },
    ]);
    assert.deepEqual(graph.warnings, [
      'line 3: edge a -> b appears 3 times; connected once',
      'line 3: edge a -> c appears 2 times; connected once',
    ]);
  });
});

interface FaultCase {
  readonly name: string;
  readonly dot: string;
  readonly code: string;
  readonly node: string | undefined;
  /** Parts the message must contain. */
  readonly says: readonly string[];
}

const faults: FaultCase[] = [
  {
    name: 'no nodes at all',
    dot: 'digraph { }',
    code: 'DATALOGD_ERR_GRAPH_EMPTY',
    node: undefined,
    says: ['declares no nodes'],
  },
  {
    name: 'a node without class',
    dot: 'digraph {\n a [interval=1] }',
    code: 'DATALOGD_ERR_NODE_NO_CLASS',
    node: 'a',
    says: ['line 2: ', 'node "a" has no class'],
  },
  {
    name: 'a misspelt class',
    dot: 'digraph { w [class=RandomWalkDataSorce] }',
    code: 'DATALOGD_ERR_UNKNOWN_CLASS',
    node: 'w',
    says: ['node "w"', '"RandomWalkDataSorce"', 'did you mean "RandomWalkDataSource"?'],
  },
  {
    name: 'an unknown sink lists the known sinks',
    dot: 'digraph { s [class=InfluxDBDataSink] }',
    code: 'DATALOGD_ERR_UNKNOWN_CLASS',
    node: 's',
    says: ['known DataSink classes: NullDataSink, PrintDataSink, LooseDataSink'],
  },
  {
    name: 'an unknown class with no kind suffix lists everything',
    dot: 'digraph { s [class=Printer] }',
    code: 'DATALOGD_ERR_UNKNOWN_CLASS',
    node: 's',
    says: ['ends in DataSource, DataFilter or DataSink', 'NullDataSource', 'PrintDataSink'],
  },
  {
    name: 'an unknown option',
    dot: 'digraph { w [class=RandomWalkDataSource, intervall=2] }',
    code: 'DATALOGD_ERR_UNKNOWN_OPTION',
    node: 'w',
    says: ['"intervall"', 'did you mean "interval"', 'valid options: interval, walkers, seed'],
  },
  {
    name: 'an option of the wrong type',
    dot: 'digraph { w [class=RandomWalkDataSource, interval=fast] }',
    code: 'DATALOGD_ERR_OPTION_TYPE',
    node: 'w',
    says: ['node "w"', 'option "interval"', '"fast"'],
  },
  {
    name: 'a missing required option',
    dot: 'digraph { f [class=ScaleDataFilter] }',
    code: 'DATALOGD_ERR_OPTION_TYPE',
    node: 'f',
    says: ['option "factor"'],
  },
  {
    name: 'an edge to an undeclared node, with a suggestion',
    dot: 'digraph {\n src [class=NullDataSource]; sink [class=NullDataSink];\n src -> sinc }',
    code: 'DATALOGD_ERR_EDGE_UNKNOWN_NODE',
    node: 'sinc',
    says: ['line 3: edge src -> sinc', 'node "sinc" is not declared', 'did you mean "sink"?'],
  },
  {
    name: 'an edge from an undeclared node',
    dot: 'digraph { b [class=NullDataSink]; zzzzzz -> b }',
    code: 'DATALOGD_ERR_EDGE_UNKNOWN_NODE',
    node: 'zzzzzz',
    says: ['edge zzzzzz -> b', 'node "zzzzzz" is not declared; declare it'],
  },
  {
    name: 'a self-edge',
    dot: 'digraph { f [class=NullDataFilter]; f -> f }',
    code: 'DATALOGD_ERR_EDGE_SELF',
    node: 'f',
    says: ['edge f -> f', 'itself'],
  },
  {
    name: 'an edge out of a sink',
    dot: 'digraph { s [class=PrintDataSink]; t [class=NullDataSink]; s -> t }',
    code: 'DATALOGD_ERR_EDGE_NOT_SOURCE',
    node: 's',
    says: ['edge s -> t', 'node "s" is a DataSink (PrintDataSink)', 'cannot send'],
  },
  {
    name: 'an edge into a source',
    dot: 'digraph { a [class=NullDataSource]; b [class=RandomWalkDataSource]; a -> b }',
    code: 'DATALOGD_ERR_EDGE_NOT_SINK',
    node: 'b',
    says: ['edge a -> b', 'node "b" is a DataSource (RandomWalkDataSource)', 'cannot receive'],
  },
  {
    name: 'a syntax error alone (no "empty graph" on top)',
    dot: 'digraph { a -> }',
    code: 'DATALOGD_ERR_GRAPH_SYNTAX',
    node: undefined,
    says: ['line 1, column 16'],
  },
  {
    name: 'an undirected graph alone',
    dot: 'graph { a [class=NullDataSource] }',
    code: 'DATALOGD_ERR_GRAPH_NOT_DIGRAPH',
    node: undefined,
    says: ['digraph'],
  },
];

describe('validateGraph: each fault', () => {
  for (const c of faults) {
    test(c.name, () => {
      const graph = check(c.dot);
      assert.deepEqual(codes(graph), [c.code], messages(graph));
      const problem = graph.problems[0] as DatalogdError;
      assert.ok(problem instanceof DatalogdError);
      assert.equal(problem.node, c.node);
      for (const part of c.says) {
        assert.ok(problem.message.includes(part), `"${problem.message}" lacks "${part}"`);
      }
    });
  }
});

describe('validateGraph: many faults at once', () => {
  test('a graph of edges only: empty, and every end undeclared', () => {
    const graph = check('digraph { a -> b }');
    assert.deepEqual(
      graph.problems.map((p) => [p.code, p.node]),
      [
        ['DATALOGD_ERR_GRAPH_EMPTY', undefined],
        ['DATALOGD_ERR_EDGE_UNKNOWN_NODE', 'a'],
        ['DATALOGD_ERR_EDGE_UNKNOWN_NODE', 'b'],
      ],
    );
  });

  test('every problem is reported, in a stable order, each naming its node', () => {
    const graph = check(`digraph {
      a [interval=1];
      w [class=RandomWalkDataSorce];
      r [class=RandomWalkDataSource, interval="-1", colour=red];
      f [class=NullDataFilter];
      g [class=NullDataFilter];
      s [class=PrintDataSink];
      r -> f -> g -> f;
      s -> r;
      g -> g;
      r -> nowhere;
      r -> s; r -> s;
    }`);
    assert.deepEqual(
      graph.problems.map((p) => [p.code, p.node]),
      [
        ['DATALOGD_ERR_NODE_NO_CLASS', 'a'],
        ['DATALOGD_ERR_UNKNOWN_CLASS', 'w'],
        ['DATALOGD_ERR_OPTION_TYPE', 'r'],
        ['DATALOGD_ERR_UNKNOWN_OPTION', 'r'],
        ['DATALOGD_ERR_EDGE_NOT_SOURCE', 's'],
        ['DATALOGD_ERR_EDGE_NOT_SINK', 'r'],
        ['DATALOGD_ERR_EDGE_SELF', 'g'],
        ['DATALOGD_ERR_EDGE_UNKNOWN_NODE', 'nowhere'],
        ['DATALOGD_ERR_GRAPH_CYCLE', 'f'],
      ],
      messages(graph),
    );
    for (const p of graph.problems) {
      assert.ok(
        p.message.includes(`"${p.node ?? ''}"`) || p.message.includes(`${p.node ?? ''} ->`),
      );
    }
    assert.deepEqual(graph.warnings, ['line 12: edge r -> s appears 2 times; connected once']);
    // Only nodes that passed every check are returned.
    assert.deepEqual(
      graph.nodes.map((n) => n.name),
      ['f', 'g', 's'],
    );
  });
});

describe('validateGraph: message details', () => {
  test('option problems carry the line of the node', () => {
    const graph = check('digraph {\n\n w [class=RandomWalkDataSource, interval=fast] }');
    const problem = graph.problems[0];
    assert.ok(problem !== undefined);
    assert.equal(problem.code, 'DATALOGD_ERR_OPTION_TYPE');
    assert.equal(problem.option, 'interval');
    assert.ok(problem.message.startsWith('line 3: node "w"'), problem.message);
  });

  test('names that need quotes in DOT are quoted in messages', () => {
    const graph = check(
      'digraph { "my source" [class=NullDataSource]; "a b" [class=NullDataSource]; "my source" -> "a b"; "my source" -> "my sink" }',
    );
    assert.deepEqual(
      graph.problems.map((p) => p.message),
      [
        'line 1: edge "my source" -> "a b": node "a b" is a DataSource (NullDataSource) and cannot receive data',
        'line 1: edge "my source" -> "my sink": node "my sink" is not declared; declare it with "my sink" [class=...]',
      ],
    );
  });
});

describe('validateGraph: option names that are object internals', () => {
  for (const name of ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString']) {
    test(`${name} is an unknown option like any other, also set by node [...] defaults`, () => {
      const direct = check(`digraph { w [class=RandomWalkDataSource, ${name}=1] }`);
      assert.deepEqual(codes(direct), ['DATALOGD_ERR_UNKNOWN_OPTION'], messages(direct));
      assert.equal(direct.problems[0]?.option, name);
      assert.match(
        messages(direct),
        new RegExp(`has no option "${name}"; valid options: interval`),
      );
      const inherited = check(
        `digraph { node [${name}=1]; w [class=RandomWalkDataSource]; w [interval=2] }`,
      );
      assert.deepEqual(codes(inherited), ['DATALOGD_ERR_UNKNOWN_OPTION'], messages(inherited));
    });
  }

  test('a class without a schema gets constructor as an option, but refuses __proto__', () => {
    const loose = check('digraph { s [class=LooseDataSink, constructor=1, a=2] }');
    assert.deepEqual(codes(loose), []);
    const options = loose.nodes[0]?.options;
    assert.deepEqual(options, { constructor: 1, a: 2 });
    assert.equal(Object.getPrototypeOf(options), Object.prototype, 'an ordinary object');
    const proto = check('digraph { s [class=LooseDataSink, __proto__=1] }');
    assert.deepEqual(codes(proto), ['DATALOGD_ERR_UNKNOWN_OPTION']);
    assert.match(
      messages(proto),
      /line 1: node "s": LooseDataSink cannot take an option named "__proto__"/,
    );
  });
});

describe('validateGraph: values JSON cannot show', () => {
  const cases: { name: string; option: string; value: unknown; expected: RegExp }[] = [
    {
      name: 'NaN',
      option: 'interval',
      value: NaN,
      expected:
        /option "interval" of RandomWalkDataSource must be a finite number, not NaN \(given NaN\)/,
    },
    {
      name: 'Infinity',
      option: 'interval',
      value: Infinity,
      expected: /option "interval" .* must be a finite number, not Infinity \(given Infinity\)/,
    },
    {
      name: '-Infinity inside a list',
      option: 'walkers',
      value: [[0, -Infinity]],
      expected:
        /option "walkers.0.1" .* must be a finite number, not -Infinity \(given \[\[0,-Infinity\]\]\)/,
    },
    {
      // DOT decodes a 20-digit number to a BigInt, which JSON.stringify cannot even show.
      name: 'a long integer',
      option: 'seed',
      value: 10n ** 20n,
      expected: /option "seed" .* \(given 100000000000000000000\)/,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const graph = validateGraph(
        parseGraph(`digraph { w [class=RandomWalkDataSource, ${c.option}=x] }`),
        registry(),
        (raw) => (raw === 'x' ? c.value : decode(raw)),
      );
      assert.deepEqual(codes(graph), ['DATALOGD_ERR_OPTION_TYPE']);
      assert.match(messages(graph), c.expected);
    });
  }
});

describe('validateGraph: cycles', () => {
  const table: { name: string; dot: string; cycles: string[] }[] = [
    {
      name: 'length 2',
      dot: 'a -> b -> a',
      cycles: ['a -> b -> a'],
    },
    {
      name: 'length 3, reported from the node declared first',
      dot: 'b -> c -> a -> b',
      cycles: ['a -> b -> c -> a'],
    },
    {
      name: 'two separate cycles',
      dot: 'a -> b -> a; c -> d -> e -> c; b -> c',
      cycles: ['a -> b -> a', 'c -> d -> e -> c'],
    },
    {
      name: 'one component with two loops is reported once, by its shortest loop through the first node',
      dot: 'a -> b -> c -> d -> a; b -> a',
      cycles: ['a -> b -> a'],
    },
    {
      name: 'a diamond is not a cycle',
      dot: 'a -> {b c} -> d -> e',
      cycles: [],
    },
  ];
  for (const c of table) {
    test(c.name, () => {
      const decls = ['a', 'b', 'c', 'd', 'e'].map((n) => `${n} [class=NullDataFilter]`).join('; ');
      const graph = check(`digraph { ${decls}; ${c.dot} }`);
      assert.ok(
        graph.problems.every((p) => p.code === 'DATALOGD_ERR_GRAPH_CYCLE'),
        messages(graph),
      );
      assert.deepEqual(
        graph.problems.map((p) => p.message.slice(p.message.lastIndexOf(': ') + 2)),
        c.cycles,
      );
      assert.deepEqual(
        graph.problems.map((p) => p.node),
        c.cycles.map((cycle) => cycle.slice(0, 1)),
      );
    });
  }

  test('a long chain through the whole pipeline (findCycles has its own depth test)', () => {
    // The parser caps a file at 100 000 AST nodes, so 5 000 nodes is near the largest graph.
    const n = 5_000;
    const names = Array.from({ length: n }, (_, i) => `n${i}`);
    const decls = names.map((name) => `${name} [class=NullDataFilter]`).join('\n');
    const chain = names
      .slice(1)
      .map((name, i) => `n${i} -> ${name}`)
      .join('\n');
    const graph = check(`digraph {\n${decls}\n${chain}\n}`);
    assert.deepEqual(codes(graph), [], messages(graph));
    assert.equal(graph.edges.length, n - 1);
    const looped = check(`digraph {\n${decls}\n${chain}\nn${n - 1} -> n0\n}`);
    assert.deepEqual(codes(looped), ['DATALOGD_ERR_GRAPH_CYCLE']);
    assert.ok(looped.problems[0]?.message.endsWith(`n${n - 1} -> n0`));
  });
});
