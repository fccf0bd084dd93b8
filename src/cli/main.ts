#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { siteConfigFiles, userConfigFile } from '../config/locations.js';
import { DataLogDaemon } from '../runtime/daemon.js';
import { ConfigurationErrors, DatalogdError } from '../core/errors.js';
import {
  getLogger,
  LOG_FORMATS,
  LOG_LEVELS,
  setLogFormat,
  setLogLevel,
  type LogFormat,
  type LogLevel,
} from '../core/log.js';
import { DaemonProblems } from '../runtime/daemon-problems.js';
import { listSerial } from './list-serial.js';
import { registerCheckCommand } from './check.js';
import { registerGraphCommand } from './graph.js';
import { registerPluginsCommand } from './plugins.js';
import { openFilesProblem } from './open-files.js';
import { ProcessSignals } from './signals.js';
import { registerObserveCommands } from './observe-commands.js';

interface CliOptions {
  readonly configfile?: string;
  readonly plugindirs?: string[];
  readonly graphDot?: string;
  readonly http?: string;
  readonly showConfigDirs?: boolean;
  readonly logLevel?: LogLevel;
  readonly logFormat?: LogFormat;
  readonly verbose?: boolean;
  readonly shutdownTimeout?: number;
  readonly watchConfig?: boolean;
}

const log = getLogger('datalogd');

function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

function buildProgram(): Command {
  return new Command('datalogd')
    .description('Run the data logging daemon service.')
    .option(
      '-c, --configfile <file>',
      'an extra configuration file, read after the site and user files',
    )
    .option('-p, --plugindirs <dir...>', 'extra directories to load plugins from')
    .option('-g, --graph-dot <dot>', 'the connection graph as DOT text; overrides connection_graph')
    .option(
      '--http <[host:]port>',
      'serve /metrics, /health and /tap/NODE there (host 127.0.0.1 when omitted); overrides http in [datalogd]',
    )
    .option('--show-config-dirs', 'show where configuration files are looked for, then exit')
    .addOption(
      new Option('--log-level <level>', 'least severe log level shown')
        .choices(LOG_LEVELS)
        .default('info'),
    )
    .option('-v, --verbose', 'show debug detail (same as --log-level debug)')
    .addOption(
      new Option('--log-format <format>', 'log lines as text, or one JSON object per line')
        .choices(LOG_FORMATS)
        .default('human'),
    )
    .option(
      '--shutdown-timeout <seconds>',
      'how long closing every node may take before the rest is abandoned (default 8, or shutdown_timeout)',
      parseSeconds,
    )
    .option('--watch-config', 'reload the configuration when a configuration file changes')
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError()
    .configureOutput({
      outputError: (text, write) => {
        write(text);
      },
    })
    .exitOverride((err) => {
      process.exit(err.exitCode === 0 ? 0 : 2);
    });
}

async function run(options: CliOptions): Promise<void> {
  setLogFormat(options.logFormat ?? 'human');
  setLogLevel(options.verbose === true ? 'debug' : (options.logLevel ?? 'info'));
  if (options.showConfigDirs === true) {
    log.info(`Site configuration file: ${siteConfigFiles().join(', ')}`);
    log.info(`User configuration file: ${userConfigFile()}`);
    return;
  }
  const problems = new DaemonProblems();
  const signals = new ProcessSignals(problems);
  try {
    const daemon = await DataLogDaemon.create({
      ...(options.configfile === undefined ? {} : { configFile: options.configfile }),
      ...(options.plugindirs === undefined ? {} : { pluginDirs: options.plugindirs }),
      ...(options.graphDot === undefined ? {} : { graphDot: options.graphDot }),
      ...(options.shutdownTimeout === undefined
        ? {}
        : { shutdownTimeoutMs: options.shutdownTimeout * 1000 }),
      problems,
      ...(options.http === undefined ? {} : { http: options.http }),
    });
    signals.attach(daemon, { watchConfig: options.watchConfig === true });
    log.info('Starting event loop.');
    await daemon.start();
    signals.started();
  } catch (err) {
    reportStartFailure(err);
    process.exit(1);
  }
}

function reportStartFailure(err: unknown): void {
  const outOfFiles = openFilesProblem(err);
  if (outOfFiles !== undefined) {
    log.error(`datalogd will not start: [${outOfFiles.code}] ${outOfFiles.message}`);
  } else if (err instanceof ConfigurationErrors) {
    log.error(`datalogd will not start: ${err.message}`);
  } else if (err instanceof DatalogdError) {
    log.error(`datalogd will not start: [${err.code}] ${err.message}`);
  } else {
    log.error(
      `datalogd will not start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    );
  }
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds <= 0 || seconds > 2_147_483) {
    throw new InvalidArgumentError('a number of seconds above 0');
  }
  return seconds;
}

const program = buildProgram();
program.action(async (options: CliOptions) => {
  await run(options);
});
program
  .command('list-serial')
  .description(
    'list serial ports (manufacturer, vid, pid, serial number, location) with the SerialDataSource options that select each, then exit',
  )
  .action(async () => {
    process.exitCode = await listSerial();
  });
registerCheckCommand(program);
registerGraphCommand(program);
registerPluginsCommand(program);
registerObserveCommands(program);
await program.parseAsync(process.argv);
