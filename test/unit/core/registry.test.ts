import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { z } from 'zod';
import { setLogWriter, type LogWriter } from '../../../src/core/log.js';
import { DataFilter, DataSink, DataSource } from '../../../src/core/node.js';
import { closest, validateOptions } from '../../../src/core/options.js';
import { kindFromName, Registry } from '../../../src/core/registry.js';
import { NullDataSink } from '../../../src/plugins/null.js';

let lines: string[];
let previous: LogWriter;
beforeEach(() => {
  lines = [];
  previous = setLogWriter((l) => lines.push(l));
});
afterEach(() => setLogWriter(previous));

describe('kindFromName', () => {
  const cases: [string, string | undefined][] = [
    ['CSVDataFilter', 'DataFilter'],
    ['RandomWalkDataSource', 'DataSource'],
    ['NullDataSink', 'DataSink'],
    ['DataSourceDataSink', 'DataSink'],
    ['Shout', undefined],
    ['ShoutDataThing', undefined],
  ];
  for (const [name, kind] of cases) {
    test(`${name} -> ${kind}`, () => {
      assert.equal(kindFromName(name), kind);
    });
  }
});

describe('Registry', () => {
  test('refuses a class named as one kind but extending another', () => {
    class WrongDataSink extends DataSource {}
    const reason = new Registry().register(WrongDataSink, 'file.js');
    assert.match(reason ?? '', /named as a DataSink but extends DataSource/);
  });

  test('refuses a class whose name breaks the suffix rule', () => {
    class Helper extends DataFilter {}
    assert.match(new Registry().register(Helper, 'f.js') ?? '', /does not end in/);
  });

  test('a user class with a built-in name overrides it, with a warning', () => {
    const registry = new Registry([NullDataSink]);
    const Replacement = class NullDataSink extends DataSink {};
    assert.equal(registry.register(Replacement, '/plugins/mine.js'), undefined);
    assert.equal(registry.get('NullDataSink')?.cls, Replacement);
    assert.ok(
      lines.some((l) =>
        /NullDataSink from \/plugins\/mine\.js overrides the one from the built-ins/.test(l),
      ),
    );
  });
});

describe('Registry: a plugin class declaring its options', () => {
  test('accepts a z.object schema and an async validate hook', () => {
    class GoodDataSink extends DataSink {
      static optionsSchema = z.object({ level: z.number().default(1) });
      static validate(): Promise<never[]> {
        return Promise.resolve([]);
      }
    }
    assert.equal(new Registry().register(GoodDataSink, 'good.mjs'), undefined);
  });

  test('refuses a schema that is not a z.object, naming the class and the fix', () => {
    const PlainDataSink = class PlainDataSink extends DataSink {};
    Object.assign(PlainDataSink, { optionsSchema: { level: 1 } });
    const StringDataSink = class StringDataSink extends DataSink {};
    Object.assign(StringDataSink, { optionsSchema: z.string() });
    for (const cls of [PlainDataSink, StringDataSink]) {
      assert.match(
        new Registry().register(cls, 'bad.mjs') ?? '',
        new RegExp(`class ${cls.name} has an optionsSchema that is not a z\\.object`),
      );
    }
  });

  test('refuses a validate that is not a function', () => {
    const OddDataSink = class OddDataSink extends DataSink {};
    Object.assign(OddDataSink, { optionsSchema: z.object({}), validate: true });
    assert.match(
      new Registry().register(OddDataSink, 'odd.mjs') ?? '',
      /static validate that is not a function/,
    );
  });

  test('warns that a validate hook without a schema is never called', () => {
    class HookOnlyDataSink extends DataSink {
      static validate(): Promise<never[]> {
        return Promise.resolve([]);
      }
    }
    assert.equal(new Registry().register(HookOnlyDataSink, 'hook.mjs'), undefined);
    assert.ok(
      lines.some((l) =>
        /HookOnlyDataSink from hook\.mjs has a static validate\(\) but no optionsSchema/.test(l),
      ),
      lines.join('\n'),
    );
  });
});

describe('validateOptions', () => {
  const schema = z.object({
    interval: z.number().positive().default(1).describe('seconds'),
    role: z.enum(['server', 'client']).default('server'),
  });

  test('fills defaults', () => {
    const { options, problems } = validateOptions('n', 'XDataSource', schema, { role: 'client' });
    assert.deepEqual(problems, []);
    assert.deepEqual(options, { interval: 1, role: 'client' });
  });

  test('reports every problem, naming node, option and choices', () => {
    const { problems } = validateOptions('n', 'XDataSource', schema, {
      interval: 'soon',
      role: 'peer',
      intervall: 2,
    });
    const messages = problems.map((p) => `${p.code} ${p.message}`);
    assert.equal(problems.length, 3);
    assert.ok(
      messages.some((m) =>
        /UNKNOWN_OPTION.*"intervall" \(did you mean "interval"\?\); valid options: interval, role/.test(
          m,
        ),
      ),
    );
    assert.ok(
      messages.some((m) => /OPTION_TYPE.*"interval".*expected number.*given "soon"/.test(m)),
    );
    assert.ok(messages.some((m) => /OPTION_TYPE.*"role".*"server"\|"client"/.test(m)));
  });

  test('closest suggests only near names', () => {
    assert.equal(
      closest('RandomWalkDataSorce', ['RandomWalkDataSource', 'NullDataSource']),
      'RandomWalkDataSource',
    );
    assert.equal(closest('Banana', ['RandomWalkDataSource']), undefined);
  });
});

describe('Registry with lazy built-ins', () => {
  class LazyOneDataSource extends DataSource {}
  class LazyTwoDataSink extends DataSink {}

  function lazyRegistry(loaded: string[]): Registry {
    return new Registry([
      {
        name: 'LazyOneDataSource',
        load: () => {
          loaded.push('LazyOneDataSource');
          return Promise.resolve(LazyOneDataSource);
        },
      },
      {
        name: 'LazyTwoDataSink',
        load: () => {
          loaded.push('LazyTwoDataSink');
          return Promise.resolve(LazyTwoDataSink);
        },
      },
    ]);
  }

  test('knows every name at once but imports only what is asked for', async () => {
    const loaded: string[] = [];
    const registry = lazyRegistry(loaded);
    assert.deepEqual(registry.names().sort(), ['LazyOneDataSource', 'LazyTwoDataSink']);
    assert.equal(registry.get('LazyOneDataSource'), undefined);
    await registry.load(['LazyOneDataSource', 'NoSuchDataSink', 'LazyOneDataSource']);
    assert.deepEqual(loaded, ['LazyOneDataSource']);
    assert.equal(registry.get('LazyOneDataSource')?.cls, LazyOneDataSource);
    assert.equal(registry.get('LazyOneDataSource')?.kind, 'DataSource');
    assert.deepEqual(registry.names().sort(), ['LazyOneDataSource', 'LazyTwoDataSink']);
  });

  test('a user class overriding a lazy built-in is warned about, and the built-in never loads', async () => {
    const loaded: string[] = [];
    const registry = lazyRegistry(loaded);
    const Mine = class LazyTwoDataSink extends DataSink {};
    registry.register(Mine, '/plugins/mine.js');
    await registry.loadAll();
    assert.deepEqual(loaded, ['LazyOneDataSource']);
    assert.equal(registry.get('LazyTwoDataSink')?.cls, Mine);
    assert.ok(
      lines.some((l) =>
        /LazyTwoDataSink from \/plugins\/mine\.js overrides the one from the built-ins/.test(l),
      ),
    );
  });
});
