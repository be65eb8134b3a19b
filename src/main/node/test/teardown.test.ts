/**
 * test-support/processes.ts with real processes: a folder is removed only after everything
 * working in it has exited.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  hasExited,
  processesUsing,
  removeWhenUnused,
  stopChild,
} from '../../../../test-support/processes';

const started: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const child of started.splice(0)) if (!hasExited(child)) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'unibus-teardown-'));
  dirs.push(dir);
  return dir;
}

/** A Node child running `code`; resolves once it printed "ready". */
async function node(code: string, options: { cwd?: string; args?: string[] } = {}) {
  const child = spawn(process.execPath, ['-e', code, '--', ...(options.args ?? [])], {
    cwd: options.cwd ?? process.cwd(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  started.push(child);
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`child exited ${code} before ready`)));
  });
  return child;
}

describe('removeWhenUnused', () => {
  it('waits for a child that keeps writing after SIGTERM (the nats-server shutdown race)', async () => {
    const dir = tempDir();
    // On SIGTERM it writes 200 more files into a subfolder, then exits: `rm` running meanwhile
    // would meet new entries (ENOTEMPTY).
    const child = await node(
      `const fs = require('fs'); const d = process.argv[1] + '/store/msgs';
       fs.mkdirSync(d, { recursive: true });
       process.on('SIGTERM', () => {
         for (let i = 0; i < 200; i++) fs.writeFileSync(d + '/' + i + '.blk', 'x'.repeat(4096));
         process.exit(0);
       });
       setInterval(() => {}, 1000); console.log('ready');`,
      { args: [dir] },
    );
    await removeWhenUnused(dir, { children: [child] });
    expect(child.exitCode).toBe(0);
    expect(existsSync(dir)).toBe(false);
  });

  it('waits for a process it did not start (an orphaned nats-server) and SIGKILLs it after the grace', async () => {
    const dir = tempDir();
    // Not passed as a child: found because its command line names a path inside the folder.
    const orphan = await node(
      `process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); console.log('ready');`,
      { args: ['-c', join(dir, 'nats', 'nats-server.conf')] },
    );
    expect(processesUsing(dir)).toEqual([
      expect.objectContaining({ pid: orphan.pid, how: 'command line' }),
    ]);
    const exited = once(orphan, 'exit');
    await removeWhenUnused(dir, { graceMs: 200 });
    expect((await exited)[1]).toBe('SIGKILL');
    expect(existsSync(dir)).toBe(false);
  });

  it('finds a process by its working folder and by a file it holds open', async () => {
    const dir = tempDir();
    const inDir = await node(`setInterval(() => {}, 1000); console.log('ready');`, { cwd: dir });
    const holder = await node(
      `require('fs').openSync('held', 'w'); process.chdir('/'); setInterval(() => {}, 1000);
       console.log('ready');`,
      { cwd: dir },
    );
    const users = processesUsing(dir);
    expect(users).toContainEqual(
      expect.objectContaining({ pid: inDir.pid, how: 'working folder' }),
    );
    expect(users).toContainEqual(expect.objectContaining({ pid: holder.pid, how: 'open file' }));
    expect(processesUsing(join(dir, 'elsewhere'))).toEqual([]);
    await removeWhenUnused(dir, { children: [inDir, holder] });
    expect(readdirSync(tmpdir())).not.toContain(dir.split('/').at(-1));
  });
});

describe('stopChild', () => {
  it('SIGKILLs a child that ignores SIGTERM once the grace is over', async () => {
    const child = await node(
      `process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); console.log('ready');`,
    );
    await stopChild(child, { graceMs: 100 });
    expect(child.signalCode).toBe('SIGKILL');
  });
});
