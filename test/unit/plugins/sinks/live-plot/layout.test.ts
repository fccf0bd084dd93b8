import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readLayout, type Layout } from '../../../../../src/plugins/sinks/live-plot/layout.js';
import { parsePythonLiteral } from '../../../../../src/plugins/sinks/live-plot/python-literal.js';

function layoutOf(value: unknown): Layout {
  const result = readLayout(value);
  assert.ok('layout' in result, JSON.stringify('issues' in result ? result.issues : ''));
  return result.layout;
}

function issuesOf(value: unknown): string[] {
  const result = readLayout(value);
  assert.ok('issues' in result, 'expected problems');
  return result.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

test('the default: one panel, one white trace that takes every record (as Python, without the type rule)', () => {
  const layout = layoutOf(null);
  assert.equal(layout.panels.length, 1);
  assert.equal(layout.panels[0]?.ylabel, 'Value (a.u.)');
  assert.deepEqual(
    layout.panels[0].traces.map((t) => [t.name, t.pen.color, t.selector]),
    [['Trace 1', 'rgb(255, 255, 255)', []]],
  );
  assert.deepEqual(layoutOf([{}]), layout, 'an empty panel takes the defaults, as in Python');
});

test('panels and traces as the Python docs write them', () => {
  const layout = layoutOf([
    {
      ylabel: 'Temperature',
      traces: [
        {
          name: 'TC 1',
          pen: 'r',
          selector: [
            ['type', 'temperature'],
            ['id', 'TC_1'],
          ],
        },
        {
          name: 2,
          pen: { color: '#00ff00', width: 2 },
          selector: [['id', '.*0']],
          symbol: 'o',
          symbolBrush: 'r',
        },
      ],
    },
    {
      ylabel: 'Flow',
      traces: [{ name: 'flow', pen: [255, 255, 0], selector: [['type', 'flow']] }],
    },
  ]);
  assert.deepEqual(
    layout.panels.map((p) => [p.ylabel, p.traces.map((t) => t.name)]),
    [
      ['Temperature', ['TC 1', '2']],
      ['Flow', ['flow']],
    ],
  );
  assert.equal(layout.panels[0]?.traces[1]?.points, true, 'a symbol draws the points');
  assert.equal(layout.panels[0].traces[1].pen.width, 2);
  assert.deepEqual(layout.ignored, ['symbolBrush']);
});

test('a plotlayout written as Python, with tuples, True and None, is read too', () => {
  const text =
    "[{'ylabel': 'V', 'traces': [{'name': 'a', 'pen': (255, 0, 0), 'selector': [('id', 'A_0'),], 'symbol': None}]}]";
  const layout = layoutOf(text);
  assert.equal(layout.panels[0]?.traces[0]?.pen.color, 'rgb(255, 0, 0)');
  assert.deepEqual(layout.panels[0].traces[0].selector, [['id', 'A_0']]);
  assert.deepEqual(parsePythonLiteral("{'a': (1,), 'b': True, 'c': \"it's\", 'd': [1, 2,]}"), {
    a: [1],
    b: true,
    c: "it's",
    d: [1, 2],
  });
  assert.deepEqual(parsePythonLiteral("['a\\'b', 'x,]']"), ["a'b", 'x,]']);
  assert.throws(() => parsePythonLiteral("[open('f')]"), /"open" is not a literal value/);
  assert.throws(() => parsePythonLiteral("['a"), /not closed/);
});

test('every problem is reported at once, each at its place', () => {
  assert.deepEqual(
    issuesOf([
      { ylabel: 'A', traces: [{ name: 'x', pen: 'q', selector: [['id']] }] },
      { ylable: 'B', traces: [{ pen: 'r', selectr: [] }, 'nope'] },
      { traces: [{ selector: [['id', '(']] }] },
    ]),
    [
      '0.traces.0.pen: no colour is named "q" (one-letter colours: b g r c m y k w d l s)',
      '0.traces.0.selector.0: must be a list of [key, value] pairs, such as [["type", "temperature"], ["id", "A_.*"]]',
      '1.ylable: is not an option here (did you mean "ylabel"?); valid: ylabel, traces',
      `1.traces.0.selectr: is not an option here (did you mean "selector"?); valid: name, pen, selector, symbol, symbolSize, symbolPen, symbolBrush, pxMode, antialias, fillLevel, fillOutline, fillBrush, brush, stepMode, connect, downsample, downsampleMethod, autoDownsample, clipToView, dynamicRangeLimit, dynamicRangeHyst, skipFiniteCheck, shadowPen, useCache, alphaHint`,
      '1.traces.1: must be a trace, {"name": ..., "pen": ..., "selector": [[key, value], ...]}',
      '2.traces.0.selector.0: "(" is not a valid regular expression',
    ],
  );
  assert.deepEqual(issuesOf({ ylabel: 'x' }), [
    ': must be a list of panels, [{"ylabel": ..., "traces": [...]}, ...]',
  ]);
  assert.deepEqual(issuesOf([]), [': must hold at least one panel']);
  assert.match(issuesOf('[{oops')[0] ?? '', /is not a list of panels written as JSON or Python/);
});
