#!/usr/bin/env node
// Sum every result file in a results directory into one line `N passed, N failed`.
//
// Two kinds of file are read:
//  - Vitest JSON reports (vitest.config.ts writes one per run when UNIBUS_TEST_RESULTS_DIR is
//    set): each test counts; a test file that failed to load or crashed counts as one failure.
//  - Check records `{ "kind": "unibus-check", "name", "ok" }` written by scripts/test-all.mjs
//    for steps that are not vitest runs (typecheck, lint, a suite that exited non-zero): one each.
//
// Usage: node scripts/test-summary.mjs DIR   (exit 1 when anything failed or nothing ran)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * @param {string} dir results directory
 * @param {Iterable<string>} [only] restrict to these file names
 * @returns {{ passed: number, failed: number, skipped: number, lines: string[] }}
 */
export function summarize(dir, only) {
  const wanted = only ? new Set(only) : null;
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const lines = [];
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json') && (wanted === null || wanted.has(f)))
    .map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs }))
    .sort((a, b) => a.t - b.t || a.f.localeCompare(b.f)) // in the order the steps ran
    .map(({ f }) => f);
  for (const name of files) {
    let data;
    try {
      data = JSON.parse(readFileSync(join(dir, name), 'utf8'));
    } catch (error) {
      failed += 1;
      lines.push(`${name}: unreadable result file (${error.message}) — counted as 1 failed`);
      continue;
    }
    if (data && data.kind === 'unibus-check') {
      if (data.ok) passed += 1;
      else failed += 1;
      lines.push(
        `${data.name}: ${data.ok ? 'ok' : 'FAILED'}${data.detail ? ` (${data.detail})` : ''}`,
      );
      continue;
    }
    if (data && Array.isArray(data.testResults)) {
      const p = data.numPassedTests ?? 0;
      let f = data.numFailedTests ?? 0;
      const s = (data.numPendingTests ?? 0) + (data.numTodoTests ?? 0);
      // A file that failed without a failing test (import error, crash in a hook) still failed.
      const brokenFiles = data.testResults.filter(
        (r) =>
          r.status === 'failed' && !(r.assertionResults ?? []).some((a) => a.status === 'failed'),
      );
      f += brokenFiles.length;
      passed += p;
      failed += f;
      skipped += s;
      lines.push(`${name}: ${p} passed, ${f} failed${s ? `, ${s} skipped` : ''}`);
      for (const r of brokenFiles) {
        const why = r.message ? ` — ${String(r.message).split('\n')[0]}` : '';
        lines.push(`  broken test file: ${r.name}${why}`);
      }
      continue;
    }
    failed += 1;
    lines.push(`${name}: not a recognised result file — counted as 1 failed`);
  }
  return { passed, failed, skipped, lines };
}

/** Print the details, then the summary as the last line. Returns the exit code. */
export function printSummary(dir) {
  const { passed, failed, skipped, lines } = summarize(dir);
  for (const line of lines) console.log(line);
  if (skipped > 0) console.log(`${skipped} skipped or todo`);
  if (passed + failed === 0) console.log(`no test results found in ${dir}`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? process.env.UNIBUS_TEST_RESULTS_DIR;
  if (!dir) {
    console.error('usage: node scripts/test-summary.mjs DIR (or set UNIBUS_TEST_RESULTS_DIR)');
    process.exit(2);
  }
  process.exit(printSummary(dir));
}
