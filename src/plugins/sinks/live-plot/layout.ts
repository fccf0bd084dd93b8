/**
 * `plotlayout` as PyqtgraphDataSink reads it: a list of panels `{ylabel, traces}`, each
 * trace `{name, pen, selector, ...PlotDataItem options}`. Read here once, with every
 * problem named by its place (`plotlayout[0].traces[1].pen`), so that a mistake is a
 * configuration error before the daemon starts, never a broken page.
 */
import { closest } from '../../../core/options.js';
import { compilePythonRegex } from '../../../python/regex.js';
import type { KeyValPair } from '../../../python/selector.js';
import { parsePen, type Pen } from './pen.js';
import { parsePythonLiteral } from './python-literal.js';

export interface TraceSpec {
  readonly name: string;
  readonly pen: Pen;
  readonly selector: readonly KeyValPair[];
  /** Draw the points themselves (pyqtgraph's `symbol`, or a trace with `pen=None`). */
  readonly points: boolean;
  readonly pointSize: number;
}

export interface PanelSpec {
  readonly ylabel: string;
  readonly traces: readonly TraceSpec[];
}

export interface Layout {
  readonly panels: readonly PanelSpec[];
  /** Qt-only trace options that were accepted and have no effect in a browser. */
  readonly ignored: readonly string[];
}

