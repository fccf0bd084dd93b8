import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseGraph } from '../../../src/graph/dot.js';
import { dotId, writeDigraph } from '../../../src/graph/dot-write.js';

describe('writeDigraph', () => {
  // Texts as the parser hands them over (`\\` stays two backslashes, `\"` became `"`).
  const names = ['plain_1', 'with space', 'node', 'Graph', '1', '-0.5', '.5', '2x', 'é', '', 'a"b'];
  const values = [
    '1',
    'None',
    "[['type', 'analog']]",
    '/run "A".txt',
    '\\n',
    'x\\\\',
    'a\\\\"b',
    '{"k": [1]}',
  ];

  test('the parser reads back every name and attribute text unchanged', () => {
    const nodes = names.map((name, i) => ({
      name,
      attributes: [
        ['class', 'NullDataSink'],
        ['v', values[i % values.length] as string],
      ] as const,
    }));
    const edges = names.slice(1).map((to, i) => ({ from: names[i] as string, to }));
    const parsed = parseGraph(writeDigraph({ nodes, edges }));
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(parsed.warnings, []);
    assert.deepEqual(
      parsed.nodes.map((node) => [node.name, { ...node.attributes }]),
      nodes.map((node) => [node.name, Object.fromEntries(node.attributes)]),
    );
    assert.deepEqual(
      parsed.edges.map(({ from, to }) => ({ from, to })),
      edges,
    );
  });

  test('presentation defaults come first, as graph [...] and node [...]', () => {
    const text = writeDigraph({
      graphDefaults: [['rankdir', 'LR']],
      nodeDefaults: [['shape', 'box']],
      nodes: [{ name: 'a', attributes: [] }],
      edges: [],
    });
    assert.equal(text, 'digraph {\n  graph [rankdir=LR];\n  node [shape=box];\n  a;\n}\n');
  });
});

test('dotId quotes only what needs it', () => {
  assert.deepEqual(['walk', 'my node', 'subgraph', '42', '-1.5', '1e5', 'a"b'].map(dotId), [
    'walk',
    '"my node"',
    '"subgraph"',
    '42',
    '-1.5',
    '"1e5"',
    '"a\\"b"',
  ]);
});
