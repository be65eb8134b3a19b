/**
 * `npm run bench`: every PERF.md row this project measures, each against a baseline measured in
 * the same run — M1, M2, K1 (scripts/bench-messages.ts, in this process) and F1, F2, F3
 * (scripts/bench-files.ts, 1 GiB by default, in a child so its memory readings are its own).
 * Prints one table, then one JSON object `{ rows: [{id, metric, value, baseline, ratio, target,
 * pass}], details }`. Targets are goals: a missed one is reported, not an error.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchMessages, type Row } from './bench-messages';

const here = dirname(fileURLToPath(import.meta.url));

function filesRows(): { rows: Row[]; details: unknown } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'bench-files.ts')], {
    encoding: 'utf8',
    env: process.env,
    maxBuffer: 64 * 1024 * 1024,
  });
  const json = run.stdout
    .trim()
    .split('\n')
    .reverse()
    .find((line) => line.startsWith('{"bench":"files"'));
  if (run.status !== 0 || json === undefined) {
    throw new Error(`bench-files failed (${run.status}): ${run.stderr.slice(-2000)}`);
  }
  const parsed = JSON.parse(json) as { rows: Row[] };
  return { rows: parsed.rows, details: parsed };
}

function format(rows: readonly Row[]): string {
  const n = (v: number | null) => (v === null ? '-' : v.toFixed(Math.abs(v) >= 100 ? 0 : 2));
  const lines = [
    'row  metric                                        value   baseline   ratio  target                      pass',
  ];
  for (const r of rows) {
    lines.push(
      `${r.id.padEnd(4)} ${r.metric.padEnd(44)} ${n(r.value).padStart(8)} ${n(r.baseline).padStart(10)} ${n(r.ratio).padStart(7)}  ${r.target.padEnd(27)} ${r.pass ? 'yes' : 'NO'}`,
    );
  }
  return lines.join('\n');
}

const started = performance.now();
const messages = await benchMessages();
const files = filesRows();
const rows = [...messages.rows, ...files.rows];
console.log(format(rows));
console.log(
  JSON.stringify({
    bench: 'unibus',
    seconds: Math.round((performance.now() - started) / 1000),
    rows,
    details: { messages: messages.details, files: files.details },
  }),
);
process.exit(0);
