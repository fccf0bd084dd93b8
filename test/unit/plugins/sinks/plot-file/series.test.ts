import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  buildPlot,
  MAX_LINES,
  MAX_POINTS_PER_LINE,
  type PlotBuild,
} from '../../../../../src/plugins/sinks/plot-file/series.js';

const KEYS = ['timestamp', 'value'];
const LABELS = ['timestamp', '{type}_{id}'];
const t0 = Date.parse('2024-05-09T10:00:00.000Z');
const times = (n: number): Date[] => Array.from({ length: n }, (_, i) => new Date(t0 + i * 1000));

function lines(build: PlotBuild): [string, number[], number[]][] {
  return (build.plot?.series ?? []).map((s) => [s.label, [...s.x], [...s.y]]);
}

describe('buildPlot', () => {
  test('aggregated records: one line per record, x = the timestamps, y = the values, labelled from the y column', () => {
    const build = buildPlot(
      [
        { type: 'analog', id: 'a', timestamp: times(3), value: [1, 2, 3] },
        { type: 'analog', id: 'b', timestamp: times(2), value: [5, 6] },
      ],
      KEYS,
      LABELS,
    );
    assert.equal(build.plot?.xKind, 'time');
    assert.equal(build.plot.xTitle, 'timestamp');
    assert.deepEqual(lines(build), [
      ['analog_a', [t0, t0 + 1000, t0 + 2000], [1, 2, 3]],
      ['analog_b', [t0, t0 + 1000], [5, 6]],
    ]);
    assert.equal(build.skippedRecords.size, 0);
    assert.equal(build.skippedValues.size, 0);
  });

  test('ISO 8601 text is a time (records that came over a socket as JSON); a single value is a one-point line', () => {
    const build = buildPlot(
      [{ type: 't', id: 0, timestamp: '2024-05-09T10:00:00.000Z', value: 22.5 }],
      KEYS,
      LABELS,
    );
    assert.deepEqual(lines(build), [['t_0', [t0], [22.5]]]);
  });

  test('numbers as x give a plain number axis', () => {
    const build = buildPlot([{ id: 'p', x: [1, 2], y: [10, 20] }], ['x', 'y'], ['x', '{id}']);
    assert.equal(build.plot?.xKind, 'number');
    assert.equal(build.plot.xTitle, 'x');
    assert.deepEqual(lines(build), [['p', [1, 2], [10, 20]]]);
  });

  test('four keys give two lines per record', () => {
    const build = buildPlot(
      [{ id: 'r', timestamp: times(2), value: [1, 2], other: [3, 4] }],
      ['timestamp', 'value', 'timestamp', 'other'],
      ['t', '{id} value', 't', '{id} other'],
    );
    assert.deepEqual(
      lines(build).map(([label, , y]) => [label, y]),
      [
        ['r value', [1, 2]],
        ['r other', [3, 4]],
      ],
    );
  });

  test('a record without every key, or an item that is not a record, is skipped whole and counted', () => {
    const build = buildPlot(
      [
        { type: 'a', id: 0, value: [1] },
        'loose text',
        { type: 'a', id: 1, timestamp: times(1), value: [2] },
      ],
      KEYS,
      LABELS,
    );
    assert.deepEqual(lines(build), [['a_1', [t0], [2]]], 'the pairing of later records holds');
    assert.deepEqual(
      [...build.skippedRecords],
      [
        ['missing-key', 1],
        ['not-a-record', 1],
      ],
    );
  });

  test('non-numeric y values are left out and counted; the rest of the line is drawn', () => {
    const build = buildPlot(
      [{ type: 'a', id: 0, timestamp: times(5), value: [1, 'high', null, Number.NaN, 5] }],
      KEYS,
      LABELS,
    );
    assert.deepEqual(lines(build), [['a_0', [t0, t0 + 4000], [1, 5]]]);
    assert.deepEqual([...build.skippedValues], [['y-not-a-number', 3]]);
  });

  test('unreadable x, x of the other kind and unequal list lengths are counted by reason', () => {
    const build = buildPlot(
      [
        {
          type: 'a',
          id: 0,
          timestamp: [...times(2), 'yesterday', 7, new Date(Number.NaN)],
          value: [1, 2, 3, 4, 5, 6],
        },
      ],
      KEYS,
      LABELS,
    );
    assert.deepEqual(lines(build), [['a_0', [t0, t0 + 1000], [1, 2]]]);
    assert.deepEqual(
      new Map(build.skippedValues),
      new Map([
        ['unpaired', 1],
        ['x-unreadable', 2],
        ['x-other-kind', 1],
      ]),
    );
  });

  test('empty lists, an empty receipt and nothing at all give no plot, never an empty one', () => {
    const empty = buildPlot([{ type: 'a', id: 0, timestamp: [], value: [] }], KEYS, LABELS);
    assert.equal(empty.plot, undefined);
    assert.deepEqual([...empty.skippedRecords], [['no-points', 1]]);
    assert.equal(buildPlot([], KEYS, LABELS).plot, undefined);
    assert.equal(buildPlot(null, KEYS, LABELS).plot, undefined);
    const allBad = buildPlot(
      [{ type: 'a', id: 0, timestamp: times(2), value: ['x', 'y'] }],
      KEYS,
      LABELS,
    );
    assert.equal(allBad.plot, undefined);
    assert.deepEqual([...allBad.skippedRecords], [['no-points', 1]]);
    assert.deepEqual([...allBad.skippedValues], [['y-not-a-number', 2]]);
  });

  test('two lines with one label get distinct legend entries', () => {
    const build = buildPlot(
      [
        { type: 'a', id: 0, timestamp: times(1), value: [1] },
        { type: 'a', id: 0, timestamp: times(1), value: [2], extra: true },
      ],
      KEYS,
      LABELS,
    );
    assert.deepEqual(
      lines(build).map(([label]) => label),
      ['a_0', 'a_0 (2)'],
    );
  });

  test('the same record object listed twice is two records, not one with doubled keys', () => {
    const record = { type: 'a', id: 0, timestamp: times(1), value: [1] };
    assert.equal(buildPlot([record, record], KEYS, LABELS).plot?.series.length, 2);
  });

  test('units shared by every line become the y title', () => {
    const same = buildPlot(
      [
        { type: 'a', id: 0, timestamp: times(1), value: [1], units: 'V' },
        { type: 'a', id: 1, timestamp: times(1), value: [2], units: 'V' },
      ],
      KEYS,
      LABELS,
    );
    assert.equal(same.plot?.yTitle, 'V');
    const mixed = buildPlot(
      [
        { type: 'a', id: 0, timestamp: times(1), value: [1], units: 'V' },
        { type: 'a', id: 1, timestamp: times(1), value: [2], units: 'A' },
      ],
      KEYS,
      LABELS,
    );
    assert.equal(mixed.plot?.yTitle, null);
  });

  test('a line keeps its latest points up to the cap; lines beyond the maximum are skipped', () => {
    const n = MAX_POINTS_PER_LINE + 5;
    const long = buildPlot(
      [{ id: 0, x: Array.from({ length: n }, (_, i) => i), y: new Array<number>(n).fill(1) }],
      ['x', 'y'],
      ['x', '{id}'],
    );
    assert.equal(long.plot?.series[0]?.x.length, MAX_POINTS_PER_LINE);
    assert.equal(long.plot.series[0].x[0], 5, 'the oldest points go');
    assert.deepEqual([...long.skippedValues], [['cap', 5]]);

    const many = buildPlot(
      Array.from({ length: MAX_LINES + 3 }, (_, i) => ({ id: i, x: [1], y: [i] })),
      ['x', 'y'],
      ['x', '{id}'],
    );
    assert.equal(many.plot?.series.length, MAX_LINES);
    assert.deepEqual([...many.skippedRecords], [['too-many-lines', 3]]);
  });
});
