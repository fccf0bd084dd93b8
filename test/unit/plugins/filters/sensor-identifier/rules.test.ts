import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  FaultTable,
  rangeVerdict,
  watchdogRecord,
} from '../../../../../src/plugins/filters/sensor-identifier/faults.js';
import { loadRules } from '../../../../../src/plugins/filters/sensor-identifier/rules.js';
import { watchdogIntervalSeconds } from '../../../../../src/plugins/filters/sensor-identifier/watchdog.js';
import { MAX_TIMER_SECONDS } from '../../../../../src/plugins/options.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'datalogd-rules-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const tc1 = {
  selector: [
    ['type', 'temperature'],
    ['id', 'A_.*'],
  ],
  update: { sensor_identifier: 'TC_1', sensor_name: 'Inlet', interval: 2, range: [5, 30] },
  critical: { range: true, interval: true },
  eval: { value: 'round(value * 1.01, 2)' },
};

describe('loadRules', () => {
  test('reads a .json file relative to the working directory, with Python JSON tokens', async () => {
    await writeFile(
      path.join(dir, 'rules.json'),
      JSON.stringify([tc1]).replace('"range":[5,30]', '"range":[-Infinity,30]'),
    );
    const { rules, problems } = await loadRules('rules.json', dir);
    assert.deepEqual(problems, []);
    assert.equal(rules.length, 1);
    const [rule] = rules;
    assert.ok(rule !== undefined);
    assert.equal(rule.identifier, 'TC_1');
    assert.deepEqual(rule.criticalRange, [-Infinity, 30]);
    assert.equal(rule.watchInterval, 2);
    const [calibration] = rule.evals;
    assert.ok(calibration !== undefined);
    assert.equal(calibration.field, 'value');
    assert.equal(calibration.expression.evaluate({ value: 20 }), 20.2);
    assert.equal(rule.selector.matches({ type: 'temperature', id: 'A_3' }), true);
  });

  test('accepts a JSON text and the list itself', async () => {
    const fromText = await loadRules(JSON.stringify([tc1]));
    const fromList = await loadRules([tc1]);
    assert.deepEqual(fromText.problems, []);
    assert.deepEqual(fromList.problems, []);
    assert.equal(fromList.rules[0]?.identifier, 'TC_1');
  });

  test('a missing file, bad JSON or a non-list is one clear problem', async () => {
    const missing = await loadRules('nope.json', dir);
    assert.match(missing.problems[0] ?? '', /cannot read rules file .*nope\.json: ENOENT/);
    const bad = await loadRules('[{"selector": ');
    assert.match(
      bad.problems[0] ?? '',
      /the rules text is not valid JSON \(a rules file name must end in \.json\)/,
    );
    const notList = await loadRules('{"selector": []}');
    assert.match(notList.problems[0] ?? '', /must hold a list of rules/);
  });

  test('every malformed rule is reported, named by index and identifier', async () => {
    const { rules, problems } = await loadRules([
      { update: { sensor_identifier: 'NO_SELECTOR' } },
      { selector: [['id', 'x']] },
      { selector: [['id', 'x']], update: { sensor_identifier: 'R' }, critical: { range: true } },
      {
        selector: [['id', 'x']],
        update: { sensor_identifier: 'I', interval: 0 },
        critical: { interval: true },
      },
      { selector: [['id', 'x']], update: { sensor_identifier: 'E' }, eval: { value: 3 } },
      tc1,
    ]);
    assert.deepEqual(rules, [], 'no rules when any is wrong');
    assert.equal(problems.length, 5, problems.join('\n'));
    assert.match(problems[0] ?? '', /^rule 0 \(sensor_identifier "NO_SELECTOR"\): selector: /);
    assert.match(problems[1] ?? '', /^rule 1: update: /);
    assert.match(
      problems[2] ?? '',
      /^rule 2 \(sensor_identifier "R"\): critical.range is true, so update.range must be \[low, high\]/,
    );
    assert.match(
      problems[3] ?? '',
      /^rule 3 \(sensor_identifier "I"\): critical.interval is true, so update.interval must be a number of seconds above 0/,
    );
    assert.match(problems[4] ?? '', /^rule 4 \(sensor_identifier "E"\): eval.value: /);
  });

  test('a critical interval beyond what a timer holds is refused, the largest it holds is kept', async () => {
    const rule = (interval: number): unknown => ({
      selector: [['id', 'x']],
      update: { sensor_identifier: 'SLOW', interval },
      critical: { interval: true },
    });
    for (const interval of [MAX_TIMER_SECONDS + 1, 1e7, Infinity]) {
      const { problems } = await loadRules([rule(interval)]);
      assert.deepEqual(problems, [
        `rule 0 (sensor_identifier "SLOW"): critical.interval is true, so update.interval must be a number of seconds above 0 and at most ${MAX_TIMER_SECONDS}`,
      ]);
    }
    const { rules, problems } = await loadRules([rule(MAX_TIMER_SECONDS)]);
    assert.deepEqual(problems, []);
    assert.equal(rules[0]?.watchInterval, MAX_TIMER_SECONDS);
  });

  test('an expression that does not compile is a problem naming the rule and the field', async () => {
    const { problems } = await loadRules([
      tc1,
      {
        selector: [['id', 'B_0']],
        update: { sensor_identifier: 'FLOW' },
        eval: { value: 'value ** ', ok: 'value * 2', calibrated: 'value if value > 0 else 0' },
      },
    ]);
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.match(
      problems[0] ?? '',
      /^rule 1 \(sensor_identifier "FLOW"\): eval "value": expression "value \*\* " does not compile: Unexpected end of expression/,
    );
    assert.match(problems[1] ?? '', /^rule 1 \(sensor_identifier "FLOW"\): eval "calibrated": /);
  });

  test('the watchdog interval is the shortest critical interval; none without one', async () => {
    const { rules } = await loadRules([
      tc1,
      { ...tc1, update: { ...tc1.update, sensor_identifier: 'TC_2', interval: 0.5 } },
      {
        ...tc1,
        update: { ...tc1.update, sensor_identifier: 'TC_3', interval: 0.1 },
        critical: { interval: false },
      },
    ]);
    assert.equal(watchdogIntervalSeconds(rules), 0.5);
    const { rules: none } = await loadRules([{ selector: [], update: { sensor_identifier: 'X' } }]);
    assert.equal(watchdogIntervalSeconds(none), undefined);
  });
});

