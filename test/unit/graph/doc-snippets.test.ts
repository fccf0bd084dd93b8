import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
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

test('links in the README and docs/ point at files of this repository that exist', () => {
  const repo = fileURLToPath(root);
  const problems: string[] = [];
  for (const page of pages) {
    const text = readFileSync(new URL(page, root), 'utf8');
    for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = (match[1] ?? '').split('#')[0] ?? '';
      if (target === '' || /^[a-z]+:/i.test(target)) continue; // an anchor, or a web address
      const resolved = resolve(dirname(join(repo, page)), target);
      const inside = relative(repo, resolved);
      if (inside.startsWith('..') || isAbsolute(inside)) {
        problems.push(`${page}: ${target} is outside the repository`);
      } else if (!existsSync(resolved)) {
        problems.push(`${page}: ${target} does not exist`);
      }
    }
  }
  assert.deepEqual(problems, []);
});
