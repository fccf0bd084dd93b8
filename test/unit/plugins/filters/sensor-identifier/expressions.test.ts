import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  compileExpression,
  pythonPower,
} from '../../../../../src/plugins/filters/sensor-identifier/expressions.js';

const record = {
  type: 'temperature',
  id: 'A_0',
  value: 4,
  raw: [1, 4, 9],
  timestamp: new Date(0),
  nested: { gain: 2 },
};

function evaluate(source: string, fields: Record<string, unknown> = record): unknown {
  return compileExpression(source).evaluate(fields);
}

function refusal(source: string): string {
  try {
    compileExpression(source);
  } catch (err) {
    return (err as Error).message;
  }
  assert.fail(`${source} compiled`);
}

describe('rule expressions', () => {
  test('the record fields are the names; arithmetic and precedence as in Python', () => {
    assert.equal(evaluate('value * 2 + 1'), 9);
    assert.equal(evaluate('value ** 2'), 16);
    assert.equal(evaluate('-value ** 2'), -16);
    assert.equal(evaluate('2 ** 3 ** 2'), 512);
    assert.equal(evaluate('value ^ 0.5'), 2);
    assert.equal(evaluate('nested.gain * value'), 8);
    assert.equal(evaluate('(value - 1) % 2'), 1);
  });

  test('math.sqrt(x) and sqrt(x) both work, with the math constants', () => {
    assert.equal(evaluate('math.sqrt(value)'), 2);
    assert.equal(evaluate('sqrt(value)'), 2);
    assert.equal(evaluate('math.log(100, 10)'), 2);
    assert.equal(evaluate('math.pi'), Math.PI);
    assert.equal(evaluate('pi'), Math.PI);
    assert.equal(evaluate('e'), Math.E);
    assert.equal(evaluate('math.floor(2.7) + math.fabs(-1)'), 3);
    assert.equal(evaluate('math.degrees(math.pi)'), 180);
    assert.equal(evaluate('math.isnan(nan)'), true);
    assert.equal(evaluate('inf > 1e308'), true);
  });

  test('comparisons, and/or/not, texts compared as texts, and the ternary form', () => {
    assert.equal(evaluate('value > 3 and value < 5'), true);
    assert.equal(evaluate('not (value > 3) or id == "A_0"'), true);
    assert.equal(evaluate("id == 'A_0'"), true);
    assert.equal(evaluate('id != "A_1"'), true);
    assert.equal(evaluate('id == 4'), false, 'a text never equals a number, as in Python');
    assert.equal(evaluate('value == "4"'), false);
    assert.equal(evaluate('"abc" < "abd"'), true);
    assert.equal(evaluate('id + "/" + type'), 'A_0/temperature');
    assert.equal(evaluate('value > 10 ? "hot" : "ok"'), 'ok');
    assert.equal(evaluate('value == None'), false);
    assert.equal(evaluate('True and not False'), true);
  });

  test('Python builtins keep their Python meaning: round, int, float, len', () => {
    assert.equal(evaluate('round(2.5)'), 2);
    assert.equal(evaluate('round(2.675, 2)'), 2.67);
    assert.equal(evaluate('int(-2.7)'), -2);
    assert.equal(evaluate('int("12") + float("0.5")'), 12.5);
    assert.ok(Number.isNaN(evaluate('float("nan")')));
    assert.equal(evaluate('len(raw)'), 3);
    assert.equal(evaluate('abs(-value) + max(raw) + min(1, 2)'), 14);
  });

  test('lists work element by element and come back as plain arrays', () => {
    assert.deepEqual(evaluate('raw * 2'), [2, 8, 18]);
    assert.deepEqual(evaluate('map(raw, sqrt)'), [1, 2, 3]);
    assert.equal(evaluate('mean(raw)'), 14 / 3);
    assert.deepEqual(evaluate('[value, 1]'), [4, 1]);
  });

  test('errors at evaluation time are thrown, as Python raised them', () => {
    assert.throws(() => evaluate('math.sqrt(-1)'), /math domain error/);
    assert.throws(() => evaluate('math.log(0)'), /math domain error/);
    assert.throws(() => evaluate('math.sqrt(raw)'), /must be a real number, not list/);
    assert.throws(() => evaluate('missing + 1'), /Undefined symbol missing/);
    assert.throws(() => evaluate('value * cm'), /unit|Unit/, 'mathjs units are not values');
    assert.ok(Number.isNaN(evaluate('sqrt(-1)')), 'mathjs sqrt is predictable: NaN, not complex');
  });

  test('later fields see a record that already holds earlier results', () => {
    assert.equal(evaluate('value + offset', { value: 1, offset: 2 }), 3);
  });

  test('what could escape the sandbox or change the engine does not compile', () => {
    assert.match(refusal('value = 3'), /assignments/);
    assert.match(refusal('f(x) = x'), /function definitions/);
    assert.match(refusal('1; 2'), /only one expression/);
    assert.match(refusal('1:1e9'), /ranges/);
    assert.match(refusal('zeros(1e9)'), /zeros\(\) is not available/);
    assert.match(refusal('range(0, 1e9)'), /range\(\) is not available/);
    for (const name of [
      'evaluate',
      'parse',
      'compile',
      'import',
      'createUnit',
      'config',
      'typed',
    ]) {
      assert.match(refusal(`${name}("1")`), new RegExp(`${name} is not available`));
    }
    assert.match(refusal('value ** '), /Unexpected end of expression/);
  });

  test('JavaScript internals are out of reach', () => {
    assert.throws(() => evaluate('value.constructor'), /No access to property "constructor"/);
    assert.throws(() => evaluate('math.constructor'), /No access/);
    assert.throws(() => evaluate('nested.__proto__'), /No access/);
    assert.throws(() => evaluate('timestamp.constructor("return 1")'), /No access/);
  });

  test('a refused configuration change leaves the engine predictable', () => {
    assert.throws(() => compileExpression('config({predictable: false})'));
    assert.ok(Number.isNaN(evaluate('sqrt(-4)')));
    assert.ok(Number.isNaN(evaluate('math.nan')));
  });

  test('pythonPower rewrites ** outside string literals only', () => {
    assert.equal(pythonPower('a ** 2'), 'a ^ 2');
    assert.equal(pythonPower('"a ** 2" + b**c'), '"a ** 2" + b^c');
    assert.equal(pythonPower("'it\\'s **' + x"), "'it\\'s **' + x");
  });
});

describe('Python habits that mathjs would misread', () => {
  test("Python's conditional and implicit multiplication are refused with a hint", () => {
    assert.match(refusal('value if value > 0 else 0'), /`c \? a : b`/);
    assert.match(refusal('2value'), /implicit multiplication/);
    assert.match(refusal('value cm'), /implicit multiplication/);
  });
});

describe('indexing', () => {
  test('counts from 0, as in Python; keys and dotted names are untouched', () => {
    assert.equal(evaluate('raw[0]'), 1);
    assert.equal(evaluate('raw[2]'), 9);
    assert.equal(evaluate('raw[len(raw) - 1]'), 9);
    assert.equal(evaluate('nested["gain"] + nested.gain'), 4);
    assert.equal(evaluate('id[0]'), 'A');
    assert.equal(evaluate('raw[raw[0]]'), 4, 'nested indices are converted too');
    assert.throws(() => evaluate('raw[-1]'), /negative indices are not supported/);
  });

  test('a record field called range reads as the field, with chained comparisons', () => {
    const fields = { value: 12, range: [5, 30] };
    assert.equal(evaluate('range[0] <= value <= range[1]', fields), true);
    assert.equal(evaluate('range[1] - range[0]', fields), 25);
  });
});
