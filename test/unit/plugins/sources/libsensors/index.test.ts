import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import { chipName } from '../../../../../src/plugins/sources/libsensors/chip-name.js';
import { scanHwmon } from '../../../../../src/plugins/sources/libsensors/scan.js';
import { LibSensorsDataSource } from '../../../../../src/plugins/sources/libsensors/index.js';
import {
  buildHwmonTree,
  FAILING_SENSOR,
  STANDARD_RECORDS,
  type FixtureChip,
} from '../../../../fixtures/hwmon/build.js';
import { captureLogEachTest } from '../../../../helpers/log-capture.js';
import { waitUntil } from '../../../../helpers/wait.js';

let root: string;
const log = captureLogEachTest();
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'datalogd-hwmon-'));
});
afterEach(async () => {
  mock.timers.reset();
  await rm(root, { recursive: true, force: true });
});

/** Starts a source on `hwmonPath` with mocked intervals and collects what it sends. */
function collecting(hwmonPath: string, interval = 1) {
  mock.timers.enable({ apis: ['setInterval'] });
  const source = new LibSensorsDataSource({ interval, hwmon_path: hwmonPath });
  source.nodeName = 'sensors';
  const received: unknown[][] = [];
  let wake: (() => void) | undefined;
  source.connectSinks({
    receive: (data: unknown) => {
      received.push(data as unknown[]);
      wake?.();
    },
  });
  const next = async (): Promise<unknown[]> => {
    const count = received.length;
    await new Promise<void>((resolve) => {
      // setImmediate: the reading must finish (its `finally`) before the test ticks again.
      if (received.length > count) setImmediate(resolve);
      else wake = () => setImmediate(resolve);
    });
    return received[received.length - 1] as unknown[];
  };
  /** Waits for the asynchronous file reads of the `count`-th reading, sent or not. */
  const settle = (count: number): Promise<void> =>
    waitUntil(() => (source.stats().readings ?? 0) >= count, `reading ${count}`, {
      intervalMs: 1,
    });
  return { source, received, next, settle };
}

/** The log lines at WARNING, whatever their code. */
function warnings(): string[] {
  return log.current.lines.filter((l) => l.includes(' WARNING '));
}

describe('scanHwmon', () => {
  test('finds every chip with a name and inputs, in hwmon order, with libsensors names', async () => {
    const scan = await scanHwmon(await buildHwmonTree(root));
    assert.equal(scan.error, undefined);
    assert.deepEqual(
      scan.chips.map((c) => c.name),
      [
        'coretemp-isa-0000',
        'nvme-pci-3d00',
        'nct6798-isa-0290',
        'ina3221-i2c-1-40',
        'power_meter-acpi-0',
        'hih6130-virtual-0',
        'corsaircpro-hid-3-1',
        'lm70-spi-0-1',
        'tmp102-i2c-3-4c',
      ],
    );
  });

  test('a missing hwmon directory is reported, not thrown', async () => {
    const scan = await scanHwmon(join(root, 'no', 'such'));
    assert.deepEqual(scan.chips, []);
    assert.match(scan.error ?? '', /ENOENT/);
  });
});

describe('chipName', () => {
  async function nameFor(chip: FixtureChip): Promise<string> {
    const hwmon = await buildHwmonTree(root, [chip]);
    return chipName('x', join(hwmon, chip.hwmon), root);
  }

  const cases: [string, NonNullable<FixtureChip['device']>, string][] = [
    ['platform without a number', { path: 'platform/it87', subsystem: 'platform' }, 'x-isa-0000'],
    ['of_platform', { path: 'soc/pwm_fan.3', subsystem: 'of_platform' }, 'x-isa-0003'],
    [
      'a dash stops the number, as in libsensors',
      { path: 'soc/gpio-fan.3', subsystem: 'of_platform' },
      'x-isa-0000',
    ],
    ['pci with a domain', { path: 'pci0001:00/0001:02:03.4', subsystem: 'pci' }, 'x-pci-1021c'],
    ['i2c legacy isa bus', { path: 'i2c-9191/9191-0290', subsystem: 'i2c' }, 'x-isa-0290'],
    ['an unknown bus keeps its name', { path: 'nvme/nvme0', subsystem: 'nvme' }, 'x-nvme-0'],
  ];
  for (const [name, device, expected] of cases) {
    test(name, async () => {
      assert.equal(await nameFor({ hwmon: 'hwmon0', device, files: { name: 'x' } }), expected);
    });
  }

  test('an i2c adapter named "ISA ..." makes the chip an isa one', async () => {
    const adapter = join(root, 'class', 'i2c-adapter', 'i2c-5', 'device');
    await mkdir(adapter, { recursive: true });
    await writeFile(join(adapter, 'name'), 'ISA main adapter\n');
    const device = { path: 'i2c-5/5-0290', subsystem: 'i2c' };
    assert.equal(await nameFor({ hwmon: 'hwmon0', device, files: { name: 'x' } }), 'x-isa-0290');
  });
});

