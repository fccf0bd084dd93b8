import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { DataSource } from '../../../src/core/node.js';
import {
  describeOptions,
  optionsJsonSchema,
  summaryOf,
  typeText,
} from '../../../src/core/option-docs.js';

class DemoDataSource extends DataSource {
  static readonly description = 'A demo. It has two options.';
  static readonly optionsSchema = z.object({
    host: z.string().describe('Where to connect.'),
    port: z
      .union([z.number(), z.string()])
      .transform(Number)
      .pipe(z.number().int())
      .default(45454)
      .describe('TCP port.'),
    mode: z.enum(['a', 'b']).default('a').describe('Mode.'),
  });
}

describe('describeOptions', () => {
  test('lists each option with type, default, required and description, in schema order', () => {
    const options = describeOptions(DemoDataSource) ?? [];
    assert.deepEqual(
      options.map(({ name, type, default: value, required, description }) => ({
        name,
        type,
        value,
        required,
        description,
      })),
      [
        {
          name: 'host',
          type: 'string',
          value: undefined,
          required: true,
          description: 'Where to connect.',
        },
        {
          name: 'port',
          type: 'number | string',
          value: 45454,
          required: false,
          description: 'TCP port.',
        },
        { name: 'mode', type: '"a" | "b"', value: 'a', required: false, description: 'Mode.' },
      ],
    );
  });

  test('is undefined for a class that declares no schema', () => {
    class LooseDataSource extends DataSource {}
    assert.equal(describeOptions(LooseDataSource), undefined);
  });
});

test('optionsJsonSchema refuses unknown options, as the graph validation does', () => {
  const schema = optionsJsonSchema(DemoDataSource.optionsSchema);
  assert.equal(schema['additionalProperties'], false);
  assert.deepEqual(schema.required, ['host']);
});

test('typeText reads JSON Schema unions and arrays', () => {
  assert.equal(
    typeText({ anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] }),
    'string | string[]',
  );
  assert.equal(typeText({}), 'any');
});

test('summaryOf keeps the first sentence, on one line', () => {
  assert.equal(summaryOf('A demo. It has two options.'), 'A demo.');
  assert.equal(
    summaryOf('Sends\n  `[x]` every 1.5 s, e.g. a beat. More.'),
    'Sends `[x]` every 1.5 s, e.g. a beat.',
  );
  assert.equal(summaryOf('No full stop'), 'No full stop');
  assert.equal(summaryOf(undefined), '');
});
