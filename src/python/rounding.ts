/**
 * The two roundings Python datalogd relies on. Both round halves to even, but they differ on
 * what a half is: numpy scales in floating point first, Python's `round` looks at the exact
 * binary value. Each is reproduced bit for bit, so a port prints the same numbers.
 */

/** C's `rint` in the default rounding mode: nearest integer, halves to even, sign kept (-0). */
export function rint(x: number): number {
  if (!Number.isFinite(x)) return x;
  const nearest = Math.round(x);
  // Math.round sends halves up; a half that went to an odd integer belongs one lower.
  if (nearest - x === 0.5 && nearest % 2 !== 0) return nearest - 1;
  return nearest;
}

/** 10^n exactly for the n that matter (doubles hold powers of ten exactly up to 10^22). */
function powerOfTen(n: number): number {
  return Number(`1e${n}`);
}

/**
 * `numpy.round(x, decimals)` for a float: `rint(x * 10^d) / 10^d`, or for negative `d`
 * `rint(x / 10^-d) * 10^-d`, in double arithmetic exactly as numpy does it. So
 * `numpyRound(0.125, 2) === 0.12`, `numpyRound(2.5, 0) === 2`, `numpyRound(1250, -2) === 1200`.
 */
export function numpyRound(x: number, decimals: number): number {
  return numpyRounder(decimals)(x);
}

/** `numpyRound` with its power of ten worked out once, for rounding many values alike. */
export function numpyRounder(decimals: number): (x: number) => number {
  const d = Math.trunc(decimals);
  if (d >= 0) {
    const scale = powerOfTen(d);
    return (x) => rint(x * scale) / scale;
  }
  const scale = powerOfTen(-d);
  return (x) => rint(x / scale) * scale;
}

/** Python's limits beyond which `round(x, n)` is `x` itself, or a signed zero. */
const PYTHON_NDIGITS_MAX = 323;
const PYTHON_NDIGITS_MIN = -308;

/**
 * Python's built-in `round(x, ndigits)` for a float: the exact binary value of `x` rounded to
 * `ndigits` decimal places, halves to even, then the nearest double to that decimal. Unlike
 * `numpyRound`, `pythonRound(2.675, 2)` sees that 2.675 is stored as 2.67499999… and gives 2.67,
 * and a true half such as 0.125 goes to 0.12.
 */
export function pythonRound(x: number, ndigits = 0): number {
  const n = Math.trunc(ndigits);
  if (!Number.isFinite(x) || x === 0 || n > PYTHON_NDIGITS_MAX) return x;
  if (n < PYTHON_NDIGITS_MIN) return 0 * x;
  const { mantissa, exponent } = decompose(Math.abs(x));
  // |x| * 10^n = num / den exactly, with BigInts.
  let num = mantissa;
  let den = 1n;
  if (exponent >= 0) num <<= BigInt(exponent);
  else den <<= BigInt(-exponent);
  if (n >= 0) num *= 10n ** BigInt(n);
  else den *= 10n ** BigInt(-n);
  let q = num / den;
  const twiceRemainder = (num % den) * 2n;
  if (twiceRemainder > den || (twiceRemainder === den && q % 2n === 1n)) q += 1n;
  const magnitude = Number(`${q.toString()}e${-n}`);
  return x < 0 ? -magnitude : magnitude;
}

/** A positive finite double as mantissa * 2^exponent, both exact. */
function decompose(x: number): { mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & 0xfffffffffffffn;
  if (biased === 0) return { mantissa: fraction, exponent: -1074 };
  return { mantissa: fraction | 0x10000000000000n, exponent: biased - 1075 };
}
