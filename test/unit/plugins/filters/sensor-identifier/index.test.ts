import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach, before, beforeEach, describe, mock, test } from 'node:test';
import { DataLogDaemon } from '../../../../../src/runtime/daemon.js';
import { ConfigurationErrors } from '../../../../../src/core/errors.js';
import { SensorIdentifierDataFilter } from '../../../../../src/plugins/filters/sensor-identifier/index.js';
import { captureLogEachTest } from '../../../../helpers/log-capture.js';

const log = captureLogEachTest();
let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'datalogd-sensorid-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Rec = Record<string, unknown>;

const rw0Rule = {
  selector: [['id', 'randomwalk0']],
  update: { sensor_identifier: 'RW0', sensor_name: 'Walker 0', interval: 1, range: [-10, 10] },
  critical: { range: true, interval: true },
};

async function started(
  rules: unknown[],
): Promise<{ filter: SensorIdentifierDataFilter; sent: unknown[] }> {
  const filter = new SensorIdentifierDataFilter(
    SensorIdentifierDataFilter.optionsSchema.parse({ rules }),
  );
  const sent: unknown[] = [];
  filter.connectSinks({ receive: (d: unknown) => sent.push(d) });
  await filter.start();
  return { filter, sent };
}

const OK = {
  type: 'watchdog',
  sensor_identifier: 'WATCHDOG',
  sensor_name: 'Watchdog',
  value: 'OK',
  range: ['OK', 'OK'],
  critical_range: true,
};
const fault = (faults: Record<string, string[]>): Rec => ({ ...OK, value: 'FAULT', faults });

describe('SensorIdentifierDataFilter: identifying', () => {
  test('merges update, copies the critical flags, stamps the time, on a copy of the record', async () => {
    const { filter, sent } = await started([
      {
        selector: [['type', 'temperature']],
        update: { sensor_identifier: 'T', units: 'C', range: [0, 50] },
        critical: { range: false },
      },
    ]);
    const input = { type: 'temperature', id: 'A_0', value: 21 };
    filter.receive([input, 'text', { type: 'humidity', value: 1 }]);
    const out = sent[0] as Rec[];
    assert.equal(out.length, 3);
    const identified = out[0] as Rec;
    assert.ok(identified['timestamp'] instanceof Date);
    assert.deepEqual(
      { ...identified, timestamp: undefined },
      {
        type: 'temperature',
        id: 'A_0',
        value: 21,
        sensor_identifier: 'T',
        units: 'C',
        range: [0, 50],
        critical_range: false,
        timestamp: undefined,
      },
    );
    assert.deepEqual(input, { type: 'temperature', id: 'A_0', value: 21 }, 'input untouched');
    assert.equal(out[1], 'text');
    assert.deepEqual(out[2], { type: 'humidity', value: 1 });
    (identified['range'] as number[])[0] = 99;
    filter.receive([input]);
    assert.deepEqual(
      (sent[1] as Rec[])[0]?.['range'],
      [0, 50],
      'the rule is not shared with records',
    );
    await filter.close();
  });

  test('eval expressions compute fields in order, each seeing the earlier results', async () => {
    const { filter, sent } = await started([
      {
        selector: [['id', 'A_0']],
        update: { sensor_identifier: 'T' },
        eval: {
          value: 'round(value * 2 + 0.125, 2)',
          double: 'value * 2',
          label: 'sensor_identifier + "!"',
        },
      },
    ]);
    filter.receive({ id: 'A_0', value: 1 });
    const out = (sent[0] as Rec[])[0] as Rec;
    assert.equal(out['value'], 2.12);
    assert.equal(out['double'], 4.24);
    assert.equal(out['label'], 'T!');
    await filter.close();
  });

  test('an expression that fails leaves its field alone and warns (rate-limited)', async () => {
    const { filter, sent } = await started([
      {
        selector: [['id', 'A_0']],
        update: { sensor_identifier: 'T' },
        eval: { value: 'math.sqrt(value)' },
      },
    ]);
    filter.receive({ id: 'A_0', value: -4 });
    assert.equal(((sent[0] as Rec[])[0] as Rec)['value'], -4);
    assert.equal(filter.stats()['eval_errors'], 1);
    const reports = log.current.withCode('DATALOGD_ERR_RULE_EVAL');
    assert.equal(reports.length, 1, log.current.text());
    assert.match(reports[0] ?? '', / WARNING .*"value = math\.sqrt\(value\)".*\(1 so far\)/);
    for (let i = 0; i < 20; i++) filter.receive({ id: 'A_0', value: -4 });
    assert.equal(filter.stats()['eval_errors'], 21, 'every failure counts');
    assert.ok(
      log.current.withCode('DATALOGD_ERR_RULE_EVAL').length < 21,
      'the log is rate-limited',
    );
    await filter.close();
  });

  test('every matching rule applies, later rules matching on fields set by earlier ones', async () => {
    const { filter, sent } = await started([
      { selector: [['id', 'A_0']], update: { sensor_identifier: 'T', group: 'loop' } },
      { selector: [['group', 'loop']], update: { sensor_identifier: 'L', colour: 'blue' } },
    ]);
    filter.receive({ id: 'A_0', value: 1 });
    const out = (sent[0] as Rec[])[0] as Rec;
    assert.equal(out['sensor_identifier'], 'L');
    assert.equal(out['colour'], 'blue');
    await filter.close();
  });

  test('no watchdog without a critical interval: nothing is sent until data comes', async () => {
    const { filter, sent } = await started([{ selector: [], update: { sensor_identifier: 'X' } }]);
    assert.equal(sent.length, 0);
    await filter.close();
  });
});