describe('LibSensorsDataSource', () => {
  test('one record per sensor input, scaled, with ids and units; the failing sensor is skipped with one warning', async () => {
    const { source, next } = collecting(await buildHwmonTree(root));
    source.start();
    const first = await next();
    assert.deepEqual(first, STANDARD_RECORDS);
    mock.timers.tick(1000);
    assert.deepEqual(await next(), STANDARD_RECORDS);
    mock.timers.tick(1000);
    await next();
    await source.close();
    assert.equal(warnings().length, 1, log.current.text());
    const failures = log.current.withCode('DATALOGD_ERR_SENSOR_READ');
    assert.equal(failures.length, 1, 'logged when it starts failing, not at every reading');
    const [failure = ''] = failures;
    assert.ok(failure.includes(FAILING_SENSOR), failure);
    assert.ok(failure.includes('"garbage"'), 'the line shows what the file holds');
    assert.equal(source.stats().readings, 3);
    assert.equal(source.stats().records, 3 * STANDARD_RECORDS.length);
    assert.equal(source.stats().read_errors, 3, 'every failed reading is counted');
    assert.match(log.current.text(), /Reading 21 sensor\(s\) of 9 hardware monitor\(s\)/);
  });

  test('nothing is read before start, nor after close', async () => {
    const { source, received } = collecting(await buildHwmonTree(root));
    mock.timers.tick(5000);
    assert.equal(received.length, 0);
    source.start();
    await waitUntil(() => received.length === 1, 'the first reading', { intervalMs: 1 });
    await source.close();
    mock.timers.tick(5000);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(received.length, 1);
  });

  test('a sensor that disappears is reported once and skipped; one that recovers is reported once', async () => {
    const hwmon = await buildHwmonTree(root);
    const { source, next } = collecting(hwmon);
    source.start();
    await next();
    const coreFile = join(hwmon, 'hwmon0', 'temp2_input');
    await unlink(coreFile);
    for (let i = 0; i < 3; i++) {
      mock.timers.tick(1000);
      const records = (await next()) as { id: string }[];
      assert.equal(records.length, STANDARD_RECORDS.length - 1);
      assert.ok(!records.some((r) => r.id === 'coretemp-isa-0000_Core 0'));
    }
    await writeFile(join(hwmon, 'hwmon2', 'fan3_input'), '950\n');
    mock.timers.tick(1000);
    const records = (await next()) as { id: string; value: number }[];
    assert.deepEqual(records.find((r) => r.id === FAILING_SENSOR)?.value, 950);
    await source.close();
    const gone = log.current.withCode('DATALOGD_ERR_SENSOR_GONE');
    assert.equal(gone.length, 1, log.current.text());
    assert.ok(gone[0]?.includes('coretemp-isa-0000_Core 0'), gone[0]);
    assert.equal(source.stats().sensors_gone, 1);
    const text = log.current.text();
    assert.equal(text.split(`Sensor ${FAILING_SENSOR} reads again`).length - 1, 1);
    assert.equal(source.stats().read_errors, 4, 'the failing sensor, until it read again');
    assert.equal(log.current.withCode('DATALOGD_ERR_SENSOR_READ').length, 1);
  });

  test('no hardware monitors: one clear warning, no data, and the source keeps ticking', async () => {
    const { source, received, settle } = collecting(join(root, 'class', 'hwmon'));
    source.start();
    await settle(1);
    for (let i = 2; i <= 6; i++) {
      mock.timers.tick(1000);
      await settle(i);
    }
    assert.equal(source.stats().readings, 6);
    await source.close();
    assert.deepEqual(received, []);
    assert.equal(warnings().length, 1);
    assert.match(
      warnings()[0] ?? '',
      /No hardware monitors with sensors found in .*class\/hwmon \(.*ENOENT/,
    );
    assert.equal(source.stats().read_errors, 0, 'no monitor is not a failed reading');
  });

  test('monitors that appear later are picked up and announced', async () => {
    const hwmon = join(root, 'class', 'hwmon');
    const { source, next, settle } = collecting(hwmon);
    source.start();
    await settle(1);
    await buildHwmonTree(root, [
      { hwmon: 'hwmon0', files: { name: 'usbtemp', temp1_input: '19000' } },
    ]);
    mock.timers.tick(1000);
    assert.deepEqual(await next(), [
      { type: 'temperature', id: 'usbtemp-virtual-0_temp1', value: 19, units: '°C' },
    ]);
    await source.close();
    assert.match(log.current.text(), /Reading 1 sensor\(s\) of 1 hardware monitor\(s\)/);
  });
});
