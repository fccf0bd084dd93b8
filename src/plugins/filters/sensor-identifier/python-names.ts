import { pythonRound } from '../../../python/rounding.js';

/**
 * The Python names that rule expressions written for Python datalogd use: the `math` module
 * (as `math.sqrt(x)`), a few builtins with Python's meaning, and the constants. Functions
 * take real numbers only and fail like Python's (`math domain error`), so that a bad reading
 * gives an evaluation error, as it did in Python, rather than a silent NaN.
 */

type Real = (...args: number[]) => number;

function real(x: unknown, name: string): number {
  if (typeof x === 'number') return x;
  if (typeof x === 'boolean') return x ? 1 : 0;
  throw new TypeError(`math.${name}: must be a real number, not ${typeName(x)}`);
}

function typeName(x: unknown): string {
  if (x === null) return 'None';
  if (Array.isArray(x)) return 'list';
  return typeof x;
}

/** Wraps a JavaScript Math function with Python's argument and domain checks. */
function mathFunction(name: string, fn: Real, zeroIsDomainError = false): Real {
  return (...args: unknown[]): number => {
    const xs = args.map((a) => real(a, name));
    if (zeroIsDomainError && xs[0] === 0) throw new RangeError('math domain error');
    const y = fn(...xs);
    if (Number.isNaN(y) && !xs.some(Number.isNaN)) throw new RangeError('math domain error');
    return y;
  };
}

const log = (x: number, base?: number): number =>
  base === undefined ? Math.log(x) : Math.log(x) / Math.log(base);

/** Python's `math` module, as far as sensor calibrations go. */
export const PYTHON_MATH: Readonly<Record<string, unknown>> = Object.freeze({
  pi: Math.PI,
  e: Math.E,
  tau: 2 * Math.PI,
  inf: Infinity,
  nan: NaN,
  sqrt: mathFunction('sqrt', Math.sqrt),
  cbrt: mathFunction('cbrt', Math.cbrt),
  exp: mathFunction('exp', Math.exp),
  exp2: mathFunction('exp2', (x) => 2 ** x),
  expm1: mathFunction('expm1', Math.expm1),
  log: mathFunction('log', log, true),
  log10: mathFunction('log10', Math.log10, true),
  log2: mathFunction('log2', Math.log2, true),
  log1p: mathFunction('log1p', Math.log1p),
  pow: mathFunction('pow', Math.pow),
  sin: mathFunction('sin', Math.sin),
  cos: mathFunction('cos', Math.cos),
  tan: mathFunction('tan', Math.tan),
  asin: mathFunction('asin', Math.asin),
  acos: mathFunction('acos', Math.acos),
  atan: mathFunction('atan', Math.atan),
  atan2: mathFunction('atan2', Math.atan2),
  sinh: mathFunction('sinh', Math.sinh),
  cosh: mathFunction('cosh', Math.cosh),
  tanh: mathFunction('tanh', Math.tanh),
  asinh: mathFunction('asinh', Math.asinh),
  acosh: mathFunction('acosh', Math.acosh),
  atanh: mathFunction('atanh', Math.atanh),
  hypot: mathFunction('hypot', Math.hypot),
  degrees: mathFunction('degrees', (x) => (x * 180) / Math.PI),
  radians: mathFunction('radians', (x) => (x * Math.PI) / 180),
  floor: mathFunction('floor', Math.floor),
  ceil: mathFunction('ceil', Math.ceil),
  trunc: mathFunction('trunc', Math.trunc),
  fabs: mathFunction('fabs', Math.abs),
  fmod: mathFunction('fmod', (x, y) => x % y),
  copysign: mathFunction('copysign', (x, y) =>
    Math.sign(y) < 0 || Object.is(y, -0) ? -Math.abs(x) : Math.abs(x),
  ),
  isnan: (x: unknown): boolean => Number.isNaN(real(x, 'isnan')),
  isinf: (x: unknown): boolean => {
    const v = real(x, 'isinf');
    return v === Infinity || v === -Infinity;
  },
  isfinite: (x: unknown): boolean => Number.isFinite(real(x, 'isfinite')),
});

/** Python builtins whose meaning differs from the mathjs function of the same name. */
export const PYTHON_BUILTINS: Readonly<Record<string, unknown>> = Object.freeze({
  // Python's round goes half to even on the exact value; round(x) gives an integer.
  round: (x: unknown, ndigits?: unknown): number =>
    pythonRound(real(x, 'round'), ndigits === undefined ? 0 : real(ndigits, 'round')),
  int: (x: unknown): number => {
    if (typeof x === 'string' && /^\s*[+-]?\d+\s*$/.test(x)) return Number.parseInt(x, 10);
    const v = real(x, 'int');
    if (!Number.isFinite(v)) throw new RangeError(`cannot convert ${String(v)} to integer`);
    return Math.trunc(v);
  },
  float: (x: unknown): number => {
    if (typeof x === 'string') {
      const text = x.trim().toLowerCase();
      if (/^[+-]?(nan|inf|infinity)$/.test(text)) {
        if (text.endsWith('nan')) return NaN;
        return text.startsWith('-') ? -Infinity : Infinity;
      }
      const v = Number(text);
      if (text === '' || Number.isNaN(v)) {
        throw new TypeError(`could not convert string to float: '${x}'`);
      }
      return v;
    }
    return real(x, 'float');
  },
  len: (x: unknown): number => {
    if (typeof x === 'string' || Array.isArray(x)) return x.length;
    throw new TypeError(`object of type ${typeName(x)} has no len()`);
  },
  True: true,
  False: false,
  None: null,
  inf: Infinity,
  nan: NaN,
  math: PYTHON_MATH,
});
