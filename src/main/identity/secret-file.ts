/**
 * Shared by the file-backed key stores: deleting the one secret file of a profile, but only
 * when it holds the account asked for, and never a damaged file (that is evidence, and the
 * recovery path may still need it).
 */
import { readFile, unlink } from 'node:fs/promises';
import { FormatError, parseJsonObject } from './encoding';
import { IdentityCorruptError } from './errors';

export async function deleteSecretFile(path: string, account: string): Promise<void> {
  try {
    const object = parseJsonObject(await readFile(path, 'utf8'));
    if (object['account'] !== account) return;
    await unlink(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    if (error instanceof FormatError) {
      throw new IdentityCorruptError('secret file is damaged; not deleting it', path, {
        cause: error,
      });
    }
    throw error;
  }
}
