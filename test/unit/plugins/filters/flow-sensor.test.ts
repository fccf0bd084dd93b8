import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  FlowSensorCalibrationDataFilter,
  flowRate,
} from '../../../../src/plugins/filters/flow-sensor.js';
import { captureLogEachTest } from '../../../helpers/log-capture.js';

const log = captureLogEachTest();

function collect(filter: { connectSinks(s: { receive(d: unknown): unknown }): void }): unknown[] {
  const sent: unknown[] = [];
  filter.connectSinks({ receive: (d: unknown) => sent.push(d) });
  return sent;
}

function flowFilter(options: Record<string, unknown> = {}): FlowSensorCalibrationDataFilter {
  return new FlowSensorCalibrationDataFilter(
    FlowSensorCalibrationDataFilter.optionsSchema.parse(options),
  );
}

describe('FlowSensorCalibrationDataFilter', () => {
  test('a counter rate of 10/s matches the formula (600 counts per minute)', () => {
    const cpm = 600;
    const expected = cpm / (5975 * (1 - Math.exp(-0.173734 * (cpm - 0) ** 0.284333)));
    const defaults = { a: 5975, k: 0.173734, x0: 0, b: 0.284333 };
    assert.equal(flowRate(10, defaults), expected);
    // Python 3: 600.0/(5975*(1 - math.exp(-0.173734*(600.0 - 0)**0.284333)))
    assert.ok(Math.abs(flowRate(10, defaults) - 0.15276308493531585) < 1e-15);
  });

  test('appends a flow_rate copy of the counter_rate record at the end, keeping the original', () => {
    const filter = flowFilter();
    const sent = collect(filter);
    const counter = { type: 'counter_rate', id: 'A_0', value: 10, timestamp: 't' };
    const other = { type: 'temperature', id: 'A_0', value: 20 };
    const input = [counter, other];
    filter.receive(input);
    assert.deepEqual(sent[0], [
      counter,
      other,
      {
        type: 'flow_rate',
        id: 'A_0',
        value: 0.15276308493531585,
        units: 'L/min',
        timestamp: 't',
      },
    ]);
    assert.deepEqual(input, [counter, other], 'the input list is not changed');
    assert.deepEqual(counter, { type: 'counter_rate', id: 'A_0', value: 10, timestamp: 't' });
  });

  test('zero flow at or below x0; the documented units option is honoured', () => {
    const filter = flowFilter({ x0: 60, units: 'mL/s', counter_rate_id: 'B_1' });
    const sent = collect(filter);
    filter.receive([
      { type: 'counter_rate', id: 'B_1', value: 1 },
      { type: 'counter_rate', id: 'A_0', value: 10 },
    ]);
    const out = sent[0] as Record<string, unknown>[];
    assert.equal(out.length, 3);
    assert.deepEqual(out[2], { type: 'flow_rate', id: 'B_1', value: 0, units: 'mL/s' });
  });

  test('the FM-HL3012C parameters from the Python docs', () => {
    const p = { a: 1950, k: 0.0965882, x0: 0, b: 0.721649 };
    const filter = flowFilter(p);
    const sent = collect(filter);
    filter.receive({ type: 'counter_rate', id: 'A_0', value: 5 });
    const flow = (sent[0] as Record<string, unknown>[])[1];
    assert.equal(flow?.['value'], 300 / (1950 * (1 - Math.exp(-0.0965882 * 300 ** 0.721649))));
  });

  test('a rate that is not a number gives no flow_rate and is counted', () => {
    const filter = flowFilter();
    const sent = collect(filter);
    filter.receive([{ type: 'counter_rate', id: 'A_0', value: 'fast' }, 'text']);
    assert.deepEqual(sent[0], [{ type: 'counter_rate', id: 'A_0', value: 'fast' }, 'text']);
    assert.equal(filter.stats()['not_numeric'], 1);
    const reports = log.current.withCode('DATALOGD_ERR_NOT_NUMERIC');
    assert.equal(reports.length, 1, log.current.text());
    assert.match(reports[0] ?? '', / WARNING .*\(1 so far\)/);
  });
});