export interface LayoutIssue {
  /** Below `plotlayout`: `[0, 'traces', 1, 'pen']`. */
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** pyqtgraph's `_get_plot_defaults`, except that the trace takes every record with a value. */
const DEFAULT_YLABEL = 'Value (a.u.)';
const DEFAULT_TRACE = { name: 'Trace 1', pen: [255, 255, 255], selector: [] };

const TRACE_KEYS = ['name', 'pen', 'selector', 'symbol', 'symbolSize'];
/** PlotDataItem options that only mean something to Qt's renderer. */
const QT_TRACE_KEYS = [
  'symbolPen',
  'symbolBrush',
  'pxMode',
  'antialias',
  'fillLevel',
  'fillOutline',
  'fillBrush',
  'brush',
  'stepMode',
  'connect',
  'downsample',
  'downsampleMethod',
  'autoDownsample',
  'clipToView',
  'dynamicRangeLimit',
  'dynamicRangeHyst',
  'skipFiniteCheck',
  'shadowPen',
  'useCache',
  'alphaHint',
];
const PANEL_KEYS = ['ylabel', 'traces'];

export type LayoutResult =
  { readonly layout: Layout } | { readonly issues: readonly LayoutIssue[] };

/** Reads a decoded `plotlayout` attribute (a list, Python-literal text, or null for the default). */
export function readLayout(value: unknown): LayoutResult {
  let raw = value;
  if (typeof raw === 'string') {
    try {
      raw = parsePythonLiteral(raw);
    } catch (err) {
      return issue(
        [],
        `is not a list of panels written as JSON or Python (${(err as Error).message})`,
      );
    }
  }
  if (raw === null || raw === undefined) raw = [{}];
  if (!Array.isArray(raw))
    return issue([], 'must be a list of panels, [{"ylabel": ..., "traces": [...]}, ...]');
  if (raw.length === 0) return issue([], 'must hold at least one panel');
  const issues: LayoutIssue[] = [];
  const ignored = new Set<string>();
  const panels = raw.map((panel, p) => readPanel(panel, [p], issues, ignored));
  return issues.length > 0 ? { issues } : { layout: { panels, ignored: [...ignored] } };
}

function readPanel(
  panel: unknown,
  at: readonly (string | number)[],
  issues: LayoutIssue[],
  ignored: Set<string>,
): PanelSpec {
  if (!isPlainObject(panel)) {
    issues.push({ path: at, message: 'must be a panel, {"ylabel": ..., "traces": [...]}' });
    return { ylabel: '', traces: [] };
  }
  for (const key of Object.keys(panel)) {
    if (!PANEL_KEYS.includes(key))
      issues.push({ path: [...at, key], message: unknownKey(key, PANEL_KEYS) });
  }
  const ylabel = textOf(panel.ylabel ?? DEFAULT_YLABEL);
  if (ylabel === undefined) issues.push({ path: [...at, 'ylabel'], message: 'must be text' });
  const traces = panel.traces ?? [DEFAULT_TRACE];
  if (!Array.isArray(traces)) {
    issues.push({ path: [...at, 'traces'], message: 'must be a list of traces' });
    return { ylabel: ylabel ?? '', traces: [] };
  }
  return {
    ylabel: ylabel ?? '',
    traces: traces.map((trace, t) => readTrace(trace, t, [...at, 'traces', t], issues, ignored)),
  };
}

function readTrace(
  trace: unknown,
  index: number,
  at: readonly (string | number)[],
  issues: LayoutIssue[],
  ignored: Set<string>,
): TraceSpec {
  const fallback: TraceSpec = {
    name: `Trace ${index + 1}`,
    pen: { color: 'grey', width: 1, dash: [], line: true },
    selector: [],
    points: false,
    pointSize: 5,
  };
  if (!isPlainObject(trace)) {
    issues.push({
      path: at,
      message: 'must be a trace, {"name": ..., "pen": ..., "selector": [[key, value], ...]}',
    });
    return fallback;
  }
  for (const key of Object.keys(trace)) {
    if (QT_TRACE_KEYS.includes(key)) ignored.add(key);
    else if (!TRACE_KEYS.includes(key)) {
      issues.push({
        path: [...at, key],
        message: unknownKey(key, [...TRACE_KEYS, ...QT_TRACE_KEYS]),
      });
    }
  }
  const name = textOf(trace.name ?? fallback.name);
  if (name === undefined) issues.push({ path: [...at, 'name'], message: 'must be text' });
  const pen = parsePen(trace.pen, index);
  if ('error' in pen) issues.push({ path: [...at, 'pen'], message: pen.error });
  const selector = readSelector(trace.selector ?? [], [...at, 'selector'], issues);
  const symbol = trace.symbol ?? null;
  const size = trace.symbolSize ?? 5;
  if (typeof size !== 'number' || !(size > 0 && size <= 50)) {
    issues.push({
      path: [...at, 'symbolSize'],
      message: 'must be a number of pixels above 0, up to 50',
    });
  }
  const drawn = 'ok' in pen ? pen.ok : fallback.pen;
  return {
    name: name ?? fallback.name,
    pen: drawn,
    selector,
    points: symbol !== null && symbol !== false ? true : !drawn.line,
    pointSize: typeof size === 'number' ? size : 5,
  };
}

function readSelector(
  selector: unknown,
  at: readonly (string | number)[],
  issues: LayoutIssue[],
): KeyValPair[] {
  const shape =
    'must be a list of [key, value] pairs, such as [["type", "temperature"], ["id", "A_.*"]]';
  if (!Array.isArray(selector)) {
    issues.push({ path: at, message: shape });
    return [];
  }
  const pairs: KeyValPair[] = [];
  selector.forEach((pair: unknown, i) => {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string') {
      issues.push({ path: [...at, i], message: shape });
      return;
    }
    const [key, value] = pair as [string, unknown];
    if (
      typeof value === 'string' &&
      compilePythonRegex(value, { mode: 'fullmatch' }) === undefined
    ) {
      issues.push({ path: [...at, i], message: `"${value}" is not a valid regular expression` });
      return;
    }
    pairs.push([key, value]);
  });
  return pairs;
}

function unknownKey(key: string, valid: readonly string[]): string {
  const near = closest(key, valid);
  return `is not an option here${near === undefined ? '' : ` (did you mean "${near}"?)`}; valid: ${valid.join(', ')}`;
}

function issue(path: readonly (string | number)[], message: string): LayoutResult {
  return { issues: [{ path, message }] };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Text as DOT decodes it: `name=42` arrives as a number and is still meant as text. */
function textOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  return typeof v === 'number' ? String(v) : undefined;
}
