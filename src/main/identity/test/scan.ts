/**
 * Profile scan for raw key material: every file under a directory is searched for each secret
 * as raw bytes and as lower/upper hex, base64 and base64url (padded and unpadded).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Every textual and binary form a leaked secret could take in a file. */
export function encodingsOf(secret: Uint8Array): Buffer[] {
  const bytes = Buffer.from(secret);
  const hex = bytes.toString('hex');
  const base64 = bytes.toString('base64');
  const forms = new Set([
    hex,
    hex.toUpperCase(),
    base64,
    base64.replace(/=+$/, ''),
    bytes.toString('base64url'),
  ]);
  return [bytes, ...[...forms].map((form) => Buffer.from(form, 'latin1'))];
}

export async function listFiles(directory: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(path)));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}

/** Returns "file: form" for each hit; empty means nothing leaked. Also returns files scanned. */
export async function scanForSecrets(
  directory: string,
  secrets: readonly Uint8Array[],
): Promise<{ hits: string[]; filesScanned: number }> {
  const hits: string[] = [];
  const files = await listFiles(directory);
  for (const file of files) {
    const content = await readFile(file);
    for (const secret of secrets) {
      for (const form of encodingsOf(secret)) {
        if (content.includes(form)) hits.push(`${file}: ${form.toString('latin1').slice(0, 8)}…`);
      }
    }
  }
  return { hits, filesScanned: files.length };
}
