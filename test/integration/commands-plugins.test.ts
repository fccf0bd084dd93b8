/**
 * `datalogd plugins`, through the real command: built-ins and user plugins from `-p` and
 * from `plugin_paths`, by kind with a one-line description; one class's options with type,
 * default and description; `--json`; and `--schema`, a JSON Schema that a standard
 * validator accepts and that judges options as the daemon does.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { BUILTIN_PLUGINS } from '../../src/plugins/index.js';
import { makeSandbox, runDaemon, type Sandbox } from '../helpers/daemon.js';

let sandbox: Sandbox;
let pluginDir: string;
let otherDir: string;

before(async () => {
  sandbox = await makeSandbox();
  pluginDir = join(sandbox.dir, 'my plugins');
  otherDir = join(sandbox.dir, 'site plugins');
  await mkdir(pluginDir);
  await mkdir(otherDir);
  await writeFile(
    join(pluginDir, 'thermo.mjs'),
    `import { DataSource, seconds, text, z } from 'datalogd';

export class ThermoDataSource extends DataSource {
  static description = 'Reads a lab thermometer over its serial link. Slowly.';
  static optionsSchema = z.object({
    device: text('/dev/ttyUSB0').describe('The serial device.'),
    interval: seconds(2).describe('Seconds between readings.'),
    probes: z.array(z.string()).min(1).describe('Probe names, one per channel.'),
  });
}
`,
  );
  // Written the Python way: no schema, no description.
  await writeFile(
    join(otherDir, 'shout.mjs'),
    `import { DataSink } from 'datalogd';
export class ShoutDataSink extends DataSink {
  receive(data) { console.log(String(data).toUpperCase()); }
}
`,
  );
});
after(async () => {
  await sandbox.cleanup();
});

async function plugins(...args: string[]): Promise<string> {
  const { code, stdout, stderr } = await runDaemon(['plugins', ...args], sandbox.env);
  assert.equal(code, 0, stderr);
  return stdout;
}

interface Listed {
  name: string;
  kind: string;
  origin: string;
  summary: string;
  description: string;
}

test('lists every built-in and the user plugins from -p and plugin_paths, by kind', async () => {
  const config = join(sandbox.dir, 'site.conf');
  await writeFile(config, `[datalogd]\nplugin_paths = ['${otherDir}']\n`);
  const text = await plugins('-c', config, '-p', pluginDir);
  const lines = text.split('\n');
  const section = (title: string): string[] => {
    const start = lines.indexOf(title);
    assert.ok(start >= 0, `${title} in\n${text}`);
    const end = lines.indexOf('', start);
    return lines.slice(start + 1, end);
  };
  const sources = section('Sources (DataSource):');
  const sinks = section('Sinks (DataSink):');
  const after = (list: string[], name: string): string[] => {
    const at = list.findIndex((line) => line.split(/ +/)[1] === name);
    assert.ok(at >= 0, `${name} listed in\n${text}`);
    return [(list[at] ?? '').replace(/ +/g, ' '), (list[at + 1] ?? '').trim()];
  };
  assert.deepEqual(after(sources, 'ThermoDataSource'), [
    ' ThermoDataSource Reads a lab thermometer over its serial link.',
    `(from ${join(pluginDir, 'thermo.mjs')})`,
  ]);
  assert.deepEqual(after(sinks, 'ShoutDataSink'), [
    ' ShoutDataSink',
    `(from ${join(otherDir, 'shout.mjs')})`,
  ]);
  assert.ok(
    sources.some((line) => /^ {2}RandomWalkDataSource +Test data: /.test(line)),
    'a built-in with its description',
  );

  const listed = JSON.parse(await plugins('-c', config, '-p', pluginDir, '--json')) as Listed[];
  assert.equal(listed.length, BUILTIN_PLUGINS.length + 2);
  assert.deepEqual(
    listed.filter((p) => p.origin !== 'builtin').map((p) => [p.name, p.kind, p.summary]),
    [
      ['ThermoDataSource', 'DataSource', 'Reads a lab thermometer over its serial link.'],
      ['ShoutDataSink', 'DataSink', ''],
    ],
  );
  for (const plugin of listed) {
    assert.deepEqual(Object.keys(plugin), ['name', 'kind', 'origin', 'summary', 'description']);
    assert.ok(plugin.name.endsWith(plugin.kind), `${plugin.name} is a ${plugin.kind}`);
  }
  assert.deepEqual(
    [...new Set(listed.map((p) => p.kind))],
    ['DataSource', 'DataFilter', 'DataSink'],
    'listed by kind',
  );
});

test('one class: every option with its type, default and description', async () => {
  const text = await plugins('ThermoDataSource', '-p', pluginDir);
  const lines = text.split('\n');
  assert.match(lines[0] ?? '', /^ThermoDataSource \(DataSource, .*thermo\.mjs\)$/);
  assert.ok(lines.includes('Reads a lab thermometer over its serial link. Slowly.'));
  const row = (name: string): [string, string] => {
    const at = lines.findIndex((line) => line.startsWith(`  ${name} `));
    assert.ok(at >= 0, `a row for ${name} in\n${text}`);
    return [(lines[at] ?? '').replace(/ +/g, ' ').trim(), (lines[at + 1] ?? '').trim()];
  };
  assert.deepEqual(row('device'), [
    // text() takes numbers too: DOT decodes device=42 to one.
    'device string | number default "/dev/ttyUSB0"',
    'The serial device.',
  ]);
  assert.deepEqual(row('interval'), ['interval number default 2', 'Seconds between readings.']);
  assert.deepEqual(row('probes'), ['probes string[] required', 'Probe names, one per channel.']);

  const detail = JSON.parse(await plugins('ThermoDataSource', '--json', '-p', pluginDir)) as {
    options: unknown[];
  };
  assert.deepEqual(detail.options, [
    {
      name: 'device',
      type: 'string | number',
      required: false,
      default: '/dev/ttyUSB0',
      description: 'The serial device.',
    },
    {
      name: 'interval',
      type: 'number',
      required: false,
      default: 2,
      description: 'Seconds between readings.',
    },
    {
      name: 'probes',
      type: 'string[]',
      required: true,
      description: 'Probe names, one per channel.',
    },
  ]);

  const python = JSON.parse(await plugins('ShoutDataSink', '--json', '-p', otherDir)) as {
    options: unknown;
  };
  assert.equal(python.options, null, 'a class without a schema has no options list');
});

test('--schema: a JSON Schema that judges options as the daemon does', async () => {
  const ajv = new Ajv2020({ strict: false });
  const user = ajv.compile(
    JSON.parse(await plugins('ThermoDataSource', '--schema', '-p', pluginDir)) as object,
  );
  assert.equal(user({ probes: ['a'] }), true);
  assert.equal(user({ probes: ['a'], interval: 0.5, device: '/dev/ttyACM0' }), true);
  assert.equal(user({}), false, 'probes is required');
  assert.equal(user({ probes: [] }), false, 'at least one probe');
  assert.equal(user({ probes: ['a'], interval: 'soon' }), false);
  assert.equal(user({ probes: ['a'], colour: 'red' }), false, 'an unknown option');
  assert.equal(user({ probes: ['a'], device: true }), false, 'text is a string or a number');
  assert.equal(user({ probes: ['a'], device: 1234567890 }), true);

  // The daemon agrees about the unknown option and the wrong type.
  const daemon = await runDaemon(
    [
      'check',
      '--json',
      '-p',
      pluginDir,
      '-g',
      `digraph { t [class=ThermoDataSource, probes="['a']", interval=soon, colour=red] }`,
    ],
    sandbox.env,
  );
  assert.equal(daemon.code, 1);
  assert.deepEqual(
    (JSON.parse(daemon.stdout) as { code: string; option: string }[])
      .map((p) => [p.code, p.option])
      .sort(),
    [
      ['DATALOGD_ERR_OPTION_TYPE', 'interval'],
      ['DATALOGD_ERR_UNKNOWN_OPTION', 'colour'],
    ],
  );

  const builtin = JSON.parse(await plugins('RandomWalkDataSource', '--schema')) as {
    title: string;
    $schema: string;
  };
  assert.equal(builtin.$schema, 'https://json-schema.org/draft/2020-12/schema');
  assert.equal(builtin.title, 'RandomWalkDataSource options');
  const walk = ajv.compile(builtin);
  assert.equal(walk({ interval: 0.5, walkers: [[0, 1]] }), true);
  assert.equal(walk({ walkers: [[0, 1, 2]] }), false, 'a walker is a pair');
  assert.equal(walk({ interval: 0 }), false, 'the interval is above 0');
});

test('an unknown class is refused with a suggestion; --schema needs a class', async () => {
  const unknown = await runDaemon(['plugins', 'RandomWalkDataSorce'], sandbox.env);
  assert.equal(unknown.code, 1);
  assert.match(
    unknown.stderr,
    /No plugin class "RandomWalkDataSorce" \(did you mean "RandomWalkDataSource"\?\)/,
  );
  const usage = await runDaemon(['plugins', '--schema'], sandbox.env);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--schema needs a class name/);
});
