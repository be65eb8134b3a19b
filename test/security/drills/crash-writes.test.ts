/**
 * Drill (reliability R6): SIGKILL a child process in the middle of writes, 200 times, spread
 * over the settings store (`updateSettings`), the outbox (`Outbox`) and the upload journal
 * (`UploadJournal`). After every kill the app's own loader must read each file as absent, the
 * version before the interrupted write, or the version after it: never a torn file, never a
 * fallback to defaults, never a version older than a write the child reported durable.
 */
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAtomicTempFileName } from '../../../src/main/base/atomic-file';
import { newUlid } from '../../../src/main/protocol';
import type { ChildInput, ChildLine, StateKind } from './support/crash-state';
import { ABSENT, applyWrite, loadSnapshot, type Snapshot } from './support/crash-loaders';
import { sleep } from './support/wait';

const KILLS = 200;
const KINDS: readonly StateKind[] = ['settings', 'outbox', 'journal'];
/**
 * Kill up to this long after the child's first write began (not after `ready`: the first write
 * waits a few ms for the crypto backend probe, and a kill there would interrupt nothing). The
 * child writes back to back, so any delay lands inside some write. An outbox write (~450 KiB
 * of base64 frames) takes several times longer than the others: its window is longer so that
 * kills also land in later writes, including the removals.
 */
const KILL_WINDOW_MS: Record<StateKind, number> = { settings: 40, outbox: 150, journal: 40 };

interface Tally {
  kills: number;
  inFlight: number;
  old: number;
  new: number;
  writes: number;
  settingsRev: number;
  snapshot: Snapshot;
}

describe('drill: SIGKILL during settings, outbox and upload-journal writes', () => {
  const work = mkdtempSync(join(tmpdir(), 'unibus-drill-crash-'));
  const bundle = join(work, 'crash-writer-child.mjs');
  const roomId = newUlid();

  beforeAll(async () => {
    // One self-contained ESM file: each of the 200 spawns starts in ~0.15 s.
    await build({
      entryPoints: [fileURLToPath(new URL('./support/crash-writer-child.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: bundle,
      logLevel: 'silent',
    });
  }, 60_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** Runs one child until it writes, kills it a moment later, returns what it announced. */
  async function runAndKill(input: ChildInput): Promise<ChildLine[]> {
    const child = spawn(process.execPath, [bundle], {
      env: { ...process.env, UNIBUS_DRILL_CHILD: JSON.stringify(input) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const closed = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const lines: ChildLine[] = [];
    let onWriting = () => {};
    const writing = new Promise<void>((resolve) => (onWriting = resolve));
    createInterface({ input: child.stdout }).on('line', (text) => {
      try {
        lines.push(JSON.parse(text) as ChildLine);
      } catch {
        return; // a line cut by the kill announces nothing
      }
      if (lines.at(-1)!.t === 'begin') onWriting();
    });
    await Promise.race([writing, closed]);
    if (lines[0]?.t !== 'ready' || lines[1]?.t !== 'begin') {
      throw new Error(`${input.kind} child failed to load its state: ${stderr}`);
    }
    await sleep(randomInt(0, KILL_WINDOW_MS[input.kind] + 1));
    child.kill('SIGKILL');
    const [, signal] = await closed;
    expect(signal).toBe('SIGKILL');
    return lines;
  }

  it(`${KILLS} kills leave 0 unparsable files`, { timeout: 600_000 }, async () => {
    const started = Date.now();
    const tallies = new Map<StateKind, Tally>();
    for (const kind of KINDS) {
      mkdirSync(join(work, kind));
      const fresh = { kills: 0, inFlight: 0, old: 0, new: 0, writes: 0, settingsRev: -1 };
      tallies.set(kind, { ...fresh, snapshot: ABSENT });
    }
    const failures: string[] = [];
    for (let kill = 0; kill < KILLS && failures.length === 0; kill++) {
      const kind = KINDS[kill % KINDS.length]!;
      const tally = tallies.get(kind)!;
      const dir = join(work, kind);
      const lines = await runAndKill({ kind, dir, roomId, settingsRev: tally.settingsRev });
      // Replay the announced writes: `committed` was reported durable, `pending` was under way.
      let committed = { snapshot: tally.snapshot, rev: tally.settingsRev };
      let pending: typeof committed | undefined;
      for (const line of lines) {
        if (line.t === 'begin') {
          const rev = 'settings' in line.action ? line.action.settings : committed.rev;
          pending = { snapshot: applyWrite(committed.snapshot, line.action), rev };
        } else if (line.t === 'done' && pending) {
          committed = pending;
          pending = undefined;
          tally.writes++;
        }
      }
      tally.kills++;
      if (pending) tally.inFlight++;
      let loaded: Snapshot;
      try {
        loaded = await loadSnapshot(kind, dir, roomId);
      } catch (error) {
        failures.push(`kill ${kill} (${kind}): ${String(error)}`);
        break;
      }
      const outcome =
        loaded === committed.snapshot ? committed : loaded === pending?.snapshot ? pending : null;
      if (outcome === null) {
        failures.push(`kill ${kill} (${kind}): neither the old nor the new version: ${loaded}`);
        break;
      }
      tally[outcome === committed ? 'old' : 'new']++;
      tally.snapshot = outcome.snapshot;
      tally.settingsRev = outcome.rev;
    }

    const orphans = (kind: StateKind) =>
      readdirSync(join(work, kind)).filter((name) => isAtomicTempFileName(name)).length;
    const report = KINDS.map((kind) => {
      const t = tallies.get(kind)!;
      return (
        `${kind}=kills:${t.kills},mid_write:${t.inFlight},old:${t.old},new:${t.new},` +
        `writes:${t.writes},orphan_temp_files:${orphans(kind)}`
      );
    });
    const kills = [...tallies.values()].reduce((sum, t) => sum + t.kills, 0);
    console.log(
      `DRILL crash-writes: kills=${kills} unparsable_or_wrong=${failures.length} ` +
        `${report.join(' ')} total_s=${((Date.now() - started) / 1000).toFixed(1)}`,
    );
    expect(failures).toEqual([]);
    expect(kills).toBe(KILLS);
    // The kills really landed inside writes, and both outcomes occurred.
    for (const t of tallies.values()) expect(t.inFlight).toBeGreaterThan(t.kills / 2);
    // Each loader clears the temp file a crash mid-write leaves behind.
    for (const kind of KINDS) expect(orphans(kind)).toBe(0);
  });
});