describe('SensorIdentifierDataFilter: faults', () => {
  test('out of range sends a watchdog record before the data; back in range clears it', async () => {
    const { filter, sent } = await started([{ ...rw0Rule, critical: { range: true } }]);
    filter.receive({ id: 'randomwalk0', value: 11 });
    assert.equal(sent.length, 2);
    assert.deepEqual(sent[0], [fault({ RW0: ['out of range'] })]);
    assert.equal(((sent[1] as Rec[])[0] as Rec)['sensor_identifier'], 'RW0');
    filter.receive({ id: 'randomwalk0', value: 12 });
    assert.equal(sent.length, 3, 'no watchdog record when nothing changed');
    filter.receive({ id: 'randomwalk0', value: NaN });
    assert.equal(sent.length, 4);
    filter.receive({ id: 'randomwalk0', value: 0 });
    assert.deepEqual(sent[4], [OK]);
    await filter.close();
  });
});

describe('SensorIdentifierDataFilter: watchdog under mocked time', () => {
  beforeEach(() => {
    mock.timers.enable({ apis: ['setInterval', 'Date'], now: 0 });
  });
  afterEach(() => {
    mock.timers.reset();
  });

  test('not present at start, cleared by a reading, then no updates since <time>', async () => {
    const { filter, sent } = await started([rw0Rule]);
    assert.deepEqual(sent, [[fault({ RW0: ['not present'] })]], 'first look at start');

    mock.timers.tick(500);
    filter.receive([{ type: 'analog', id: 'randomwalk0', value: 1 }]);
    assert.deepEqual(sent[1], [OK], 'the reading clears the fault at once');
    const data = (sent[2] as Rec[])[0] as Rec;
    assert.deepEqual(data['timestamp'], new Date(500));
    assert.equal(data['critical_interval'], true);

    mock.timers.tick(500); // t = 1000: seen 0.5 s ago, interval 1 s
    assert.deepEqual(sent[3], [OK]);
    mock.timers.tick(1000); // t = 2000: 1.5 s > 1.1 intervals
    assert.deepEqual(sent[4], [fault({ RW0: ['no updates since 1970-01-01T00:00:00.500Z'] })]);
    mock.timers.tick(1000); // still late: the same description, not a second one
    assert.deepEqual(sent[5], sent[4]);

    filter.receive([{ type: 'analog', id: 'randomwalk0', value: 2 }]);
    assert.deepEqual(sent[6], [OK], 'a fresh reading clears "no updates" at once (Python waits)');
    await filter.close();
    mock.timers.tick(5000);
    assert.equal(sent.length, 8, 'no watchdog after close');
  });

  test('an out of range fault survives the watchdog finding the sensor on time', async () => {
    const { filter, sent } = await started([rw0Rule]);
    filter.receive({ id: 'randomwalk0', value: 50 });
    assert.deepEqual(sent[1], [fault({ RW0: ['out of range'] })]);
    mock.timers.tick(1000);
    assert.deepEqual(sent[3], [fault({ RW0: ['out of range'] })]);
    await filter.close();
  });

  test('checks every shortest critical interval, reporting each late sensor', async () => {
    const { filter, sent } = await started([
      rw0Rule,
      {
        ...rw0Rule,
        selector: [['id', 'b']],
        update: { ...rw0Rule.update, sensor_identifier: 'B', interval: 0.25 },
      },
    ]);
    assert.deepEqual(sent[0], [fault({ RW0: ['not present'], B: ['not present'] })]);
    mock.timers.tick(250);
    assert.equal(sent.length, 2);
    await filter.close();
  });
});

