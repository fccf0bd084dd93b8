/**
 * Rule expressions, evaluated by mathjs in a locked-down instance. This module is heavy
 * (mathjs takes about half a second to load) and is only ever imported dynamically, by
 * `rules.ts`, when some rule has an `eval`. See docs/expressions.md for the syntax.
 */
import { all, create, type EvalFunction, type MathJsInstance, type MathNode } from 'mathjs';
import { isRecord } from '../../../python/records.js';
import { PYTHON_BUILTINS } from './python-names.js';

/** An expression compiled once, evaluated against each matching record. */
export interface CompiledExpression {
  readonly source: string;
  /** The result as a plain value; throws when the expression fails or gives a unit, a function… */
  evaluate(record: Readonly<Record<string, unknown>>): unknown;
}

/**
 * Functions that could change the instance or parse further text. They are refused at
 * compile time by name, and the instance's own copies are replaced by functions that throw,
 * in case a name reaches them some other way (mathjs's security advice).
 */
const DISABLED_IN_INSTANCE = [
  'import',
  'createUnit',
  'reviver',
  'replacer',
  'evaluate',
  'parse',
  'compile',
  'parser',
  'simplify',
  'simplifyConstant',
  'simplifyCore',
  'derivative',
  'resolve',
  'rationalize',
  'symbolicEqual',
  'leafCount',
  'chain',
  'help',
] as const;
/**
 * `typed` builds every other function and `config` is read by them (replacing it silently
 * undoes `predictable`), so these two can only be refused by name.
 */
const REFUSED_NAMES: ReadonlySet<string> = new Set<string>([
  ...DISABLED_IN_INSTANCE,
  'typed',
  'config',
]);
/** Calls that build arrays of any size; refused as calls only, `range` is also a record field. */
const REFUSED_CALLS: ReadonlySet<string> = new Set([
  'range',
  'zeros',
  'ones',
  'identity',
  'resize',
]);
const REFUSED_NODES: ReadonlyMap<string, string> = new Map([
  ['AssignmentNode', 'assignments (=) are not allowed; an expression gives the new field value'],
  ['FunctionAssignmentNode', 'function definitions are not allowed'],
  ['BlockNode', 'only one expression is allowed (no ; or line breaks)'],
  ['RangeNode', 'ranges (a:b) are not allowed'],
]);
/** Turns a Python (zero-based) index into a mathjs (one-based) one, inside the instance. */
const PYTHON_INDEX = 'pythonIndex';

interface Engine {
  readonly math: MathJsInstance;
  readonly parse: (expression: string) => MathNode;
}

let engine: Engine | undefined;

/** The locked-down mathjs instance, created on first use. */
function getEngine(): Engine {
  if (engine !== undefined) return engine;
  if (all === undefined) throw new Error('mathjs exports no factories');
  const math = create(all, { number: 'number', matrix: 'Array', predictable: true });
  // Kept before `parse` is disabled in the instance: expressions must not reach it.
  const parse = math.parse.bind(math);
  const { typed } = math;
  math.import(
    {
      // Python compares and joins texts as texts; mathjs would convert them to numbers.
      add: typed('add', { 'string, string': (a: string, b: string) => a + b }),
      equal: typed('equal', {
        'string, string': (a: string, b: string) => a === b,
        'number | boolean, string': () => false,
        'string, number | boolean': () => false,
      }),
      unequal: typed('unequal', {
        'string, string': (a: string, b: string) => a !== b,
        'number | boolean, string': () => true,
        'string, number | boolean': () => true,
      }),
      smaller: typed('smaller', { 'string, string': (a: string, b: string) => a < b }),
      smallerEq: typed('smallerEq', { 'string, string': (a: string, b: string) => a <= b }),
      larger: typed('larger', { 'string, string': (a: string, b: string) => a > b }),
      largerEq: typed('largerEq', { 'string, string': (a: string, b: string) => a >= b }),
      [PYTHON_INDEX]: typed(PYTHON_INDEX, {
        number: (i: number) => {
          if (i < 0)
            throw new RangeError('negative indices are not supported; write x[len(x) - 1]');
          return i + 1;
        },
        string: (key: string) => key,
      }),
    },
    { override: false },
  );
  const refuse: Record<string, () => never> = {};
  for (const name of DISABLED_IN_INSTANCE) {
    refuse[name] = () => {
      throw new Error(`function ${name} is not available in expressions`);
    };
  }
  math.import(refuse, { override: true });
  engine = { math, parse };
  return engine;
}

/**
 * Compiles a rule expression, or throws an Error whose message says why it cannot be used.
 * Python's `**` is accepted as `^`, and indices count from 0 as in Python.
 */
