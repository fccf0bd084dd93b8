import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePrometheusText, samplesOf } from '../../../src/io/prometheus-text.js';

test('reads samples, labels with escapes, types, and the special values in any case', () => {
  const text = [
    '# HELP datalogd_node_records_out_total Records the node sent.',
    '# TYPE datalogd_node_records_out_total counter',
    'datalogd_node_records_out_total{node="beat",class="HeartbeatDataSource"} 42',
    'datalogd_node_records_out_total{node="a \\"quoted\\" \\\\ name\\nx",class="C"} 1e3',
    '# TYPE nodejs_eventloop_lag_mean_seconds gauge',
    'nodejs_eventloop_lag_mean_seconds Nan',
    'up_inf +Inf 1700000000000',
    'down_inf{} -inf',
    '',
  ].join('\n');
  const parsed = parsePrometheusText(text);
  assert.equal(parsed.types.get('datalogd_node_records_out_total'), 'counter');
  assert.equal(parsed.types.get('nodejs_eventloop_lag_mean_seconds'), 'gauge');
  assert.deepEqual(samplesOf(parsed, 'datalogd_node_records_out_total', { node: 'beat' }), [
    {
      name: 'datalogd_node_records_out_total',
      labels: { node: 'beat', class: 'HeartbeatDataSource' },
      value: 42,
    },
  ]);
  const quoted = samplesOf(parsed, 'datalogd_node_records_out_total', { class: 'C' })[0];
  assert.equal(quoted?.labels.node, 'a "quoted" \\ name\nx');
  assert.equal(quoted.value, 1000);
  assert.ok(Number.isNaN(samplesOf(parsed, 'nodejs_eventloop_lag_mean_seconds')[0]?.value));
  assert.equal(samplesOf(parsed, 'up_inf')[0]?.value, Infinity);
  assert.equal(samplesOf(parsed, 'down_inf')[0]?.value, -Infinity);
});

test('a line that is not a sample is an error naming the line', () => {
  assert.throws(() => parsePrometheusText('ok 1\nbroken{node="x" 2\n'), /line 2 is not/);
  assert.throws(() => parsePrometheusText('nan_value abc'), /line 1 is not/);
  assert.throws(() => parsePrometheusText('unterminated{node="x} 1'), /line 1 is not/);
});
