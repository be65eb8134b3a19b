/**
 * @module base/atomic-file — crash-safe whole-file writes.
 *
 * Sequence (reliability-anchors.md §5.4): create a temp file in the target's directory with
 * `open(O_CREAT | O_EXCL | O_WRONLY, mode)`, write, `fsync` the file, `rename` it over the
 * target, then `fsync` the directory so the rename itself is durable. A crash at any point
 * leaves either the old complete file or the new complete file under the target name, plus
 * at worst an orphaned temp file (see {@link removeStaleTempFiles}).
 *
 * "Disk first, then memory": callers update in-memory state only after the returned promise
 * resolves; on rejection nothing under the target name has changed.
 */
import { constants as fsConstants } from 'node:fs';
import { open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/** Mode of every secret file: owner read/write only. */
export const SECRET_FILE_MODE = 0o600;
/** Default mode of non-secret files (settings, journals). */
export const PLAIN_FILE_MODE = 0o644;

const TEMP_PREFIX = '.';
const TEMP_MARKER = '.tmp-';

/**
 * Atomically replaces `targetPath` with `data`, as a secret: the temp file is created with mode
 * 0600 by the `open` call itself (so there is no moment where it exists with wider permissions;
 * a umask can only narrow it), and the mode is set again with `fchmod` before any byte is
 * written in case the umask removed owner bits.
 *
 * @param targetPath file to replace (its directory must exist)
 * @param data the whole new content
 */
export async function writeSecretFileAtomic(
  targetPath: string,
  data: Uint8Array | string,
): Promise<void> {
  await writeAtomic(targetPath, data, SECRET_FILE_MODE);
}

/**
 * Atomically replaces a non-secret file (settings, journals) with the same crash safety as
 * {@link writeSecretFileAtomic}. `mode` defaults to 0644.
 */
export async function writeFileAtomic(
  targetPath: string,
  data: Uint8Array | string,
  options: { readonly mode?: number } = {},
): Promise<void> {
  await writeAtomic(targetPath, data, options.mode ?? PLAIN_FILE_MODE);
}

/** True when `fileName` is a temp file left by this module (for `target`, when given). */
export function isAtomicTempFileName(fileName: string, target?: string): boolean {
  const prefix = target === undefined ? TEMP_PREFIX : `${TEMP_PREFIX}${target}${TEMP_MARKER}`;
  return fileName.startsWith(prefix) && fileName.includes(TEMP_MARKER) && fileName.endsWith('.tmp');
}

/**
 * Removes temp files orphaned in `directory` by a crash during a write: all of them, or only
 * those of the given target file names. It must not race a live writer of those targets, so
 * call it before the first write. Returns the names removed.
 */
export async function removeStaleTempFiles(
  directory: string,
  targets?: readonly string[],
): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(directory)) {
    const matches =
      targets === undefined
        ? isAtomicTempFileName(name)
        : targets.some((target) => isAtomicTempFileName(name, target));
    if (!matches) continue;
    await unlinkIfPresent(join(directory, name));
    removed.push(name);
  }
  return removed;
}

function tempPathFor(targetPath: string): string {
  const suffix = `${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
  return join(dirname(targetPath), `${TEMP_PREFIX}${basename(targetPath)}${TEMP_MARKER}${suffix}`);
}

async function writeAtomic(
  targetPath: string,
  data: Uint8Array | string,
  mode: number,
): Promise<void> {
  const tempPath = tempPathFor(targetPath);
  const flags = fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_WRONLY;
  let handle: FileHandle | undefined = await open(tempPath, flags, mode);
  try {
    await handle.chmod(mode);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(tempPath, targetPath);
  } catch (error) {
    if (handle !== undefined) await handle.close().catch(() => undefined);
    await unlinkIfPresent(tempPath).catch(() => undefined);
    throw error;
  }
  await fsyncDirectory(dirname(targetPath));
}

/** Makes a rename durable: fsync on the directory persists its entries (POSIX). */
async function fsyncDirectory(directory: string): Promise<void> {
  if (process.platform === 'win32') return; // directories cannot be opened for fsync there
  const handle = await open(directory, fsConstants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function unlinkIfPresent(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