export function compileExpression(source: string): CompiledExpression {
  const { math, parse } = getEngine();
  const tree = parse(pythonPower(source));
  const refusals = refusalsOf(tree);
  if (refusals.length > 0) throw new Error(refusals.join('; '));
  const compiled: EvalFunction = zeroBased(math, tree).compile();
  return {
    source,
    evaluate(record) {
      const result: unknown = compiled.evaluate(new RecordScope(record));
      return plain(result, math);
    },
  };
}

function refusalsOf(tree: MathNode): string[] {
  const refusals = new Set<string>();
  tree.traverse((node) => {
    const why = REFUSED_NODES.get(node.type);
    if (why !== undefined) refusals.add(why);
    if (node.type === 'SymbolNode') {
      const { name } = node as MathNode & { name: string };
      if (REFUSED_NAMES.has(name)) refusals.add(`${name} is not available in expressions`);
      if (name === 'if' || name === 'else') {
        refusals.add("Python's `a if c else b` is written `c ? a : b`");
      }
    }
    if (node.type === 'FunctionNode') {
      const fn = (node as MathNode & { fn: MathNode & { name?: string } }).fn;
      if (fn.name !== undefined && REFUSED_CALLS.has(fn.name)) {
        refusals.add(`${fn.name}() is not available in expressions`);
      }
    }
    // Python has no implicit multiplication; in mathjs it turns a typo into a strange value.
    if (node.type === 'OperatorNode' && (node as MathNode & { implicit?: boolean }).implicit) {
      refusals.add('implicit multiplication is not allowed; write `2 * x`, not `2x` or `2 x`');
    }
  });
  return [...refusals];
}

/** Wraps every bracket index (not `a.b`) in `pythonIndex`, so that `x[0]` is the first item. */
function zeroBased(math: MathJsInstance, tree: MathNode): MathNode {
  const visit = (node: MathNode): MathNode => {
    if (node.type !== 'IndexNode') return node;
    const index = node as MathNode & { dimensions: MathNode[]; dotNotation: boolean };
    if (index.dotNotation) return node;
    const dimensions = index.dimensions.map(
      (d) => new math.FunctionNode(new math.SymbolNode(PYTHON_INDEX), [d.transform(visit)]),
    );
    return new math.IndexNode(dimensions, false);
  };
  return tree.transform(visit);
}

/**
 * Rewrites Python's power operator `**` to mathjs's `^`, outside string literals. Both bind
 * tighter than unary minus and group to the right, so `-x**2` still means -(x^2).
 */
export function pythonPower(source: string): string {
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < source.length; i++) {
    const ch = source.charAt(i);
    if (quote !== undefined) {
      out += ch;
      if (ch === '\\') out += source.charAt(++i);
      else if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      out += ch;
    } else if (ch === '*' && source.charAt(i + 1) === '*') {
      out += '^';
      i++;
    } else {
      out += ch;
    }
  }
  return out;
}

/**
 * The names an expression sees: the record's fields first (Python evaluates with the record
 * as its locals), then the Python builtins, then mathjs's own functions and constants.
 */
class RecordScope {
  readonly #record: Readonly<Record<string, unknown>>;

  constructor(record: Readonly<Record<string, unknown>>) {
    this.#record = record;
  }

  has(name: string): boolean {
    return Object.hasOwn(this.#record, name) || Object.hasOwn(PYTHON_BUILTINS, name);
  }

  get(name: string): unknown {
    if (Object.hasOwn(this.#record, name)) return this.#record[name];
    return Object.hasOwn(PYTHON_BUILTINS, name) ? PYTHON_BUILTINS[name] : undefined;
  }

  set(name: string): never {
    throw new Error(`cannot assign ${name}`);
  }

  keys(): string[] {
    return [...new Set([...Object.keys(this.#record), ...Object.keys(PYTHON_BUILTINS)])];
  }
}

/** A mathjs result as a datalogd value: numbers, texts, booleans, null, dates, lists, records. */
function plain(value: unknown, math: MathJsInstance): unknown {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'number':
    case 'string':
    case 'boolean':
      return value;
    case 'object':
      break;
    default:
      throw new TypeError(`the expression gives a ${typeof value}, not a value`);
  }
  if (value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((item: unknown) => plain(item, math));
  if (math.isMatrix(value)) return plain(value.toArray(), math);
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = plain(item, math);
    return out;
  }
  const kind = (value as { type?: unknown }).type;
  throw new TypeError(
    `the expression gives a ${typeof kind === 'string' ? kind : 'value'} that is not a number, text, boolean or list`,
  );
}
