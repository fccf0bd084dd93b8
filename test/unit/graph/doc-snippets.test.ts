import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseGraph } from '../../../src/graph/dot.js';

const root = new URL('../../../', import.meta.url);
const pages = ['README.md', ...readdirSync(new URL('docs/', root)).map((f) => `docs/${f}`)].filter(
  (p) => p.endsWith('.md'),
);

for (const page of pages) {
  const text = readFileSync(new URL(page, root), 'utf8');
  const snippets = [...text.matchAll(/```dot\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  snippets.forEach((dot, i) => {
    test(`${page}: DOT example ${i + 1} parses`, () => {
      const { problems } = parseGraph(dot);
      assert.deepEqual(
        problems.map((p) => p.message),
        [],
      );
    });
  });
}

test('the pages above contain DOT examples at all', () => {
  const total = pages
    .map((p) => (readFileSync(new URL(p, root), 'utf8').match(/```dot\n/g) ?? []).length)
    .reduce((a, b) => a + b, 0);
  assert.ok(total >= 3, `found ${total}`);
});

test('every examples/*.conf has a connection graph that parses', async () => {
  const { loadConfig } = await import('../../../src/config/load.js');
  const examples = readdirSync(new URL('examples/', root)).filter((f) => f.endsWith('.conf'));
  assert.ok(examples.length >= 5);
  for (const name of examples) {
    const config = await loadConfig({
      configFile: new URL(`examples/${name}`, root).pathname,
      env: {},
      home: '/nonexistent',
    });
    assert.ok(config.connectionGraph !== undefined && config.connectionGraph !== '', name);
    assert.deepEqual(
      parseGraph(config.connectionGraph).problems.map((p) => p.message),
      [],
      name,
    );
  }
});
