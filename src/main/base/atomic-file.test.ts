import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isAtomicTempFileName,
  removeStaleTempFiles,
  writeFileAtomic,
  writeSecretFileAtomic,
} from './atomic-file';

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'unibus-atomic-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function freshDir(name: string): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir);
  return dir;
}

function modeOf(stats: { mode: number }): number {
  return stats.mode & 0o777;
}

describe('writeSecretFileAtomic', () => {
  it('creates the file with mode 0600 even under umask 0', async () => {
    const dir = await freshDir('mode');
    const previous = process.umask(0);
    try {
      await writeSecretFileAtomic(join(dir, 'secret.json'), '{"a":1}');
    } finally {
      process.umask(previous);
    }
    expect(modeOf(await stat(join(dir, 'secret.json')))).toBe(0o600);
    expect(await readFile(join(dir, 'secret.json'), 'utf8')).toBe('{"a":1}');
  });

  it('replaces a world-readable file with a 0600 one and leaves no temp file', async () => {
    const dir = await freshDir('replace');
    const target = join(dir, 'secret.bin');
    await writeFile(target, 'old', { mode: 0o644 });
    await writeSecretFileAtomic(target, new Uint8Array([1, 2, 3]));
    expect(modeOf(await stat(target))).toBe(0o600);
    expect([...(await readFile(target))]).toEqual([1, 2, 3]);
    expect(await readdir(dir)).toEqual(['secret.bin']);
  });

  it('on failure removes its temp file and leaves the target untouched', async () => {
    const dir = await freshDir('failure');
    const target = join(dir, 'occupied');
    await mkdir(target); // rename(file → non-empty directory) fails
    await writeFile(join(target, 'inner'), 'keep');
    await expect(writeSecretFileAtomic(target, 'new')).rejects.toMatchObject({
      code: expect.stringMatching(/EISDIR|ENOTEMPTY|EEXIST/),
    });
    expect(await readdir(dir)).toEqual(['occupied']);
    expect(await readFile(join(target, 'inner'), 'utf8')).toBe('keep');
  });

  it('rejects when the directory does not exist, creating nothing', async () => {
    const missing = join(root, 'no-such-dir', 'file');
    await expect(writeSecretFileAtomic(missing, 'x')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('writeFileAtomic (non-secret)', () => {
  it('uses 0644 by default (umask 022) and honours an explicit mode', async () => {
    const dir = await freshDir('plain');
    const previous = process.umask(0o022);
    try {
      await writeFileAtomic(join(dir, 'settings.json'), '{}');
      await writeFileAtomic(join(dir, 'journal.json'), '[]', { mode: 0o640 });
    } finally {
      process.umask(previous);
    }
    expect(modeOf(await stat(join(dir, 'settings.json')))).toBe(0o644);
    expect(modeOf(await stat(join(dir, 'journal.json')))).toBe(0o640);
  });
});

describe('removeStaleTempFiles', () => {
  it('removes only temp files (of the named targets when given)', async () => {
    const dir = await freshDir('stale');
    const names = [
      'a.json',
      '.a.json.tmp-123-abcdef.tmp',
      '.b.json.tmp-9-00ff.tmp',
      '.hidden',
      'c.tmp',
    ];
    for (const name of names) await writeFile(join(dir, name), 'x');
    expect(isAtomicTempFileName('.a.json.tmp-123-abcdef.tmp', 'a.json')).toBe(true);
    expect(isAtomicTempFileName('.a.json.tmp-123-abcdef.tmp', 'b.json')).toBe(false);
    expect(await removeStaleTempFiles(dir, ['a.json'])).toEqual(['.a.json.tmp-123-abcdef.tmp']);
    expect(await removeStaleTempFiles(dir)).toEqual(['.b.json.tmp-9-00ff.tmp']);
    expect((await readdir(dir)).sort()).toEqual(['.hidden', 'a.json', 'c.tmp']);
  });
});

/**
 * SIGKILL test: a child process rewrites a few files in a loop (sizes up to ~256 KiB, so kills
 * land inside writes); it is killed at a random moment ≥ 200 times. After every kill each file
 * must still parse and match its own checksum. The child runs plain JS compiled from
 * atomic-file.ts with TypeScript's transpiler, so each spawn costs ~50 ms, not a tsx start.
 */
describe('crash safety under SIGKILL', () => {
  const FILES = 3;
  const KILLS = 210;

  const childSource = `
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { join } from 'node:path';
import { writeFileAtomic, writeSecretFileAtomic } from './atomic-file.mjs';
const dir = process.argv[2];
const files = Number(process.argv[3]);
let announced = false;
for (let i = 0; ; i++) {
  const payload = randomBytes(randomInt(1, 128 * 1024)).toString('hex');
  const sha256 = createHash('sha256').update(payload).digest('hex');
  const body = JSON.stringify({ i, pid: process.pid, payload, sha256 });
  const write = i % files === 0 ? writeSecretFileAtomic : writeFileAtomic;
  await write(join(dir, 'file-' + (i % files) + '.json'), body);
  if (!announced) { announced = true; process.stdout.write('ready\\n'); }
}
`;

  function checkFile(text: string): void {
    const parsed = JSON.parse(text) as { payload: string; sha256: string };
    expect(createHash('sha256').update(parsed.payload).digest('hex')).toBe(parsed.sha256);
  }

  async function runAndKill(childDir: string, dir: string, delayMs: number): Promise<void> {
    const child = spawn(process.execPath, [join(childDir, 'child.mjs'), dir, String(FILES)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve());
      child.once('exit', () => reject(new Error('child exited before it was ready')));
    });
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
  }

  it(`leaves only complete, parsable files after ${KILLS} kills`, async () => {
    const childDir = await freshDir('child');
    const source = await readFile(
      fileURLToPath(new URL('./atomic-file.ts', import.meta.url)),
      'utf8',
    );
    const compiled = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    await writeFile(join(childDir, 'atomic-file.mjs'), compiled);
    await writeFile(join(childDir, 'child.mjs'), childSource);

    const dir = await freshDir('killed');
    for (let k = 0; k < FILES; k++) {
      const payload = 'initial';
      const sha256 = createHash('sha256').update(payload).digest('hex');
      await writeFile(join(dir, `file-${k}.json`), JSON.stringify({ i: -1, payload, sha256 }), {
        mode: 0o600,
      });
    }

    let tempFilesSeen = 0;
    const rewritten = new Set<number>();
    for (let kill = 0; kill < KILLS; kill++) {
      await runAndKill(childDir, dir, Math.floor(Math.random() * 25));
      const names = await readdir(dir);
      const temps = names.filter((name) => isAtomicTempFileName(name));
      tempFilesSeen += temps.length;
      for (let k = 0; k < FILES; k++) {
        const text = await readFile(join(dir, `file-${k}.json`), 'utf8');
        checkFile(text);
        rewritten.add((JSON.parse(text) as { i: number }).i);
      }
      // file-0 is only ever written as a secret: it and its temp files are never wider than 0600.
      expect(modeOf(await stat(join(dir, 'file-0.json')))).toBe(0o600);
      for (const temp of temps.filter((name) => name.startsWith('.file-0.json'))) {
        expect(modeOf(await stat(join(dir, temp)))).toBe(0o600);
      }
      expect((await removeStaleTempFiles(dir)).sort()).toEqual(temps.sort());
    }
    // The kills really landed during writes: files were rewritten many times and some kills
    // left a temp file behind (killed between open and rename).
    expect(rewritten.size).toBeGreaterThan(FILES);
    expect(tempFilesSeen).toBeGreaterThan(0);
  }, 300_000);
});
