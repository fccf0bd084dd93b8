import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { JoinDataFilter } from '../../../../src/plugins/filters/join.js';

describe('JoinDataFilter', () => {
  function join(count?: number): { filter: JoinDataFilter; sent: unknown[] } {
    const filter = new JoinDataFilter(
      JoinDataFilter.optionsSchema.parse(count === undefined ? {} : { count }),
    );
    const sent: unknown[] = [];
    filter.connectSinks({ receive: (d: unknown) => sent.push(d) });
    return { filter, sent };
  }

  test('joins count receipts into one list, lists contributing their items', () => {
    const { filter, sent } = join(3);
    filter.receive([1, 2]);
    filter.receive({ a: 1 });
    assert.equal(sent.length, 0);
    filter.receive('x');
    assert.deepEqual(sent, [[1, 2, { a: 1 }, 'x']]);
    filter.receive([4]);
    filter.receive([5]);
    filter.receive([6]);
    assert.deepEqual(sent[1], [4, 5, 6]);
  });

  test('default count is 2; 1 or less passes every receipt on as a list', () => {
    const pair = join();
    pair.filter.receive(1);
    pair.filter.receive(2);
    assert.deepEqual(pair.sent, [[1, 2]]);
    const single = join(0);
    single.filter.receive(7);
    assert.deepEqual(single.sent, [[7]]);
  });

  test('never changes its input lists', () => {
    const { filter } = join(2);
    const first = [1];
    filter.receive(first);
    filter.receive([2]);
    assert.deepEqual(first, [1]);
  });
});
