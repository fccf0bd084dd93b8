import assert from 'node:assert/strict';
import { test } from 'node:test';
import { intColor, parseColor, parsePen } from '../../../../../src/plugins/sinks/live-plot/pen.js';

function color(spec: unknown): string {
  const parsed = parseColor(spec);
  assert.ok(
    'ok' in parsed,
    `expected a colour from ${JSON.stringify(spec)}: ${'error' in parsed ? parsed.error : ''}`,
  );
  return parsed.ok;
}

test('every colour spelling of pyqtgraph mkColor', () => {
  const table: [unknown, string][] = [
    ['r', 'rgb(255, 0, 0)'],
    ['k', 'rgb(0, 0, 0)'],
    ['w', 'rgb(255, 255, 255)'],
    ['d', 'rgb(150, 150, 150)'],
    ['#ff0000', 'rgb(255, 0, 0)'],
    ['#F00', 'rgb(255, 0, 0)'],
    ['ff8000', 'rgb(255, 128, 0)'],
    ['#ff000080', 'rgba(255, 0, 0, 0.502)'],
    ['#f008', 'rgba(255, 0, 0, 0.533)'],
    [[255, 0, 0], 'rgb(255, 0, 0)'],
    [[0, 128, 255, 51], 'rgba(0, 128, 255, 0.2)'],
    [0.5, 'rgb(127, 127, 127)'],
    [0, 'rgb(255, 0, 0)'],
    [3, 'rgb(0, 255, 0)'],
    [[1, 3], 'rgb(0, 255, 0)'],
    ['orange', 'orange'],
    ['DarkSlateGray', 'darkslategray'],
  ];
  for (const [spec, expected] of table) assert.equal(color(spec), expected, JSON.stringify(spec));
});

test('intColor follows pyqtgraph: 9 hues around the circle by default', () => {
  assert.deepEqual(intColor(0, 9), [255, 0, 0, 255]);
  assert.deepEqual(intColor(9, 9), [255, 0, 0, 255]);
  assert.deepEqual(intColor(-1, 9), intColor(8, 9));
});

test('pens: a colour, a dict with width and style, None for no line, nothing for a distinct colour', () => {
  assert.deepEqual(parsePen('r', 0), {
    ok: { color: 'rgb(255, 0, 0)', width: 1, dash: [], line: true },
  });
  assert.deepEqual(parsePen({ color: 'b', width: 3, style: 'DashLine' }, 0), {
    ok: { color: 'rgb(0, 0, 255)', width: 3, dash: [12, 6], line: true },
  });
  assert.deepEqual(parsePen({ color: [0, 255, 0], style: 3 }, 0), {
    ok: { color: 'rgb(0, 255, 0)', width: 1, dash: [1, 2], line: true },
  });
  assert.deepEqual(parsePen({ hsv: [0.5, 1, 1] }, 0), {
    ok: { color: 'rgb(0, 255, 255)', width: 1, dash: [], line: true },
  });
  assert.deepEqual(parsePen({ width: 2 }, 0), {
    ok: { color: 'rgb(200, 200, 200)', width: 2, dash: [], line: true },
  });
  const none = parsePen(null, 0);
  assert.ok('ok' in none && !none.ok.line);
  const first = parsePen(undefined, 0);
  const second = parsePen(undefined, 1);
  assert.ok('ok' in first && 'ok' in second && first.ok.color !== second.ok.color);
});

test('unknown spellings are errors that say what is accepted', () => {
  const table: [unknown, RegExp][] = [
    ['q', /no colour is named "q"/],
    ['reddish', /"reddish" is not a colour pyqtgraph knows/],
    ['#12345', /not a colour pyqtgraph knows/],
    [[256, 0, 0], /integers from 0 to 255/],
    [[1, 0], /integers from 0 to 255/],
    [[1, 2, 3, 4, 5], /integers from 0 to 255/],
    [1.5, /colour index/],
    [true, /not a pen or colour/],
    [{ colour: 'r' }, /a pen has no "colour"/],
    [{ color: 'r', width: -1 }, /width must be a number of pixels/],
    [{ color: 'r', style: 'Wavy' }, /style must be one of/],
    [{ hsv: [2, 1, 1] }, /hsv must be/],
  ];
  for (const [spec, message] of table) {
    const parsed = parsePen(spec, 0);
    assert.ok('error' in parsed, `${JSON.stringify(spec)} should be refused`);
    assert.match(parsed.error, message);
  }
});
