import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { DataSink } from '../../../src/core/node.js';
import { kindOfClass } from '../../../src/core/registry.js';
import { BUILTIN_PLUGINS, loadBuiltinPlugins } from '../../../src/plugins/index.js';
import { PLUGIN_DOCS_PATH, renderPluginDocs } from '../../../src/tools/gen-docs.js';

describe('docs/plugins.md', () => {
  test('is what renderPluginDocs(await loadBuiltinPlugins()) produces (run `npx tsx src/tools/gen-docs.ts`)', async () => {
    const onDisk = await readFile(PLUGIN_DOCS_PATH, 'utf8');
    assert.equal(onDisk, renderPluginDocs(await loadBuiltinPlugins()));
  });

  test('every built-in has a section, a description and described options', async () => {
    const text = renderPluginDocs(await loadBuiltinPlugins());
    for (const plugin of await loadBuiltinPlugins()) {
      assert.ok(text.includes(`### ${plugin.name}\n`), plugin.name);
      assert.ok((plugin.description ?? '').length > 0, `${plugin.name} has a description`);
      assert.ok(kindOfClass(plugin) !== undefined, `${plugin.name} has a kind`);
      for (const [name, option] of Object.entries(plugin.optionsSchema?.shape ?? {})) {
        const described = (option as z.ZodType).description ?? '';
        assert.ok(described.length > 0, `${plugin.name}.${name} has a description`);
      }
    }
  });

  test('an option row shows type, default and description', () => {
    class DemoDataSink extends DataSink {
      static readonly description = 'A demo.';
      static readonly optionsSchema = z.object({
        path: z.string().describe('Where | to.'),
        mode: z.enum(['a', 'b']).default('a').describe('Mode.'),
        pairs: z
          .array(z.tuple([z.string(), z.number()]))
          .nullable()
          .default(null)
          .describe('P.'),
      });
    }
    const text = renderPluginDocs([DemoDataSink]);
    assert.ok(text.includes('## Sinks\n\n### DemoDataSink\n\n*DataSink.* A demo.\n'));
    assert.ok(text.includes('| `path` | string | **required** | Where \\| to. |'), text);
    assert.ok(text.includes('| `mode` | "a" \\| "b" | `"a"` | Mode. |'), text);
    assert.ok(text.includes('| `pairs` | [string, number][] \\| null | `null` | P. |'), text);
  });

  test('a default behind a transform or a pipe is shown, in input form where there is one', () => {
    class DefaultsDataSink extends DataSink {
      static readonly description = 'Defaults.';
      static readonly optionsSchema = z.object({
        port: z
          .union([z.number(), z.string()])
          .transform(Number)
          .pipe(z.number().int())
          .default(45454)
          .describe('P.'),
        kind: z
          .enum(['json', 'none'])
          .transform((v) => v.toUpperCase())
          .default('JSON')
          .describe('K.'),
        level: z.union([z.number(), z.string()]).transform(String).prefault(20).describe('L.'),
        maybe: z.string().optional().describe('M.'),
      });
    }
    const text = renderPluginDocs([DefaultsDataSink]);
    assert.ok(text.includes('| `port` | number \\| string | `45454` | P. |'), text);
    assert.ok(text.includes('| `kind` | "json" \\| "none" | `"JSON"` | K. |'), text);
    assert.ok(text.includes('| `level` | number \\| string | `20` | L. |'), text);
    assert.ok(text.includes('| `maybe` | string | – | M. |'), text);
  });

  test('a default that JSON cannot show stops the generator, naming the option', () => {
    class BytesDataSink extends DataSink {
      static readonly description = 'Bytes.';
      static readonly optionsSchema = z.object({
        end: z
          .string()
          .transform((v) => Buffer.from(v))
          .default(Buffer.from([23]))
          .describe('E.'),
      });
    }
    assert.throws(
      () => renderPluginDocs([BytesDataSink]),
      /BytesDataSink\.end: its default cannot be shown/,
    );
  });

  test('every built-in option without a default in the docs really has none', async () => {
    const text = renderPluginDocs(await loadBuiltinPlugins());
    for (const plugin of await loadBuiltinPlugins()) {
      const section = text.split(`### ${plugin.name}\n`)[1]?.split('\n### ')[0] ?? '';
      for (const [name, option] of Object.entries(plugin.optionsSchema?.shape ?? {})) {
        const row = section.split('\n').find((line) => line.startsWith(`| \`${name}\` |`));
        assert.ok(row !== undefined, `${plugin.name}.${name} has a row`);
        const parsed = (option as z.ZodType).safeParse(undefined);
        const hasDefault = parsed.success && parsed.data !== undefined;
        const shown = / \| – \| | \| \*\*required\*\* \| /.test(row);
        assert.equal(shown, !hasDefault, `${plugin.name}.${name}: ${row}`);
      }
    }
  });
});

describe('BUILTIN_PLUGINS', () => {
  test('each entry loads the class it is named after', async () => {
    for (const entry of BUILTIN_PLUGINS) {
      assert.equal((await entry.load()).name, entry.name);
    }
  });
});