describe('FaultTable and the watchdog record', () => {
  test('OK with no faults; FAULT with a copy of the table', () => {
    const faults = new FaultTable();
    assert.deepEqual(watchdogRecord(faults), {
      type: 'watchdog',
      sensor_identifier: 'WATCHDOG',
      sensor_name: 'Watchdog',
      value: 'OK',
      range: ['OK', 'OK'],
      critical_range: true,
    });
    faults.late('A', 'not present');
    assert.equal(faults.setOutOfRange('B', true), true);
    assert.equal(faults.setOutOfRange('B', true), false);
    const record = watchdogRecord(faults);
    assert.deepEqual(record['faults'], { A: ['not present'], B: ['out of range'] });
    assert.equal(record['value'], 'FAULT');
    faults.late('A', 'no updates since x');
    assert.deepEqual(record['faults'], { A: ['not present'], B: ['out of range'] }, 'a snapshot');
  });

  test('a reading clears presence faults; on time keeps only out of range', () => {
    const faults = new FaultTable();
    faults.late('A', 'not present');
    faults.late('A', 'not present');
    assert.deepEqual(faults.snapshot(), { A: ['not present'] });
    assert.equal(faults.seen('A'), true);
    faults.prune('A');
    assert.equal(faults.size, 0);
    faults.setOutOfRange('B', true);
    faults.late('B', 'no updates since t');
    faults.onTime('B');
    assert.deepEqual(faults.snapshot(), { B: ['out of range'] });
    assert.equal(faults.setOutOfRange('B', false), true);
    faults.prune('B');
    assert.equal(faults.size, 0);
  });

  test('range verdicts follow Python comparisons, NaN and null are out of range', () => {
    assert.equal(rangeVerdict(10, [5, 30]), 'in');
    assert.equal(rangeVerdict(5, [5, 30]), 'in');
    assert.equal(rangeVerdict(31, [5, 30]), 'out');
    assert.equal(rangeVerdict(NaN, [5, 30]), 'out');
    assert.equal(rangeVerdict(null, [5, 30]), 'out');
    assert.equal(rangeVerdict('nan', [5, 30]), 'out');
    assert.equal(rangeVerdict(true, [0, 1]), 'in');
    assert.equal(rangeVerdict('OK', ['OK', 'OK']), 'in');
    assert.equal(rangeVerdict('high', [5, 30]), 'unknown');
    assert.equal(rangeVerdict([1, 2], [5, 30]), 'unknown');
    assert.equal(rangeVerdict(10, [null, 30]), 'unknown');
  });
});
