/**
 * What the commands that read a configuration without running it (check, graph, plugins)
 * take from the program's own options: `-c`, `-p`, `-g` and the log settings, given before
 * or after the command name.
 */
import type { Command } from 'commander';
import { setLogFormat, setLogLevel, type LogFormat, type LogLevel } from '../core/log.js';
import { ConfigurationErrors, DatalogdError } from '../core/errors.js';
import type { PrepareOptions } from '../runtime/prepare.js';

interface GlobalOptions {
  readonly configfile?: string;
  readonly plugindirs?: string[];
  readonly graphDot?: string;
  readonly logLevel?: LogLevel;
  readonly logFormat?: LogFormat;
  readonly verbose?: boolean;
}

/** The program's options, wherever on the command line they were given. */
function globalOptions(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

export function prepareOptions(command: Command): PrepareOptions {
  const options = globalOptions(command);
  return {
    ...(options.configfile === undefined ? {} : { configFile: options.configfile }),
    ...(options.plugindirs === undefined ? {} : { pluginDirs: options.plugindirs }),
    ...(options.graphDot === undefined ? {} : { graphDot: options.graphDot }),
  };
}

/**
 * Logs go to stderr as for the daemon, but from warnings up unless `--log-level` or `-v`
 * says otherwise: these commands' answer is on stdout, and the daemon's info lines
 * ("Loaded config from ...") would only bury the warnings that matter here.
 */
export function setUpCommandLogging(command: Command): void {
  const options = globalOptions(command);
  const program = rootOf(command);
  setLogFormat(options.logFormat ?? 'human');
  const levelGiven = program.getOptionValueSource('logLevel') === 'cli';
  const level = options.verbose === true ? 'debug' : levelGiven ? options.logLevel : 'warning';
  setLogLevel(level ?? 'warning');
}

function rootOf(command: Command): Command {
  let root = command;
  while (root.parent !== null) root = root.parent;
  return root;
}

/** The problems a failed check threw, or the unexpected error itself (a bug: rethrown). */
export function problemsOf(err: unknown): readonly DatalogdError[] {
  if (err instanceof ConfigurationErrors) return err.problems;
  if (err instanceof DatalogdError) return [err];
  throw err;
}

/** Problems as the daemon logs them when it refuses to start, one `[CODE] message` a line. */
export function reportProblems(problems: readonly DatalogdError[], write: (text: string) => void) {
  write(new ConfigurationErrors(problems).message + '\n');
}
