import { errorMessage } from '../core/errors.js';
import { getLogger } from '../core/log.js';
import type { DataLogDaemon } from '../runtime/daemon.js';
import type { DaemonProblems } from '../runtime/daemon-problems.js';
import { watchConfigFiles } from '../runtime/config-watcher.js';

/**
 * Exit status of a stop that was not clean: a node abandoned at the deadline, failing to
 * close or giving up records while closing, or a forced exit (a second signal).
 */
export const EXIT_UNCLEAN = 3;
/** Beyond the daemon's own deadline, the process exits regardless after this much more. */
const BACKSTOP_MS = 2000;

const log = getLogger('datalogd');

/**
 * The process's signals and last-resort fault handlers. SIGINT and SIGTERM stop the daemon
 * (a second one exits at once); SIGHUP reloads the configuration and never ends the
 * process; an exception or rejection nothing caught is a counted runtime event.
 */
export class ProcessSignals {
  readonly #problems: DaemonProblems;
  #daemon: DataLogDaemon | undefined;
  #keepAlive: NodeJS.Timeout | undefined;
  #stopping = false;
  /** Set once every node has started: a reload must not run beside the start. */
  #running = false;
  #reloadWhenStarted = false;
  #stopWatching: (() => void) | undefined;

  /** Installed before the daemon is built, so that a SIGHUP during start-up cannot kill it. */
  constructor(problems: DaemonProblems) {
    this.#problems = problems;
    process.on('uncaughtException', (err) => {
      problems.report(
        'DATALOGD_ERR_UNCAUGHT',
        `uncaught exception (the daemon keeps running): ${err.stack ?? err.message}`,
        { key: 'exception' },
      );
    });
    process.on('unhandledRejection', (reason) => {
      problems.report(
        'DATALOGD_ERR_UNCAUGHT',
        `unhandled rejection (the daemon keeps running): ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`,
        { key: 'rejection' },
      );
    });
    process.on('SIGHUP', () => {
      this.#hangUp();
    });
  }

  /** Hands the running daemon over: stop signals now stop it, SIGHUP reloads it. */
  attach(daemon: DataLogDaemon, options: { readonly watchConfig: boolean }): void {
    this.#daemon = daemon;
    // Like Python's run_forever: the daemon runs until it is told to stop, even when no
    // node has anything scheduled (a graph whose only source sends once).
    this.#keepAlive = setInterval(() => undefined, 1 << 30);
    process.on('SIGINT', (signal) => {
      this.#stop(signal);
    });
    process.on('SIGTERM', (signal) => {
      this.#stop(signal);
    });
    if (options.watchConfig) {
      this.#stopWatching = watchConfigFiles(daemon.config.filesLookedFor, (file) => {
        log.info(`--watch-config: ${file} changed: reloading the configuration.`);
        this.#reload();
      });
    }
  }

  /** Called once the daemon has started: a SIGHUP that came during start-up reloads now. */
  started(): void {
    this.#running = true;
    if (!this.#reloadWhenStarted) return;
    this.#reloadWhenStarted = false;
    this.#reload();
  }

  #hangUp(): void {
    if (this.#stopping) {
      log.info('Received SIGHUP while stopping: ignored.');
    } else if (!this.#running) {
      log.info(
        'Received SIGHUP while starting: the configuration will be read again once started.',
      );
      this.#reloadWhenStarted = true;
    } else {
      log.info('Received SIGHUP: reloading the configuration.');
      this.#reload();
    }
  }

  #reload(): void {
    const daemon = this.#daemon;
    if (daemon === undefined || this.#stopping) return;
    if (!this.#running) {
      this.#reloadWhenStarted = true;
      return;
    }
    daemon.reload().catch((err: unknown) => {
      this.#problems.report(
        'DATALOGD_ERR_UNCAUGHT',
        `reload failed half-way (the daemon keeps running): ${errorMessage(err)}`,
        { key: 'reload' },
      );
    });
  }

  #stop(signal: NodeJS.Signals): void {
    const daemon = this.#daemon;
    if (daemon === undefined) return;
    if (this.#stopping) {
      log.warning(`Received ${signal} again: exiting without waiting for nodes to close.`);
      process.exit(EXIT_UNCLEAN);
    }
    this.#stopping = true;
    clearInterval(this.#keepAlive);
    this.#stopWatching?.();
    log.info(`Received ${signal}. Stopping event loop.`);
    const backstop = daemon.shutdownTimeoutMs + BACKSTOP_MS;
    setTimeout(() => {
      log.error(`Shutdown did not finish within ${backstop} ms; exiting anyway.`);
      process.exit(EXIT_UNCLEAN);
    }, backstop).unref();
    daemon.close().then(
      (outcome) => {
        logStats(daemon);
        log.info(
          outcome.clean ? 'Stopped.' : `Stopped, not cleanly (exit status ${EXIT_UNCLEAN}).`,
        );
        process.exit(outcome.clean ? 0 : EXIT_UNCLEAN);
      },
      (err: unknown) => {
        log.error(`Error while closing: ${errorMessage(err)}`);
        process.exit(EXIT_UNCLEAN);
      },
    );
  }
}

function logStats(daemon: DataLogDaemon): void {
  const nodes = daemon.stats();
  // The daemon's own counters, under a name no node has.
  const own = 'datalogd' in nodes ? '(datalogd)' : 'datalogd';
  const all = { ...nodes, [own]: daemon.problems.stats() };
  for (const [name, counters] of Object.entries(all)) {
    const nonZero = Object.entries(counters).filter(([, v]) => v !== 0);
    if (nonZero.length > 0) {
      log.info(`${name}: ${nonZero.map(([k, v]) => `${k}=${v}`).join(' ')}`);
    }
  }
}