describe('SensorIdentifierDataFilter: configuration', () => {
  test('validate() reports a bad expression as a configuration error naming node and rule', async () => {
    const problems = await SensorIdentifierDataFilter.validate(
      SensorIdentifierDataFilter.optionsSchema.parse({
        rules: [{ selector: [], update: { sensor_identifier: 'TC_9' }, eval: { value: '2 ** ' } }],
      }),
      'ident',
    );
    assert.equal(problems.length, 1);
    const [problem] = problems;
    assert.ok(problem !== undefined);
    assert.equal(problem.code, 'DATALOGD_ERR_RULES');
    assert.equal(problem.node, 'ident');
    assert.equal(problem.option, 'rules');
    assert.match(
      problem.message,
      /node "ident": rule 0 \(sensor_identifier "TC_9"\): eval "value"/,
    );
  });

  test('the daemon refuses to start with a bad rule, listing it with the other problems', async () => {
    const env = {
      XDG_CONFIG_HOME: path.join(dir, 'home'),
      XDG_CONFIG_DIRS: path.join(dir, 'site'),
    };
    const graph = `digraph {
      w [class=RandomWalkDataSource];
      ident [class=SensorIdentifierDataFilter, rules="[{'selector': [], 'update': {'sensor_identifier': 'X'}, 'eval': {'value': 'value if value else 0'}}]"];
      missing [class=SensorIdentifierDataFilter, rules="missing-rules.json"];
      p [class=PrintDataSink, colour=red];
      w -> ident -> p; w -> missing;
    }`;
    await assert.rejects(
      DataLogDaemon.create({ graphDot: graph, env, home: dir }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigurationErrors);
        const codes = err.problems.map((p) => p.code).sort();
        assert.deepEqual(codes, [
          'DATALOGD_ERR_RULES',
          'DATALOGD_ERR_RULES',
          'DATALOGD_ERR_UNKNOWN_OPTION',
        ]);
        assert.match(err.message, /node "ident": rule 0 \(sensor_identifier "X"\): eval "value"/);
        assert.match(err.message, /node "missing": cannot read rules file .*missing-rules\.json/);
        return true;
      },
    );
  });

  test('a good rules file builds and starts', async () => {
    const file = path.join(dir, 'good.json');
    await writeFile(file, JSON.stringify([rw0Rule]));
    const env = {
      XDG_CONFIG_HOME: path.join(dir, 'home'),
      XDG_CONFIG_DIRS: path.join(dir, 'site'),
    };
    const daemon = await DataLogDaemon.create({
      graphDot: `digraph { n [class=NullDataSource]; ident [class=SensorIdentifierDataFilter, rules="${file}"]; s [class=NullDataSink]; n -> ident -> s; }`,
      env,
      home: dir,
    });
    await daemon.start();
    assert.ok(daemon.nodes.get('ident') instanceof SensorIdentifierDataFilter);
    await daemon.close();
  });

  test('data before start() passes unchanged with a warning', () => {
    const filter = new SensorIdentifierDataFilter(
      SensorIdentifierDataFilter.optionsSchema.parse({ rules: [] }),
    );
    const sent: unknown[] = [];
    filter.connectSinks({ receive: (d: unknown) => sent.push(d) });
    filter.receive({ id: 1 });
    assert.deepEqual(sent, [[{ id: 1 }]]);
    assert.equal(log.current.withCode('DATALOGD_ERR_RULES_NOT_LOADED').length, 1);
    assert.equal(filter.stats()['receipts_before_rules'], 1);
  });

  test('stats: watchdog records sent, expressions that failed, and the sensors at fault now', async () => {
    const { filter } = await started([{ ...rw0Rule, critical: { range: true } }]);
    assert.deepEqual(filter.stats(), {
      sink_errors: 0,
      watchdog_records: 0,
      eval_errors: 0,
      receipts_before_rules: 0,
      faults: 0,
    });
    filter.receive({ id: 'randomwalk0', value: 11 });
    assert.equal(filter.stats()['faults'], 1);
    assert.equal(filter.stats()['watchdog_records'], 1);
    filter.receive({ id: 'randomwalk0', value: 1 });
    assert.equal(filter.stats()['faults'], 0, 'a gauge: back to 0 when the fault clears');
    await filter.close();
  });
});
