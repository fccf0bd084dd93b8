#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { siteConfigFiles, userConfigFile } from '../config/locations.js';
import { DataLogDaemon } from '../runtime/daemon.js';
import { ConfigurationErrors, DatalogdError, errorMessage } from '../core/errors.js';
import {
  getLogger,
  LOG_FORMATS,
  LOG_LEVELS,
  setLogFormat,
  setLogLevel,
  type LogFormat,
  type LogLevel,
} from '../core/log.js';
import { RateLimitedLog } from '../core/rate-limit.js';
import { listSerial } from './list-serial.js';
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
}

const log = getLogger('datalogd');
/** The whole shutdown may take this long before the process exits regardless. */
const SHUTDOWN_DEADLINE_MS = 8000;

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
  let daemon: DataLogDaemon;
  try {
    daemon = await DataLogDaemon.create({
      ...(options.configfile === undefined ? {} : { configFile: options.configfile }),
      ...(options.plugindirs === undefined ? {} : { pluginDirs: options.plugindirs }),
      ...(options.graphDot === undefined ? {} : { graphDot: options.graphDot }),
      ...(options.http === undefined ? {} : { http: options.http }),
    });
    keepRunningThroughFaults();
    // Like Python's run_forever: the daemon runs until it is told to stop, even when no
    // node has anything scheduled (a graph whose only source sends once).
    const keepAlive = setInterval(() => undefined, 1 << 30);
    handleStopSignals(daemon, keepAlive);
    log.info('Starting event loop.');
    await daemon.start();
  } catch (err) {
    reportStartFailure(err);
    process.exit(1);
  }
}

function reportStartFailure(err: unknown): void {
  if (err instanceof ConfigurationErrors) {
    log.error(`datalogd will not start: ${err.message}`);
  } else if (err instanceof DatalogdError) {
    log.error(`datalogd will not start: [${err.code}] ${err.message}`);
  } else {
    log.error(
      `datalogd will not start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    );
  }
}

function handleStopSignals(daemon: DataLogDaemon, keepAlive: NodeJS.Timeout): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warning(`Received ${signal} again: exiting without waiting for nodes to close.`);
      process.exit(1);
    }
    stopping = true;
    clearInterval(keepAlive);
    log.info(`Received ${signal}. Stopping event loop.`);
    setTimeout(() => {
      log.warning(`Nodes did not close within ${SHUTDOWN_DEADLINE_MS} ms; exiting anyway.`);
      process.exit(0);
    }, SHUTDOWN_DEADLINE_MS).unref();
    daemon.close().then(
      () => {
        logStats(daemon);
        log.info('Stopped.');
        process.exit(0);
      },
      (err: unknown) => {
        log.error(`Error while closing: ${errorMessage(err)}`);
        process.exit(0);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function logStats(daemon: DataLogDaemon): void {
  for (const [name, counters] of Object.entries(daemon.stats())) {
    const nonZero = Object.entries(counters).filter(([, v]) => v !== 0);
    if (nonZero.length > 0) {
      log.info(`${name}: ${nonZero.map(([k, v]) => `${k}=${v}`).join(' ')}`);
    }
  }
}

/** A fault at run time is logged and survived; only configuration faults stop the daemon. */
function keepRunningThroughFaults(): void {
  const faults = new RateLimitedLog(log);
  process.on('uncaughtException', (err) => {
    faults.error(
      'uncaught',
      `Unexpected error (the daemon keeps running): ${err.stack ?? err.message}`,
    );
  });
  process.on('unhandledRejection', (reason) => {
    faults.error(
      'unhandled',
      `Unhandled rejection (the daemon keeps running): ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`,
    );
  });
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
registerObserveCommands(program);
await program.parseAsync(process.argv);
