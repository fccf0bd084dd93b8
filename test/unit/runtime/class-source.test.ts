import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { firstConstructorParameter } from '../../../src/runtime/class-source.js';

const cases: [what: string, source: string, expected: string][] = [
  [
    'sinks first with a default',
    'class A extends B { constructor(sinks = []) { super(sinks); } }',
    'sinks',
  ],
  ['options first', 'class A extends B { constructor(options) { super(); } }', 'options'],
  ['a rest parameter', 'class A extends B { constructor(...args) { super(...args); } }', 'args'],
  ['no parameters', 'class A extends B { constructor() { super(); } }', 'other'],
  [
    'a destructured first parameter',
    'class A extends B { constructor({ sinks }) { super(); } }',
    'other',
  ],
  ['an array pattern first', 'class A extends B { constructor([sinks]) { super(); } }', 'other'],
  ['no constructor of its own', 'class A extends B { receive(d) { return d; } }', 'none'],
  ['not a class at all', 'function A(sinks) {}', 'none'],
  ['an anonymous class', 'class { constructor(sinks) {} }', 'sinks'],
  [
    'comments before and inside',
    'class A /* { */ extends B { // constructor(x)\n constructor( /* a */ sinks) {} }',
    'sinks',
  ],
  [
    'a string holding braces and "constructor("',
    'class A extends B { s = "} constructor(x) {"; constructor(sinks) {} }',
    'sinks',
  ],
  [
    'a template with a nested ${...}',
    'class A extends B { t = `}${ {a: 1}.a }constructor(x)`; constructor(sinks) {} }',
    'sinks',
  ],
  [
    'a regex literal with braces',
    'class A extends B { r = /[}]\\/{/g; constructor(sinks) {} }',
    'sinks',
  ],
  [
    'a regex after return inside a method',
    'class A extends B { m() { return /}/; } constructor(sinks) {} }',
    'sinks',
  ],
  [
    'a division is not a regex',
    'class A extends B { m(a, b) { return a / b; } constructor(sinks) { this.x = (1) / 2; } }',
    'sinks',
  ],
  [
    'a method calling this.constructor(...) is not the constructor',
    'class A extends B { m() { return new this.constructor(1); } }',
    'none',
  ],
  [
    'a nested class has its own constructor',
    'class A extends B { make() { return class { constructor(inner) {} }; } constructor(options) {} }',
    'options',
  ],
  ['a static method named constructor', 'class A extends B { static constructor(x) {} }', 'none'],
  [
    'an extends expression with braces',
    'class A extends mixin({ constructor(x) {} }) { constructor(sinks) {} }',
    'sinks',
  ],
  [
    'private fields and unicode names',
    'class Ä extends B { #n = 1; constructor(sinksÄ) {} }',
    'sinksÄ',
  ],
  ['an unterminated source', 'class A extends B { constructor(', 'other'],
];

function summary(source: string): string {
  const found = firstConstructorParameter(source);
  return found.kind === 'named' ? found.name : found.kind;
}

describe('firstConstructorParameter', () => {
  for (const [what, source, expected] of cases) {
    test(`${what} -> ${expected}`, () => {
      assert.equal(summary(source), expected);
    });
  }

  test('reads what Function.prototype.toString gives for real classes', () => {
    class Base {
      constructor(readonly given?: unknown) {}
    }
    class PythonStyle extends Base {
      constructor(sinks: unknown[] = [], options: Record<string, unknown> = {}) {
        super([sinks, options]);
      }
    }
    class OptionsFirst extends Base {
      constructor(options: { prefix?: string } = {}) {
        super(options.prefix);
      }
    }
    class NoConstructor extends Base {
      pattern = /[{]/;
    }
    assert.equal(summary(PythonStyle.toString()), 'sinks');
    assert.equal(summary(OptionsFirst.toString()), 'options');
    assert.equal(summary(NoConstructor.toString()), 'none');
  });
});
