import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { DataSink } from '../../../src/core/node.js';
import { kindOfClass } from '../../../src/core/registry.js';
import { BUILTIN_PLUGINS, loadBuiltinPlugins } from '../../../src/plugins/index.js';
import { PLUGIN_DOCS_PATH, renderPluginDocs, typeText } from '../../../src/tools/gen-docs.js';

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

  test('typeText reads JSON Schema unions and arrays', () => {
    assert.equal(
      typeText({ anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] }),
      'string | string[]',
    );
    assert.equal(typeText({}), 'any');
  });
});

describe('BUILTIN_PLUGINS', () => {
  test('each entry loads the class it is named after', async () => {
    for (const entry of BUILTIN_PLUGINS) {
      assert.equal((await entry.load()).name, entry.name);
    }
  });
});
