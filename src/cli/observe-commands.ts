/** The commands that watch a running daemon: `tap` and `top` (docs/observe.md). */
import { InvalidArgumentError, type Command } from 'commander';
import { tapCommand } from './tap.js';
import { topCommand } from './top.js';

interface GlobalOptions {
  readonly http?: string;
  readonly configfile?: string;
}

function positiveNumber(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new InvalidArgumentError('not a positive number');
  return value;
}

function endpointOf(options: GlobalOptions): GlobalOptions {
  return {
    ...(options.http === undefined ? {} : { http: options.http }),
    ...(options.configfile === undefined ? {} : { configfile: options.configfile }),
  };
}

const WHERE =
  '\nThe daemon is found at --http HOST:PORT, else at the http key of the configuration (-c FILE and the site and user files), else at 127.0.0.1:45480; the token http_token_env names is sent when set.';

export function registerObserveCommands(program: Command): void {
  program
    .command('tap')
    .description(
      "print what a node of the running daemon sends, one JSON record per line, from its /tap/NODE (the daemon's --http address, or http in [datalogd])",
    )
    .argument('<node>', 'the node to watch')
    .option('--count <n>', 'stop after this many records', positiveNumber)
    .addHelpText('after', WHERE)
    .action(async (node: string, _options: unknown, command: Command) => {
      const options = command.optsWithGlobals<GlobalOptions & { count?: number }>();
      process.exitCode = await tapCommand(node, {
        ...endpointOf(options),
        ...(options.count === undefined ? {} : { count: options.count }),
      });
    });
  program
    .command('top')
    .description(
      'a live table of every node of the running daemon: records in and out, rates, events and what it holds, read from its /metrics',
    )
    .option('--interval <seconds>', 'seconds between readings (default 2)', positiveNumber)
    .option('--once', 'print one table (after one interval, for the rates) and exit')
    .addHelpText('after', WHERE)
    .action(async (_options: unknown, command: Command) => {
      const options = command.optsWithGlobals<
        GlobalOptions & { interval?: number; once?: boolean }
      >();
      process.exitCode = await topCommand({
        ...endpointOf(options),
        ...(options.interval === undefined ? {} : { interval: options.interval }),
        ...(options.once === undefined ? {} : { once: options.once }),
      });
    });
}
