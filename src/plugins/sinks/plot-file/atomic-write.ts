import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

let sequence = 0;

/**
 * Replaces `target` with `bytes` whole: the bytes go to a hidden temporary file in the same
 * directory (a rename is atomic only within one file system), are synced, and the file is
 * renamed over the target. A reader sees the old file or the new one, never a part of one.
 * On failure the temporary file is removed and the target is left as it was.
 */
export async function replaceFile(target: string, bytes: Uint8Array): Promise<void> {
  sequence += 1;
  const temporary = join(dirname(target), `.${basename(target)}.${process.pid}.${sequence}.tmp`);
  let handle: FileHandle | undefined;
  try {
    handle = await open(temporary, 'wx');
    await handle.writeFile(bytes);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temporary, target);
  } catch (err) {
    await handle?.close().catch(() => undefined);
    await rm(temporary, { force: true }).catch(() => undefined);
    throw err;
  }
}
