/**
 * `npm run bench [-- --only M1,M2]`: every PERF.md row this project measures, each against a
 * baseline measured in the same run. Groups of rows share a node; `--only` (or BENCH_ONLY) runs
 * the groups that hold the named rows. Prints one table (with each row's previous result), then
 * one JSON object `{ rows: [{id, metric, value, baseline, ratio, target, pass}], details }`, and
 * appends the rows to the JSON-lines history (scripts/bench/history.ts). Targets are goals: a
 * missed one is reported, not an error; a group that fails is reported as a failed row.
 *
 *   M1 M2  scripts/bench/messages.ts    in this process
 *   K1     scripts/bench/kick.ts        in this process
 *   F1-F3  scripts/bench/files.ts       a child, so its memory readings are its own (1 GiB)
 *   S1     scripts/bench/node-start.ts  node cold start with 1,000 rooms / 5,000 users
 *   S2     scripts/bench/peer-start.ts  peer start with 100k vs 10k messages of history
 *   S3     scripts/bench/requests.ts    signed request rate vs an HTTPS hello-world
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appendHistory, historyFile, previousRows } from './bench/history';
import { benchKick } from './bench/kick';
import { benchMessages } from './bench/messages';
import { benchNodeStart } from './bench/node-start';
import { benchPeerStart } from './bench/peer-start';
import { benchRequests } from './bench/requests';
import { formatTable, plain, type Row } from './bench/row';

const here = dirname(fileURLToPath(import.meta.url));
type Result = { rows: Row[]; details: unknown };

function filesRows(): Result {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'bench', 'files.ts')], {
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
    throw new Error(`bench files failed (${run.status}): ${run.stderr.slice(-2000)}`);
  }
  const parsed = JSON.parse(json) as { rows: Row[] };
  return { rows: parsed.rows, details: parsed };
}

const GROUPS: {
  name: string;
  ids: string[];
  run: (only: (id: string) => boolean) => Promise<Result> | Result;
}[] = [
  { name: 'messages', ids: ['M1', 'M2'], run: benchMessages },
  { name: 'kick', ids: ['K1'], run: benchKick },
  { name: 'files', ids: ['F1', 'F2', 'F3'], run: filesRows },
  { name: 'node-start', ids: ['S1'], run: benchNodeStart },
  { name: 'peer-start', ids: ['S2'], run: benchPeerStart },
  { name: 'requests', ids: ['S3'], run: benchRequests },
];

/** `--only M1,M2`, `--only=M1,M2` or BENCH_ONLY=M1,M2; null = everything. */
function parseOnly(argv: readonly string[]): string[] | null {
  const at = argv.findIndex((a) => a === '--only' || a.startsWith('--only='));
  const text =
    at < 0
      ? process.env['BENCH_ONLY']
      : argv[at]!.includes('=')
        ? argv[at]!.split('=')[1]
        : argv[at + 1];
  if (text === undefined || text.trim() === '') return null;
  const ids = text
    .split(',')
    .map((id) => id.trim().toUpperCase())
    .filter(Boolean);
  const known = new Set(GROUPS.flatMap((g) => g.ids));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    console.error(`bench: unknown row ${unknown.join(', ')}; rows are ${[...known].join(', ')}`);
    process.exit(2);
  }
  return ids;
}

const only = parseOnly(process.argv.slice(2));
const selected = (id: string) => only === null || only.includes(id);
const history = historyFile(join(here, '..'));
const previous = previousRows(history);
const started = performance.now();
const rows: Row[] = [];
const details: Record<string, unknown> = {};
for (const group of GROUPS.filter((g) => g.ids.some(selected))) {
  const t0 = performance.now();
  try {
    const result = await group.run(selected);
    rows.push(...result.rows.filter((r) => selected(r.id)));
    details[group.name] = result.details;
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    console.error(`bench: group ${group.name} failed: ${message}`);
    rows.push(
      plain(group.ids.join('/'), `${group.name} group failed (see details)`, 0, 'runs', false),
    );
    details[group.name] = { error: message };
  }
  console.error(`bench: ${group.name} done in ${Math.round((performance.now() - t0) / 1000)} s`);
}
console.log(formatTable(rows, previous));
appendHistory(history, rows, only);
console.log(
  JSON.stringify({
    bench: 'unibus',
    seconds: Math.round((performance.now() - started) / 1000),
    only,
    history,
    rows,
    details,
  }),
);
process.exit(0);
