/** Where the e2e suite keeps what it leaves behind (all under the git-ignored test-results/). */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const RESULTS_DIR = join(PROJECT_ROOT, 'test-results', 'e2e');
/** `screenshot(page, name)` writes `<name>.png` here. */
export const SCREENSHOTS_DIR = join(RESULTS_DIR, 'screenshots');
/** On a failed test: web-shell output, page console and a screenshot per page, one folder per test. */
export const ARTIFACTS_DIR = join(RESULTS_DIR, 'artifacts');

/** A file-name-safe version of a test or peer name. */
export function safeName(name: string): string {
  const cleaned = name
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 150);
  return cleaned === '' ? 'unnamed' : cleaned;
}

export function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
