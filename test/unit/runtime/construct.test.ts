import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DataFilter, DataSink, DataSource, type PluginClass } from '../../../src/core/node.js';
import type { RegisteredPlugin } from '../../../src/core/registry.js';
import { constructorStyle, instantiate } from '../../../src/runtime/construct.js';

/** What each constructor was given, by class name. */
const seen = new Map<string, unknown[]>();

class PythonStyleDataSource extends DataSource {
  constructor(sinks: unknown[] = [], options: Record<string, unknown> = {}) {
    super(sinks);
    seen.set('PythonStyleDataSource', [sinks, options]);
  }
}

class OptionsFirstDataSink extends DataSink {
  constructor(options: Record<string, unknown> = {}) {
    super();
    seen.set('OptionsFirstDataSink', [options]);
  }
}

/** Inherits its parent's Python-style constructor. */
class InheritsPythonStyleDataSource extends PythonStyleDataSource {
  override start(): void {
    this.send('x');
  }
}

class BareDataFilter extends DataFilter {}

function plugin(cls: PluginClass, origin = '/plugins/mine.mjs'): RegisteredPlugin {
  return { cls, kind: 'DataSource', origin };
}

describe('constructorStyle', () => {
  const cases: [PluginClass, string][] = [
    [PythonStyleDataSource, 'sinks-first'],
    [OptionsFirstDataSink, 'options-first'],
    [InheritsPythonStyleDataSource, 'sinks-first'],
    [BareDataFilter, 'options-first'],
    [DataSource, 'options-first'],
  ];
  for (const [cls, style] of cases) {
    test(`${cls.name} -> ${style}`, () => {
      assert.equal(constructorStyle(cls), style);
    });
  }
});

describe('instantiate', () => {
  test('a Python-style class gets an empty sinks list, then its options', () => {
    const { node, style } = instantiate(plugin(PythonStyleDataSource), { interval: 2 });
    assert.equal(style, 'sinks-first');
    assert.ok(node instanceof PythonStyleDataSource);
    assert.deepEqual(seen.get('PythonStyleDataSource'), [[], { interval: 2 }]);
    assert.deepEqual(node.sinks, []);
  });

  test('an options-first class gets its options first', () => {
    const { style } = instantiate(plugin(OptionsFirstDataSink), { prefix: 'beat' });
    assert.equal(style, 'options-first');
    assert.deepEqual(seen.get('OptionsFirstDataSink'), [{ prefix: 'beat' }]);
  });

  test('a built-in is always called options first, without looking at its source', () => {
    const { style } = instantiate(plugin(PythonStyleDataSource, 'builtin'), { a: 1 });
    assert.equal(style, 'options-first');
    assert.deepEqual(seen.get('PythonStyleDataSource'), [{ a: 1 }, {}]);
  });
});
