import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planReload, type NodeIdentity } from '../../../src/runtime/reload-plan.js';

class A {}
class B {}

const node = (name: string, cls: unknown, options: Record<string, unknown> = {}): NodeIdentity => ({
  name,
  className: (cls as { name: string }).name,
  cls,
  options,
});

test('nodes are kept, restarted, added and removed by name, class and options', () => {
  const running = new Map(
    [
      node('same', A, { interval: 1, walkers: [[0, 1]] }),
      node('options', A, { interval: 1 }),
      node('class', A),
      node('gone', B),
    ].map((n) => [n.name, n]),
  );
  const plan = planReload(running, [
    node('same', A, { interval: 1, walkers: [[0, 1]] }),
    node('options', A, { interval: 2 }),
    node('class', B),
    node('new', A),
  ]);
  assert.deepEqual(plan, {
    kept: ['same'],
    restarted: ['options', 'class'],
    added: ['new'],
    removed: ['gone'],
  });
});

test('a plugin class loaded again from a changed file is another class: the node restarts', () => {
  const Old = class TagDataFilter {};
  const New = class TagDataFilter {};
  const plan = planReload(new Map([['t', node('t', Old)]]), [node('t', New)]);
  assert.deepEqual(plan.restarted, ['t']);
});

test('NaN options compare equal to themselves, so a node with one is kept', () => {
  const plan = planReload(new Map([['n', node('n', A, { x: NaN })]]), [node('n', A, { x: NaN })]);
  assert.deepEqual(plan.kept, ['n']);
});
