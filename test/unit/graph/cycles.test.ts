import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findCycles, stronglyConnectedComponents } from '../../../src/graph/cycles.js';

function edges(...pairs: string[]): { from: string; to: string }[] {
  return pairs.map((pair) => {
    const [from = '', to = ''] = pair.split('>');
    return { from, to };
  });
}

describe('findCycles', () => {
  const table: { name: string; names: string[]; edges: string[]; cycles: string[][] }[] = [
    { name: 'no edges', names: ['a', 'b'], edges: [], cycles: [] },
    { name: 'a chain', names: ['a', 'b', 'c'], edges: ['a>b', 'b>c'], cycles: [] },
    {
      name: 'a diamond',
      names: ['a', 'b', 'c', 'd'],
      edges: ['a>b', 'a>c', 'b>d', 'c>d'],
      cycles: [],
    },
    { name: 'self-edges are not cycles here', names: ['a'], edges: ['a>a'], cycles: [] },
    { name: 'length 2', names: ['a', 'b'], edges: ['a>b', 'b>a'], cycles: [['a', 'b']] },
    {
      name: 'length 3 starts at the first declared node',
      names: ['x', 'a', 'b', 'c'],
      edges: ['c>a', 'b>c', 'a>b'],
      cycles: [['a', 'b', 'c']],
    },
    {
      name: 'declaration order decides the start, not edge order',
      names: ['c', 'b', 'a'],
      edges: ['a>b', 'b>c', 'c>a'],
      cycles: [['c', 'a', 'b']],
    },
    {
      name: 'two separate cycles, in declaration order',
      names: ['p', 'q', 'a', 'b', 'c'],
      edges: ['a>b', 'b>c', 'c>a', 'q>p', 'p>q', 'q>a'],
      cycles: [
        ['p', 'q'],
        ['a', 'b', 'c'],
      ],
    },
    {
      name: 'one component, reported once by its shortest loop through the start',
      names: ['a', 'b', 'c', 'd'],
      edges: ['a>b', 'b>c', 'c>d', 'd>a', 'c>a'],
      cycles: [['a', 'b', 'c']],
    },
    {
      name: 'nodes only known from edges still count',
      names: ['a'],
      edges: ['a>x', 'x>a'],
      cycles: [['a', 'x']],
    },
  ];
  for (const c of table) {
    test(c.name, () => {
      assert.deepEqual(findCycles(c.names, edges(...c.edges)), c.cycles);
    });
  }

  test('200 000 nodes in a chain and in a ring: no stack overflow', () => {
    const n = 200_000;
    const names = Array.from({ length: n }, (_, i) => `n${i}`);
    const chain = names.slice(1).map((to, i) => ({ from: `n${i}`, to }));
    assert.deepEqual(findCycles(names, chain), []);
    const ring = findCycles(names, [...chain, { from: `n${n - 1}`, to: 'n0' }]);
    assert.equal(ring.length, 1);
    assert.deepEqual(ring[0], names);
  });
});

describe('stronglyConnectedComponents', () => {
  test('splits a graph into its components', () => {
    const successors = new Map([
      ['a', ['b']],
      ['b', ['c', 'd']],
      ['c', ['a']],
      ['d', ['e']],
      ['e', ['d']],
      ['f', []],
    ]);
    const components = stronglyConnectedComponents(['a', 'b', 'c', 'd', 'e', 'f'], successors)
      .map((component) => [...component].sort().join(''))
      .sort();
    assert.deepEqual(components, ['abc', 'de', 'f']);
  });
});
