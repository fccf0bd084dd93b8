import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  buildSpec,
  dateRangeText,
  MARKERS_UP_TO_POINTS,
  timeTickFormat,
  timeTickStep,
} from '../../../../../src/plugins/sinks/plot-file/spec.js';
import type { PlotData } from '../../../../../src/plugins/sinks/plot-file/series.js';

const plot = (points: number): PlotData => ({
  xKind: 'time',
  xTitle: 'timestamp',
  yTitle: 'V',
  series: ['b', 'a'].map((label) => ({
    label,
    x: Float64Array.from({ length: points }, (_, i) => i * 1000),
    y: Float64Array.from({ length: points }, (_, i) => i),
  })),
});

describe('plot specification', () => {
  test('tick steps are round and leave each label its room', () => {
    assert.deepEqual(timeTickStep(6_000, 600), { interval: 'seconds', step: 1 });
    assert.deepEqual(timeTickStep(50_000, 600), { interval: 'seconds', step: 10 });
    assert.deepEqual(timeTickStep(3_600_000, 600), { interval: 'minutes', step: 10 });
    assert.deepEqual(timeTickStep(3 * 86_400_000, 600), { interval: 'hours', step: 12 });
    assert.deepEqual(timeTickStep(400 * 86_400_000, 600), { interval: 'month', step: 3 });
    assert.deepEqual(timeTickStep(900, 600), { interval: 'milliseconds', step: 500 });
  });

  test('tick labels are as precise as the step; dates where a tick falls on one', () => {
    assert.equal(timeTickFormat('seconds').minutes, '%H:%M:%S', '10:01:00, not 10:01');
    assert.equal(timeTickFormat('minutes').minutes, '%H:%M');
    assert.equal(timeTickFormat('milliseconds').seconds, '%H:%M:%S.%L');
    assert.equal(timeTickFormat('hours').date, '%b %d');
  });

  test('the axis title names the local date, or the range of dates, and the UTC offset', () => {
    const noon = new Date(2024, 4, 9, 12).getTime();
    assert.match(
      dateRangeText(noon, noon + 3_600_000),
      /^2024-05-09, local time, UTC[+-]\d\d:\d\d$/,
    );
    assert.match(
      dateRangeText(noon, noon + 2 * 86_400_000),
      /^2024-05-09 to 2024-05-11, local time/,
    );
  });

  test('the series keep their column order in the legend; short lines get markers', () => {
    const spec = buildSpec(plot(3), { width: 800, height: 500 }) as unknown as {
      encoding: { color: { scale: { domain: string[] } }; y: { title: string } };
      mark: { point: unknown };
      data: { values: unknown[] };
      width: number;
      autosize: { type: string };
    };
    assert.deepEqual(spec.encoding.color.scale.domain, ['b', 'a']);
    assert.equal(spec.encoding.y.title, 'V');
    assert.equal(spec.data.values.length, 6);
    assert.notEqual(spec.mark.point, false);
    assert.equal(spec.width, 800);
    assert.equal(spec.autosize.type, 'fit', 'the file has the configured size, legend included');
    const long = buildSpec(plot(MARKERS_UP_TO_POINTS + 1), {
      width: 800,
      height: 500,
    }) as unknown as {
      mark: { point: unknown };
    };
    assert.equal(long.mark.point, false);
  });
});
