import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatOf, plotFileSchema } from '../../../../../src/plugins/sinks/plot-file/options.js';

function problems(options: Record<string, unknown>): string[] {
  const result = plotFileSchema.safeParse(options);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('MatplotlibDataSink options', () => {
  test('the Python defaults, plus min_interval and the figure size', () => {
    assert.deepEqual(plotFileSchema.parse({}), {
      filename: 'plot.pdf',
      keys: ['timestamp', 'value'],
      labels: ['timestamp', '{type}_{id}'],
      min_interval: 1,
      width: 800,
      height: 500,
    });
  });

  test('the extension chooses the format, in any case; another extension is refused', () => {
    assert.equal(formatOf('out/plot.SVG'), 'svg');
    assert.equal(formatOf('a.png'), 'png');
    assert.equal(formatOf('a.pdf'), 'pdf');
    assert.equal(formatOf('a.jpg'), undefined);
    assert.equal(formatOf('plot'), undefined);
    assert.deepEqual(problems({ filename: 'plot.svg' }), []);
    const [problem] = problems({ filename: 'plot.jpg' });
    assert.match(problem ?? '', /^filename: must end in \.svg, \.png, \.pdf/);
    assert.equal(problems({ filename: '' }).length > 0, true);
  });

  test('keys must come in x, y pairs; one key may be written as text', () => {
    assert.match(
      problems({ keys: ['timestamp', 'value', 'other'] })[0] ?? '',
      /^keys: must name x and y keys in pairs/,
    );
    assert.match(problems({ keys: 'value' })[0] ?? '', /^keys: must name x and y keys in pairs/);
    assert.deepEqual(plotFileSchema.parse({ keys: ['t', 'v', 't', 'w'] }).keys, [
      't',
      'v',
      't',
      'w',
    ]);
  });

  test('labels: text, a list, or None for the keys themselves', () => {
    assert.deepEqual(plotFileSchema.parse({ labels: '{id}' }).labels, ['{id}']);
    assert.deepEqual(plotFileSchema.parse({ labels: null }).labels, []);
  });

  test('min_interval is seconds, 0 allowed, negative refused; the size is bounded', () => {
    assert.equal(plotFileSchema.parse({ min_interval: 0 }).min_interval, 0);
    assert.match(problems({ min_interval: -1 })[0] ?? '', /^min_interval: /);
    assert.match(problems({ width: 10 })[0] ?? '', /^width: /);
    assert.match(problems({ height: 1.5 })[0] ?? '', /^height: /);
  });
});
