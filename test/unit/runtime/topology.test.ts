import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sinksOf, upstreamFirst, upstreamOf } from '../../../src/runtime/topology.js';

test('every node comes before the nodes it sends to; ties keep declaration order', () => {
  const order = upstreamFirst(
    ['sink', 'filter', 'source', 'lonely', 'source2'],
    [
      { from: 'source', to: 'filter' },
      { from: 'filter', to: 'sink' },
      { from: 'source2', to: 'sink' },
    ],
  );
  assert.deepEqual(order, ['source', 'lonely', 'source2', 'filter', 'sink']);
});

test('upstreamOf lists the direct senders among the given nodes; sinksOf keeps edge order', () => {
  const edges = [
    { from: 'a', to: 'c' },
    { from: 'b', to: 'c' },
    { from: 'a', to: 'b' },
    { from: 'outside', to: 'c' },
  ];
  assert.deepEqual(
    [...upstreamOf(['a', 'b', 'c'], edges)],
    [
      ['a', []],
      ['b', ['a']],
      ['c', ['a', 'b']],
    ],
  );
  assert.deepEqual(sinksOf(edges).get('a'), ['c', 'b']);
});
