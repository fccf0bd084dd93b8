import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compilePythonRegex } from '../../../src/python/regex.js';

const compileFullMatch = (pattern: string): RegExp | undefined =>
  compilePythonRegex(pattern, { mode: 'fullmatch' });

describe('compileFullMatch', () => {
  test('matches the whole string only, as re.fullmatch', () => {
    const re = compileFullMatch('temp.*');
    assert.ok(re);
    assert.equal(re.test('temperature'), true);
    assert.equal(re.test('air_temperature'), false);
    const alt = compileFullMatch('a|b');
    assert.ok(alt);
    assert.equal(alt.test('a'), true);
    assert.equal(alt.test('ab'), false);
  });

  test('translates Python-only spellings and rejects invalid patterns', () => {
    assert.equal(compileFullMatch('(?i)abc')?.test('ABC'), true);
    assert.equal(compileFullMatch('(?P<x>a)(?P=x)')?.test('aa'), true);
    assert.equal(compileFullMatch('a_\\_b')?.test('a__b'), true);
    assert.equal(compileFullMatch('a)|(b'), undefined);
    assert.equal(compileFullMatch('[unclosed'), undefined);
  });
});

describe('compilePythonRegex modes', () => {
  test('Python named groups are translated', () => {
    const re = compilePythonRegex('(?P<bus>\\d)-(?P=bus)', { mode: 'match' });
    assert.ok(re?.test('1-1'));
    assert.equal(re?.test('1-2'), false);
  });

  test('match means from the start only', () => {
    const re = compilePythonRegex('ab|cd', { mode: 'match' });
    assert.ok(re);
    assert.equal(re.test('xcd'), false);
    assert.equal(re.test('cdx'), true);
  });

  test('search finds the pattern anywhere; inline flags such as (?i) work in every mode', () => {
    assert.equal(compilePythonRegex('(?i)ttyacm', { mode: 'search' })?.test('/dev/ttyACM0'), true);
    assert.equal(compilePythonRegex('(?i)TTY', { mode: 'match' })?.test('tty0'), true);
    assert.equal(
      compilePythonRegex('acm', { mode: 'search', ignoreCase: true })?.test('ACM'),
      true,
    );
  });

  test('fullmatch stays whole-text under (?m); \\A and \\Z are the text ends', () => {
    const re = compilePythonRegex('(?m)a', { mode: 'fullmatch' });
    assert.ok(re);
    assert.equal(re.test('a\nb'), false);
    assert.equal(re.test('a'), true);
    assert.equal(compilePythonRegex('\\Aab\\Z', { mode: 'search' })?.test('ab'), true);
    assert.equal(compilePythonRegex('\\Aab\\Z', { mode: 'search' })?.test('xab'), false);
  });

  test('(?x) ignores white space and comments outside classes', () => {
    const re = compilePythonRegex('(?x) a b  # letters\n [ ]c', { mode: 'fullmatch' });
    assert.equal(re?.test('ab c'), true);
  });

  test('invalid patterns give undefined', () => {
    assert.equal(compilePythonRegex('a)|(b', { mode: 'match' }), undefined);
    assert.equal(compilePythonRegex('abc\\', { mode: 'search' }), undefined);
  });
});
