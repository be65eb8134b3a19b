#!/usr/bin/env node
// `npm run test:all`: the whole gate, the same list CI runs. Every step runs even when an earlier
// one failed, so one run shows everything that is wrong; the last line is `N passed, N failed`.
//
// Steps: the three typechecks, ESLint (layering rule included), Prettier, the unit suite, then the
// further suites below *if package.json defines them* (they are added by the issues that own them).
// Vitest steps report each test (JSON reports in UNIBUS_TEST_RESULTS_DIR); any
// other step counts as one check. A vitest step that exits non-zero without a failing test
// (unhandled error, crash) also counts as one failed check.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printSummary, summarize } from './test-summary.mjs';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Always run, in this order. */
const REQUIRED_STEPS = [
  'typecheck:shared',
  'typecheck:node',
  'typecheck:web',
  'lint:eslint',
  'lint:format',
  'test:unit',
];
/** Run when package.json has them (owned by other issues; coordinated by name only). */
const OPTIONAL_SUITES = ['test:keychain', 'test:integration', 'test:security', 'test:e2e'];

function resultFiles(dir) {
  return new Set(readdirSync(dir).filter((f) => f.endsWith('.json')));
}

function safeName(script) {
  return script.replace(/[^A-Za-z0-9._-]/g, '_');
}

function writeCheck(dir, script, ok, detail) {
  const file = join(dir, `check-${safeName(script)}.json`);
  writeFileSync(file, JSON.stringify({ kind: 'unibus-check', name: script, ok, detail }) + '\n');
}

function main() {
  const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8'));
  const scripts = pkg.scripts ?? {};
  const resultsDir = process.env.UNIBUS_TEST_RESULTS_DIR
    ? resolve(process.env.UNIBUS_TEST_RESULTS_DIR)
    : mkdtempSync(join(tmpdir(), 'unibus-test-results-'));
  mkdirSync(resultsDir, { recursive: true });

  const steps = [...REQUIRED_STEPS, ...OPTIONAL_SUITES.filter((name) => name in scripts)];
  const absent = OPTIONAL_SUITES.filter((name) => !(name in scripts));
  console.log(`test:all: ${steps.join(', ')}`);
  if (absent.length > 0) console.log(`test:all: not defined yet, skipped: ${absent.join(', ')}`);
  console.log(`test:all: results in ${resultsDir}`);

  for (const script of steps) {
    if (!(script in scripts)) {
      writeCheck(resultsDir, script, false, 'script missing from package.json');
      continue;
    }
    const before = resultFiles(resultsDir);
    const started = Date.now();
    console.log(`\n=== ${script} ===`);
    // Vitest steps: ask for a JSON report on the command line as well. CLI reporter options
    // override the config's, so a suite with its own config (test:keychain) reports too, and a
    // suite using vitest.config.ts still writes exactly one report.
    const extra = /\bvitest\b/.test(scripts[script])
      ? [
          '--',
          '--reporter=default',
          '--reporter=json',
          `--outputFile.json=${join(resultsDir, `vitest-${safeName(script)}.json`)}`,
        ]
      : [];
    const run = spawnSync('npm', ['run', script, ...extra], {
      cwd: projectRoot,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, UNIBUS_TEST_RESULTS_DIR: resultsDir, UNIBUS_TEST_SUITE: script },
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const code = run.status ?? 1;
    const produced = [...resultFiles(resultsDir)].filter((f) => !before.has(f));
    console.log(
      `=== ${script}: exit ${code}${run.signal ? ` (${run.signal})` : ''}, ${seconds}s ===`,
    );
    if (produced.length === 0) {
      writeCheck(resultsDir, script, code === 0, code === 0 ? undefined : `exit ${code}`);
    } else if (code !== 0) {
      // Vitest reports were written; make sure a non-zero exit is never reported as all green.
      if (summarize(resultsDir, produced).failed === 0) {
        writeCheck(resultsDir, script, false, `exit ${code} with no failing test`);
      }
    }
  }

  console.log('\n=== summary ===');
  return printSummary(resultsDir);
}

process.exit(main());
