import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { renderSvg } from '../../../src/cli/graph-svg.js';

const SRC = fileURLToPath(new URL('../../../src', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const file = path.join(dir, entry);
    return statSync(file).isDirectory() ? sources(file) : file.endsWith('.ts') ? [file] : [];
  });
}

test('the WebAssembly Graphviz is only ever imported on demand, by graph-svg.ts', () => {
  const mentions = sources(SRC).filter((file) =>
    readFileSync(file, 'utf8').includes("'@hpcc-js/wasm-graphviz'"),
  );
  assert.deepEqual(
    mentions.map((file) => path.relative(SRC, file)),
    [path.join('cli', 'graph-svg.ts')],
  );
  const text = readFileSync(path.join(SRC, 'cli', 'graph-svg.ts'), 'utf8');
  assert.doesNotMatch(text, /^import .*wasm-graphviz/m, 'no static import');
  assert.match(text, /await import\('@hpcc-js\/wasm-graphviz'\)/);
});

test('renderSvg lays out DOT with Graphviz', async () => {
  const svg = await renderSvg('digraph { a [label="first"]; a -> b }');
  assert.match(svg, /<svg[\s>]/);
  assert.match(svg, />first<\/text>/);
  assert.match(svg, /<title>a&#45;&gt;b<\/title>/);
});
