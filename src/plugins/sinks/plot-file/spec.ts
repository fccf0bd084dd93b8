/**
 * The figure as a Vega-Lite specification: one line per series in the order the columns
 * came, a legend with the series labels, a date axis in local time whose tick format fits
 * the span shown, and the date itself in the axis title (ticks show only the time of day).
 */
import type { TopLevelSpec } from 'vega-lite';
import { SVG_FONT_STACK } from './fonts.js';
import type { PlotData } from './series.js';
import { thinLine } from './thin.js';

export interface FigureSize {
  readonly width: number;
  readonly height: number;
}

/** Lines with at most this many points also get a dot per point, so one point shows. */
export const MARKERS_UP_TO_POINTS = 30;

/** Room per tick, so that labels never collide (Vega would then hide every other one). */
export const PIXELS_PER_TICK = 90;
export const PIXELS_PER_MILLISECOND_TICK = 140;

/**
 * Vega's time units as its tick code looks them up (vega-time): the typings say 'second'
 * and 'minute', but only 'seconds' and 'minutes' find an interval at run time.
 */
export type TimeInterval =
  'milliseconds' | 'seconds' | 'minutes' | 'hours' | 'day' | 'week' | 'month' | 'year';

/** Tick steps a reader counts in, finest first, with each interval's length in ms. */
const TICK_STEPS: readonly (readonly [TimeInterval, number, readonly number[]])[] = [
  ['milliseconds', 1, [1, 2, 5, 10, 20, 50, 100, 200, 500]],
  ['seconds', 1000, [1, 2, 5, 10, 15, 30]],
  ['minutes', 60_000, [1, 2, 5, 10, 15, 30]],
  ['hours', 3_600_000, [1, 2, 3, 6, 12]],
  ['day', 86_400_000, [1, 2]],
  ['week', 604_800_000, [1]],
  ['month', 2_629_746_000, [1, 3, 6]],
  ['year', 31_556_952_000, [1, 2, 5, 10, 20, 50, 100]],
];

/**
 * The finest round tick step that leaves each label its room on an axis `axisPixels` long
 * showing `spanMs`: whole seconds rather than every other half second.
 */
export function timeTickStep(
  spanMs: number,
  axisPixels: number,
): { interval: TimeInterval; step: number } {
  for (const [interval, ms, steps] of TICK_STEPS) {
    const room = interval === 'milliseconds' ? PIXELS_PER_MILLISECOND_TICK : PIXELS_PER_TICK;
    const maxTicks = Math.max(2, Math.floor(axisPixels / room));
    for (const step of steps) {
      if (spanMs / (ms * step) <= maxTicks) return { interval, step };
    }
  }
  return { interval: 'year', step: 1000 };
}

/** "2024-05-09" or "2024-05-09 to 2024-05-11" in local time, and the UTC offset. */
export function dateRangeText(firstMs: number, lastMs: number): string {
  const first = localDate(firstMs);
  const last = localDate(lastMs);
  const days = first === last ? first : `${first} to ${last}`;
  return `${days}, local time, UTC${utcOffset(firstMs)}`;
}

export function buildSpec(plot: PlotData, size: FigureSize): TopLevelSpec {
  let xMin = Infinity;
  let xMax = -Infinity;
  let longest = 0;
  for (const line of plot.series) {
    longest = Math.max(longest, line.x.length);
    for (const x of line.x) {
      if (x < xMin) xMin = x;
      if (x > xMax) xMax = x;
    }
  }
  // The legend and the y axis take about a quarter of the width.
  const axisPixels = size.width * 0.75;
  const buckets = Math.ceil(axisPixels);
  const rows: { series: string; x: number; y: number }[] = [];
  for (const series of plot.series) {
    const line = thinLine(series, xMin, xMax, buckets);
    for (let i = 0; i < line.x.length; i++) {
      rows.push({ series: series.label, x: line.x[i] as number, y: line.y[i] as number });
    }
  }
  const time = plot.xKind === 'time';
  const xTitle = time ? `${plot.xTitle} (${dateRangeText(xMin, xMax)})` : plot.xTitle;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: size.width,
    height: size.height,
    autosize: { type: 'fit', contains: 'padding' },
    padding: 12,
    background: 'white',
    data: { values: rows },
    mark: {
      type: 'line',
      clip: true,
      strokeWidth: 1.5,
      point: longest <= MARKERS_UP_TO_POINTS ? { filled: true, size: 28 } : false,
    },
    encoding: {
      x: {
        field: 'x',
        type: time ? 'temporal' : 'quantitative',
        title: xTitle,
        scale: time ? { nice: false } : { zero: false, nice: false },
        axis: time
          ? {
              // The run-time unit names (see TimeInterval), which the typings do not know.
              tickCount: timeTickCount(xMax - xMin, axisPixels),
              format: timeTickFormat(timeTickStep(xMax - xMin, axisPixels).interval),
              formatType: 'time',
              labelFlush: true,
            }
          : { tickCount: Math.max(2, Math.floor(axisPixels / PIXELS_PER_TICK)), labelFlush: true },
      },
      y: {
        field: 'y',
        type: 'quantitative',
        title: plot.yTitle,
        scale: { zero: false },
      },
      color: {
        field: 'series',
        type: 'nominal',
        scale: { domain: plot.series.map((s) => s.label) },
        legend: { title: null, orient: 'right', labelLimit: 280, symbolType: 'stroke' },
      },
    },
    config: {
      font: SVG_FONT_STACK,
      axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#e8e8e8' },
      legend: { labelFontSize: 12 },
      view: { stroke: '#b0b0b0' },
    },
  };
}

/**
 * Tick labels (Vega's multi-format, picked by what each tick falls on): the time of day as
 * precise as the step, so every label of a 10 s axis reads 10:00:10, 10:00:20; a tick at
 * midnight, the first of a month or of a year shows that date instead. The full date is
 * in the axis title.
 */
export function timeTickFormat(interval: TimeInterval): Record<string, string> {
  const clock =
    interval === 'milliseconds' ? '%H:%M:%S.%L' : interval === 'seconds' ? '%H:%M:%S' : '%H:%M';
  return {
    milliseconds: clock,
    seconds: clock,
    minutes: clock,
    hours: clock,
    date: '%b %d',
    week: '%b %d',
    month: '%b %Y',
    quarter: '%b %Y',
    year: '%Y',
  };
}

/**
 * What the axis's `tickCount` gets. Below a second, Vega's own count of ticks; above, the
 * step from `timeTickStep`, in the run-time unit names (see TimeInterval) that the typings
 * do not know.
 */
function timeTickCount(spanMs: number, axisPixels: number): number {
  const step = timeTickStep(spanMs, axisPixels);
  if (step.interval === 'milliseconds') {
    return Math.max(2, Math.floor(axisPixels / PIXELS_PER_MILLISECOND_TICK));
  }
  return step as unknown as number;
}

function localDate(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
}

function utcOffset(ms: number): string {
  const minutes = -new Date(ms).getTimezoneOffset();
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
