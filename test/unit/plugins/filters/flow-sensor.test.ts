import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CoolingPowerDataFilter,
  coolingPower,
} from '../../../../src/plugins/filters/cooling-power.js';
import {
  FlowSensorCalibrationDataFilter,
  flowRate,
} from '../../../../src/plugins/filters/flow-sensor.js';

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

function coolingFilter(options: Record<string, unknown> = {}): CoolingPowerDataFilter {
  return new CoolingPowerDataFilter(CoolingPowerDataFilter.optionsSchema.parse(options));
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
  });
});

describe('CoolingPowerDataFilter', () => {
  const docstring = [
    { type: 'temperature', id: 'A_0', value: 12.34, units: 'C' },
    { type: 'temperature', id: 'A_1', value: 23.45, units: 'C' },
    { type: 'flow_rate', id: 'A_0', value: 0.456, units: 'L/min' },
  ];

  test('the docstring example gives 353.28 W', () => {
    const filter = coolingFilter();
    const sent = collect(filter);
    filter.receive(docstring);
    assert.deepEqual(sent[0], [
      ...docstring,
      { type: 'coolingpower', id: 'A_0', value: 353.28, units: 'W' },
    ]);
    assert.equal(coolingPower(4184, 1.0, 0.456, 12.34, 23.45), 353.28);
  });

  test('copies the flow record timestamp; uses the heat capacity, density and id options', () => {
    const filter = coolingFilter({
      heatcapacity: 2000,
      density: 0.5,
      coolingpower_id: 'loop1',
      temperature_id_in: 'in',
      temperature_id_out: 'out',
      flow_rate_id: 'f',
    });
    const sent = collect(filter);
    const when = new Date(0);
    filter.receive([
      { type: 'temperature', id: 'in', value: 10 },
      { type: 'temperature', id: 'out', value: 16 },
      { type: 'flow_rate', id: 'f', value: 6, timestamp: when },
    ]);
    const added = (sent[0] as Record<string, unknown>[])[3];
    assert.deepEqual(added, {
      type: 'coolingpower',
      id: 'loop1',
      value: 600,
      units: 'W',
      timestamp: when,
    });
  });

  test('smooths temperatures over receipts, (4 previous + new) / 5, and reuses them when missing', () => {
    const filter = coolingFilter();
    const sent = collect(filter);
    filter.receive(docstring);
    filter.receive([
      { type: 'temperature', id: 'A_0', value: 17.34 },
      { type: 'temperature', id: 'A_1', value: 28.45 },
      { type: 'flow_rate', id: 'A_0', value: 0.456 },
    ]);
    const tIn = (4 * 12.34 + 17.34) / 5;
    const tOut = (4 * 23.45 + 28.45) / 5;
    const second = (sent[1] as Record<string, unknown>[])[3];
    assert.equal(second?.['value'], coolingPower(4184, 1, 0.456, tIn, tOut));
    filter.receive([{ type: 'flow_rate', id: 'A_0', value: 0.912 }]);
    const third = (sent[2] as Record<string, unknown>[])[1];
    assert.equal(third?.['value'], coolingPower(4184, 1, 0.912, tIn, tOut));
  });

  test('no flow rate, or no temperature ever, adds nothing', () => {
    const filter = coolingFilter();
    const sent = collect(filter);
    filter.receive(docstring.slice(0, 2));
    assert.equal((sent[0] as unknown[]).length, 2);
    const fresh = coolingFilter();
    const freshSent = collect(fresh);
    fresh.receive([docstring[2]]);
    assert.deepEqual(freshSent[0], [docstring[2]]);
  });

  test('a temperature that is not a finite number is skipped, not smoothed in', () => {
    const filter = coolingFilter();
    const sent = collect(filter);
    filter.receive(docstring);
    filter.receive([
      { type: 'temperature', id: 'A_0', value: NaN },
      { type: 'temperature', id: 'A_1', value: 'n/a' },
      { type: 'flow_rate', id: 'A_0', value: 0.456 },
    ]);
    assert.equal(((sent[1] as Record<string, unknown>[])[3] ?? {})['value'], 353.28);
    assert.equal(filter.stats()['not_numeric'], 2);
  });

  test('never changes its input list', () => {
    const filter = coolingFilter();
    collect(filter);
    const input = [...docstring];
    filter.receive(input);
    assert.equal(input.length, 3);
  });
});
