/**
 * SIGKILL during first-run creation (issue 3 §3, reliability-anchors K6): a child process
 * creates identities in fresh profiles p0, p1, ... until it is killed at a random moment. After
 * each kill, every profile it touched must hold either no identity (and a later first run then
 * succeeds) or a complete one that loads with the same keys as its record — never a corrupt
 * identity.json or a record whose secret is missing.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openIdentity, readIdentityRecord, type KeyProtection } from './index';
import {
  CRASH_TEST_PASSPHRASE,
  CRASH_TEST_SAFE_STORAGE_KEY,
  CRASH_TEST_SCRYPT,
} from './test/crash-fixtures';
import { FakeSafeStorage } from './test/fake-safe-storage';

const RUNS = 24;
const CHILD = fileURLToPath(new URL('./test/create-identity-child.ts', import.meta.url));

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'unibus-first-run-crash-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/**
 * Starts the child, waits until it announces the start of profile number `profile`, then kills
 * it after `delayMs` — so kills land inside a creation (the crypto backend's first-use probe
 * makes the first profile slower than the rest, hence counting profiles, not milliseconds).
 */
async function runAndKill(
  runDir: string,
  backend: KeyProtection,
  profile: number,
  delayMs: number,
): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, runDir, backend], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  );
  await new Promise<void>((resolve, reject) => {
    let started = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      started += chunk
        .toString()
        .split('\n')
        .filter((line) => line.startsWith('start ')).length;
      if (started > profile) resolve();
    });
    child.once('exit', () => reject(new Error(`child exited early: ${stderr}`)));
  });
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
}

function openOptions(profileDir: string, backend: KeyProtection) {
  return {
    profileDir,
    prefer: backend,
    passphrase: CRASH_TEST_PASSPHRASE,
    safeStorage: new FakeSafeStorage(CRASH_TEST_SAFE_STORAGE_KEY),
    platform: 'linux' as const,
    scryptParams: CRASH_TEST_SCRYPT,
  };
}

describe('SIGKILL during first-run identity creation', () => {
  it(`leaves no identity or a complete one (${RUNS} killed runs)`, async () => {
    let complete = 0;
    let absent = 0;
    for (let run = 0; run < RUNS; run++) {
      const backend: KeyProtection = run % 2 === 0 ? 'passphrase-file' : 'electron-safe-storage';
      const runDir = join(root, `run-${run}`);
      await mkdir(runDir);
      const profile = Math.floor(Math.random() * 4);
      await runAndKill(runDir, backend, profile, Math.floor(Math.random() * 20));
      const profiles = await readdir(runDir);
      expect(profiles.length).toBeGreaterThan(0);
      for (const name of profiles) {
        const profileDir = join(runDir, name);
        const record = await readIdentityRecord(profileDir);
        if (record === null) {
          absent += 1;
          const created = await openIdentity({
            ...openOptions(profileDir, backend),
            handle: 'retry',
          });
          expect(created?.created).toBe(true);
          continue;
        }
        complete += 1;
        const loaded = await openIdentity(openOptions(profileDir, backend));
        expect(loaded?.created).toBe(false);
        expect(loaded?.identity.keys.signPublic).toEqual(record.signPublic);
        expect(loaded?.identity.keys.kexPublic).toEqual(record.kexPublic);
        expect(loaded?.store.protection).toBe(backend);
      }
    }
    // Both outcomes occurred, so kills landed before and after the commit point.
    expect(absent).toBeGreaterThan(0);
    expect(complete).toBeGreaterThan(0);
  }, 300_000);
});
