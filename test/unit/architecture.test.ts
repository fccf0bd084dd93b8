import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

/** The layers, lowest first; a file may import only from its own layer or lower ones. */
const LAYERS = ['core', 'python', 'io', 'config', 'graph', 'plugins', 'runtime', 'cli'] as const;
/** Whole-program tools and the public entry point may import anything. */
const ANYWHERE = new Set(['tools', 'index.ts']);
/** What a plugin may import from `src/plugins/` besides its own file or folder. */
const PLUGIN_SHARED = new Set(['plugins/options.ts']);

interface Import {
  readonly from: string;
  readonly to: string;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    const file = path.join(dir, entry);
    if (statSync(file).isDirectory()) walk(file, out);
    else if (file.endsWith('.ts')) out.push(file);
  }
  return out;
}

function projectImports(): Import[] {
  const imports: Import[] = [];
  const specifier = /(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;
  for (const file of walk(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(specifier)) {
      const target = path.resolve(path.dirname(file), match[1] ?? '').replace(/\.js$/, '.ts');
      imports.push({
        from: path.relative(SRC, file).split(path.sep).join('/'),
        to: path.relative(SRC, target).split(path.sep).join('/'),
      });
    }
  }
  return imports;
}

function layerOf(file: string): string {
  return file.split('/')[0] ?? file;
}

/** A plugin's own unit: its folder for a folder plugin, else its single file. */
function pluginUnit(file: string): string | undefined {
  const parts = file.split('/');
  if (parts[0] !== 'plugins' || parts.length < 3) return undefined;
  return parts.length === 3 ? file : parts.slice(0, 3).join('/');
}

const imports = projectImports();

test('the import walk sees the project (a test that finds nothing cannot fail)', () => {
  assert.ok(imports.length > 100, `found ${imports.length} imports`);
  assert.ok(imports.some((i) => i.from.startsWith('plugins/sinks/')));
});

test('src/core imports nothing outside itself', () => {
  const outside = imports.filter((i) => layerOf(i.from) === 'core' && layerOf(i.to) !== 'core');
  assert.deepEqual(outside, []);
});

test('layers point one way: nothing imports a layer above its own', () => {
  const rank = (file: string): number => LAYERS.indexOf(layerOf(file) as (typeof LAYERS)[number]);
  const upward = imports.filter((i) => {
    if (ANYWHERE.has(layerOf(i.from))) return false;
    const from = rank(i.from);
    const to = rank(i.to);
    assert.ok(from >= 0, `${i.from} is in no known layer`);
    return to > from;
  });
  assert.deepEqual(upward, []);
});

test("a plugin imports core, python, io, the options kit and its own files, never another plugin's", () => {
  const crossing = imports.filter((i) => {
    const unit = pluginUnit(i.from);
    if (unit === undefined || layerOf(i.to) !== 'plugins') return false;
    if (PLUGIN_SHARED.has(i.to)) return false;
    return pluginUnit(i.to) !== unit;
  });
  assert.deepEqual(crossing, []);
});

test('no source or sink imports a filter module', () => {
  const fromSourceOrSink = imports.filter(
    (i) => /^plugins\/(sources|sinks)\//.test(i.from) && /^plugins\/filters\//.test(i.to),
  );
  assert.deepEqual(fromSourceOrSink, []);
});
