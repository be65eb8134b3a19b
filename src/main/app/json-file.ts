/**
 * A small JSON document in the profile (settings, read markers, hosting choice), written
 * atomically so a crash leaves the old or the new version, never a torn one. A file that does not
 * parse or does not fit is replaced by the defaults on the next save (these hold no secrets and
 * nothing that cannot be rebuilt), and reported once.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { removeStaleTempFiles, writeFileAtomic } from '../base/atomic-file';

export class JsonFile<T> {
  private constructor(
    private readonly path: string,
    private value: T,
  ) {}

  static async open<T>(
    profileDir: string,
    name: string,
    fallback: T,
    fit: (raw: unknown) => T | null,
    onDamaged: (path: string) => void = () => {},
  ): Promise<JsonFile<T>> {
    const path = join(profileDir, name);
    await removeStaleTempFiles(profileDir, [name]).catch(() => {}); // left by a crash mid-write
    let text: string | undefined;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      return new JsonFile(path, fallback);
    }
    let fitted: T | null = null;
    try {
      fitted = fit(JSON.parse(text));
    } catch {
      fitted = null;
    }
    if (fitted === null) onDamaged(path);
    return new JsonFile(path, fitted ?? fallback);
  }

  get current(): T {
    return this.value;
  }

  async save(value: T): Promise<void> {
    await writeFileAtomic(this.path, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
    this.value = value;
  }
}
