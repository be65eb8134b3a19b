/** Atomic file replacement: temp file (0600) + fsync + rename + directory fsync. */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export function tempPathFor(file: string): string {
  return join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
}

/** Write `data` to a new temp file beside `file`, created 0600, and fsync it. */
export async function writeTempFile(file: string, data: string): Promise<string> {
  const tmp = tempPathFor(file);
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  return tmp;
}

/** rename(tmp → file) then fsync the directory so the rename survives a crash. */
export async function commitTempFile(tmp: string, file: string): Promise<void> {
  await rename(tmp, file);
  try {
    const dh = await open(dirname(file), 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  } catch {
    // Directory fsync is not supported on every platform (Windows); the rename is done.
  }
}

export async function writeFileAtomic(file: string, data: string): Promise<void> {
  const tmp = await writeTempFile(file, data);
  try {
    await commitTempFile(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}
