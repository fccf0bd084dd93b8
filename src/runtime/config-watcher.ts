import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { getLogger } from '../core/log.js';

const log = getLogger('datalogd');

/** Editors write a file in several steps (a temporary file, a rename); one reload for all. */
export const WATCH_DEBOUNCE_MS = 300;

/**
 * Calls `onChange` once a burst of changes to any of `files` has settled. Watches each
 * file's directory, not the file: an editor that saves by writing a new file and renaming
 * it over the old one replaces the inode a file watch would be attached to, and a file
 * that does not exist yet (the user file) can be created. Returns a function that stops it.
 */
export function watchConfigFiles(
  files: readonly string[],
  onChange: (file: string) => void,
  debounceMs = WATCH_DEBOUNCE_MS,
): () => void {
  const byDirectory = new Map<string, Set<string>>();
  for (const file of files) {
    const absolute = resolve(file);
    const names = byDirectory.get(dirname(absolute)) ?? new Set<string>();
    names.add(basename(absolute));
    byDirectory.set(dirname(absolute), names);
  }
  let timer: NodeJS.Timeout | undefined;
  let changed = '';
  const watchers: FSWatcher[] = [];
  for (const [directory, names] of byDirectory) {
    let watcher: FSWatcher;
    try {
      watcher = watch(directory, { persistent: false }, (_event, name) => {
        // Some platforms give no name; then any change in the directory may be ours.
        if (name !== null && !names.has(name)) return;
        changed = name === null ? directory : resolve(directory, name);
        clearTimeout(timer);
        timer = setTimeout(() => {
          onChange(changed);
        }, debounceMs);
      });
    } catch {
      // A directory that does not exist holds no config file to change (the site directory
      // of most systems); it is not watched.
      continue;
    }
    watcher.on('error', (err) => {
      log.warning(`--watch-config: stopped watching ${directory}: ${err.message}`);
    });
    watchers.push(watcher);
  }
  log.info(
    `--watch-config: watching ${[...byDirectory.keys()].length} directories for changes to ${files.join(', ')}`,
  );
  return () => {
    clearTimeout(timer);
    for (const watcher of watchers) watcher.close();
  };
}
