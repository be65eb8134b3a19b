/** Writes `bytes` random bytes to `path` 1 MiB at a time (flat memory); returns their SHA-256. */
import { createHash, randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';

export async function writeRandomFile(path: string, bytes: number): Promise<string> {
  const hash = createHash('sha256');
  const handle = await open(path, 'w');
  try {
    const block = 1024 * 1024;
    for (let offset = 0; offset < bytes; offset += block) {
      const length = Math.min(block, bytes - offset);
      const data = randomBytes(length);
      hash.update(data);
      await handle.write(data, 0, length, offset);
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}
