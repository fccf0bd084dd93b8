import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CoolingPowerDataFilter,
  coolingPower,
} from '../../../../src/plugins/filters/cooling-power.js';
import { captureLogEachTest } from '../../../helpers/log-capture.js';

const log = captureLogEachTest();

function collect(filter: { connectSinks(s: { receive(d: unknown): unknown }): void }): unknown[] {
  const sent: unknown[] = [];
  filter.connectSinks({ receive: (d: unknown) => sent.push(d) });
  return sent;
}

function coolingFilter(options: Record<string, unknown> = {}): CoolingPowerDataFilter {
  return new CoolingPowerDataFilter(CoolingPowerDataFilter.optionsSchema.parse(options));
}

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
    assert.equal(log.current.withCode('DATALOGD_ERR_NOT_NUMERIC').length, 2);
    assert.equal(filter.stats()['computed'], 2);
  });

  test('never changes its input list', () => {
    const filter = coolingFilter();
    collect(filter);
    const input = [...docstring];
    filter.receive(input);
    assert.equal(input.length, 3);
  });
});
