/**
 * Bench results as JSON lines, one run per line, so a regression shows against the previous run
 * (the table's "prev" column). Kept in test-results/ (git-ignored: numbers belong to a machine),
 * or wherever BENCH_HISTORY points.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { rowKey, type Row } from './row';

export interface HistoryEntry {
  readonly at: string;
  readonly commit: string | null;
  readonly only: readonly string[] | null;
  readonly rows: readonly Row[];
}

export function historyFile(projectRoot: string): string {
  return (
    process.env['BENCH_HISTORY'] ?? join(projectRoot, 'test-results', 'bench', 'history.jsonl')
  );
}

/** Every row's latest earlier value, by row key (an --only run updates only its own rows). */
export function previousRows(file: string): Map<string, Row> {
  const latest = new Map<string, Row>();
  if (!existsSync(file)) return latest;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const entry = JSON.parse(line) as HistoryEntry;
      for (const row of entry.rows) latest.set(rowKey(row), row);
    } catch {
      // a line cut by a killed run: skip it, keep the rest
    }
  }
  return latest;
}

export function appendHistory(file: string, rows: readonly Row[], only: readonly string[] | null) {
  mkdirSync(dirname(file), { recursive: true });
  const entry: HistoryEntry = { at: new Date().toISOString(), commit: currentCommit(), only, rows };
  appendFileSync(file, JSON.stringify(entry) + '\n');
}

function currentCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}
