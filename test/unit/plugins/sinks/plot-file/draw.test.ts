import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  drawPlot,
  PDF_POINTS_PER_PIXEL,
  PNG_SCALE,
} from '../../../../../src/plugins/sinks/plot-file/draw.js';
import { buildPlot, type PlotData } from '../../../../../src/plugins/sinks/plot-file/series.js';
import { readPdf, readPng, readSvgPlot } from '../../../../helpers/plot-files.js';

const t0 = Date.parse('2024-05-09T10:00:00.000Z');
const size = { width: 800, height: 500 };

function walkPlot(): PlotData {
  const timestamp = Array.from({ length: 40 }, (_, i) => new Date(t0 + i * 1000));
  const plot = buildPlot(
    [
      { type: 'analog', id: 'w0', timestamp, value: timestamp.map((_, i) => 20 + Math.sin(i / 4)) },
      {
        type: 'analog',
        id: 'w1',
        timestamp: timestamp.slice(0, 25),
        value: timestamp.slice(0, 25).map((_, i) => 50 - i / 10),
      },
    ],
    ['timestamp', 'value'],
    ['timestamp', '{type}_{id}'],
  ).plot;
  assert.ok(plot !== undefined);
  return plot;
}

describe('drawPlot', () => {
  test('SVG: one line per series with its point count, the legend in column order, a time axis', async () => {
    const svg = readSvgPlot(
      Buffer.from(await drawPlot({ plot: walkPlot(), format: 'svg', ...size })).toString('utf8'),
    );
    assert.equal(svg.width, 800);
    assert.equal(svg.height, 500);
    assert.deepEqual(
      svg.lines.map((l) => l.points),
      [40, 25],
    );
    assert.deepEqual(
      svg.legend.map((e) => e.label),
      ['analog_w0', 'analog_w1'],
    );
    assert.deepEqual(
      svg.legend.map((e) => e.stroke),
      svg.lines.map((l) => l.stroke),
      'each legend entry has its line’s colour',
    );
    assert.notEqual(svg.lines[0]?.stroke, svg.lines[1]?.stroke);
    assert.match(svg.xTitle, /^timestamp \(\d{4}-\d\d-\d\d, local time, UTC[+-]\d\d:\d\d\)$/);
    assert.ok(svg.xTickLabels.length >= 3, svg.xTickLabels.join(' '));
    for (const label of svg.xTickLabels) assert.match(label, /^\d\d:\d\d:\d\d$/);
    assert.ok(
      svg.yTickLabels.every((l) => /^[−-]?\d+(\.\d+)?$/.test(l)),
      svg.yTickLabels.join(' '),
    );
  });

  test('ticks of one time span keep their step: whole seconds, not every other half second', async () => {
    const timestamp = [new Date(t0 + 300), new Date(t0 + 6300)];
    const plot = buildPlot(
      [{ id: 'a', timestamp, value: [1, 2] }],
      ['timestamp', 'value'],
      ['t', '{id}'],
    ).plot;
    assert.ok(plot !== undefined);
    const svg = readSvgPlot(
      Buffer.from(await drawPlot({ plot, format: 'svg', ...size })).toString(),
    );
    const seconds = svg.xTickLabels.map((l) => Number(l.slice(-2)));
    assert.ok(seconds.length >= 4, svg.xTickLabels.join(' '));
    const steps = seconds.slice(1).map((s, i) => s - (seconds[i] as number));
    assert.deepEqual(new Set(steps), new Set([1]), svg.xTickLabels.join(' '));
  });

  test('PNG: twice the figure size, drawn (not blank), with the lines’ colours', async () => {
    const png = readPng(Buffer.from(await drawPlot({ plot: walkPlot(), format: 'png', ...size })));
    assert.equal(png.width, 800 * PNG_SCALE);
    assert.equal(png.height, 500 * PNG_SCALE);
    assert.ok(png.variance > 100, `luminance variance ${png.variance}`);
    assert.ok(png.colours > 50, `${png.colours} colours: antialiased lines and text`);
    assert.ok(png.hasColour([0x4c, 0x78, 0xa8]), 'the first line’s blue');
    assert.ok(png.hasColour([0xf5, 0x85, 0x18]), 'the second line’s orange');
  });

  test('PDF: one page of the figure’s size in points', async () => {
    const pdf = readPdf(Buffer.from(await drawPlot({ plot: walkPlot(), format: 'pdf', ...size })));
    assert.equal(pdf.pages, 1);
    assert.deepEqual(pdf.mediaBox, [0, 0, 800 * PDF_POINTS_PER_PIXEL, 500 * PDF_POINTS_PER_PIXEL]);
  });

  test('a number axis for numeric x; a one-point line is drawn as a dot', async () => {
    const plot = buildPlot([{ id: 'p', x: [3], y: [4] }], ['x', 'y'], ['x', '{id}']).plot;
    assert.ok(plot !== undefined);
    const text = Buffer.from(await drawPlot({ plot, format: 'svg', ...size })).toString();
    const svg = readSvgPlot(text);
    assert.equal(svg.xTitle, 'x');
    assert.deepEqual(
      svg.legend.map((e) => e.label),
      ['p'],
    );
    assert.match(text, /class="mark-symbol role-mark/, 'a point mark shows the single value');
  });
});
