import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { numpyRound, pythonRound, rint } from '../../../src/python/rounding.js';

/** [x, digits, numpy.round(x, digits), round(x, digits)], computed by numpy 2.4 and Python 3. */
const REFERENCE: readonly (readonly [number, number, number, number])[] = [
  [0.125, 2, 0.12, 0.12],
  [2.5, 0, 2.0, 2.0],
  [-0.5, 0, -0.0, -0.0],
  [1250, -2, 1200.0, 1200.0],
  [1350, -2, 1400.0, 1400.0],
  [2.675, 2, 2.68, 2.67],
  [1.005, 2, 1.0, 1.0],
  [0.285, 2, 0.28, 0.28],
  [1.115, 2, 1.12, 1.11],
  [-2.5, 0, -2.0, -2.0],
  [3.5, 0, 4.0, 4.0],
  [0.5, 0, 0.0, 0.0],
  [1.5, 0, 2.0, 2.0],
  [-1.5, 0, -2.0, -2.0],
  [123.456, 1, 123.5, 123.5],
  [123.45, 1, 123.4, 123.5],
  [-123.45, 1, -123.4, -123.5],
  [1.0000000000000002e16, -1, 1e16, 1e16],
  [5e-324, 300, 0.0, 0.0],
  [0.045, 2, 0.04, 0.04],
  [8.325, 2, 8.32, 8.32],
  [1.0000000000000002, 15, 1.0, 1.0],
  [2.5e-7, 7, 2e-7, 2e-7],
  [1234567.5, 0, 1234568.0, 1234568.0],
  [-0.0, 0, -0.0, -0.0],
  [0.0, 3, 0.0, 0.0],
  [-352.33, 1, -352.3, -352.3],
  [301.9, 4, 301.9, 301.9],
  [71.764, 2, 71.76, 71.76],
  [-884.00215, -1, -880.0, -880.0],
  [-925.0087, 1, -925.0, -925.0],
  [-860.3, 2, -860.3, -860.3],
  [-150.96162, -2, -200.0, -200.0],
  [894.899401, 3, 894.899, 894.899],
  [171.1, -1, 170.0, 170.0],
  [-906.83, 0, -907.0, -907.0],
  [-161.72191, -2, -200.0, -200.0],
];

describe('rint', () => {
  test('rounds halves to even and keeps the sign of zero', () => {
    assert.equal(rint(0.5), 0);
    assert.equal(rint(1.5), 2);
    assert.equal(rint(2.5), 2);
    assert.equal(rint(-2.5), -2);
    assert.equal(rint(-0.5), -0);
    assert.ok(Object.is(rint(-0.5), -0), 'rint(-0.5) is -0');
    assert.ok(Object.is(rint(-0.2), -0), 'rint(-0.2) is -0');
    assert.equal(rint(2.4999999999999996), 2);
    assert.equal(rint(0.49999999999999994), 0);
    assert.equal(rint(2 ** 53), 2 ** 53);
    assert.ok(Number.isNaN(rint(NaN)));
    assert.equal(rint(-Infinity), -Infinity);
  });
});

describe('numpyRound', () => {
  test('the cases of the issue: halves go to even, negative digits round left of the point', () => {
    assert.equal(numpyRound(0.125, 2), 0.12);
    assert.equal(numpyRound(2.5, 0), 2);
    assert.ok(Object.is(numpyRound(-0.5, 0), -0), 'round(-0.5, 0) is -0');
    assert.equal(numpyRound(1250, -2), 1200);
    assert.equal(numpyRound(1350, -2), 1400);
  });

  test('matches numpy.round bit for bit on a reference table', () => {
    for (const [x, digits, expected] of REFERENCE) {
      assert.ok(
        Object.is(numpyRound(x, digits), expected),
        `numpy.round(${x}, ${digits}) = ${expected}, got ${numpyRound(x, digits)}`,
      );
    }
  });

  test('digits are truncated to an integer, as Python int() does', () => {
    assert.equal(numpyRound(1.23456, 2.9), 1.23);
  });
});

describe('pythonRound', () => {
  test('matches Python round() on a reference table, where it differs from numpy', () => {
    for (const [x, digits, , expected] of REFERENCE) {
      assert.ok(
        Object.is(pythonRound(x, digits), expected),
        `round(${x}, ${digits}) = ${expected}, got ${pythonRound(x, digits)}`,
      );
    }
    assert.equal(pythonRound(2.675, 2), 2.67);
    assert.equal(numpyRound(2.675, 2), 2.68);
  });

  test('true halves go to even; no digits means an integer', () => {
    assert.equal(pythonRound(0.375, 2), 0.38);
    assert.equal(pythonRound(0.625, 2), 0.62);
    assert.equal(pythonRound(2.5), 2);
    assert.equal(pythonRound(3.5), 4);
  });

  test('non-finite values and extreme digits come back as Python gives them', () => {
    assert.equal(pythonRound(Infinity, 2), Infinity);
    assert.ok(Number.isNaN(pythonRound(NaN, 2)));
    assert.equal(pythonRound(1.5e300, -299), 1.5e300);
    assert.equal(pythonRound(123.456, 400), 123.456);
    assert.ok(Object.is(pythonRound(-5, -400), -0));
  });
});
