import assert from 'node:assert/strict';
import { test } from 'node:test';
import { upstreamFirst } from '../../../src/runtime/topology.js';

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
