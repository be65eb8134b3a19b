/**
 * One node per data directory. `<data>/node.lock` names the process that runs the node from it
 * and the nats-server that node supervises:
 *
 *   { "pid": 4242, "nats_pid": 4250 }
 *
 * A new start waits (bounded) while the named process is alive: an app that was killed leaves
 * its node stopping on its own (stdin closed), and its nats-server still holds the ports and the
 * JetStream store until it is down. A lock whose process is gone was left by a node that died
 * without stopping (killed outright, as a utility process is when Electron dies): the new start
 * takes over, and first stops the nats-server that node left behind — recognised by its command
 * line naming this data directory's config file, so a reused process id is never touched.
 */
import { execFile } from 'node:child_process';
import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writeFileAtomic } from '../../base/atomic-file';

export const NODE_LOCK_FILE = 'node.lock';
/** How long a start waits for the node before it to finish stopping. */
export const NODE_LOCK_WAIT_MS = 30_000;
const POLL_MS = 100;
const ORPHAN_STOP_MS = 10_000;
const MAX_TAKEOVERS = 5;

export class NodeBusyError extends Error {
  override readonly name = 'NodeBusyError';
}

export interface NodeLock {
  /** Records the nats-server now running (after each start or restart) for a successor. */
  setNatsServerPid(pid: number | undefined): Promise<void>;
  /** Removes the lock (after the node and its nats-server are down). */
  release(): Promise<void>;
}

export interface NodeLockOptions {
  /** The nats-server config file of this data directory (how an orphan is recognised). */
  readonly natsConfigFile: string;
  readonly waitMs?: number;
  readonly log?: (event: string, detail: Record<string, unknown>) => void;
}

interface Holder {
  readonly pid: number;
  readonly natsPid: number | null;
}

export async function acquireNodeLock(
  dataDir: string,
  options: NodeLockOptions,
): Promise<NodeLock> {
  const log = options.log ?? (() => {});
  const path = join(dataDir, NODE_LOCK_FILE);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const deadline = Date.now() + (options.waitMs ?? NODE_LOCK_WAIT_MS);
  let waitedFor: number | null = null;
  for (let takeovers = 0; ;) {
    if (await createExclusive(path, lockText({ pid: process.pid, natsPid: null }))) {
      return heldLock(path);
    }
    const text = await readFile(path, 'utf8').catch(() => null);
    if (text === null) {
      // Released between our two calls (try again), or unreadable (give up in time).
      if (Date.now() >= deadline) throw new NodeBusyError(`cannot read ${path}`);
      continue;
    }
    const holder = parseHolder(text);
    if (holder !== null && (await isAlive(holder.pid))) {
      if (Date.now() >= deadline) {
        throw new NodeBusyError(
          `another node is running from ${dataDir} (process ${holder.pid}); stop it, then start again`,
        );
      }
      if (waitedFor !== holder.pid) {
        waitedFor = holder.pid;
        log('node-lock-wait', { pid: holder.pid });
      }
      await sleep(POLL_MS);
      continue;
    }
    if (++takeovers > MAX_TAKEOVERS) {
      throw new NodeBusyError(`could not take over ${path}; remove it if no node runs from here`);
    }
    log('node-lock-stale', { pid: holder?.pid ?? null, nats_pid: holder?.natsPid ?? null });
    if (holder?.natsPid != null) await stopOrphan(holder.natsPid, options.natsConfigFile, log);
    // Only the lock we judged stale: another start may have replaced it meanwhile.
    if ((await readFile(path, 'utf8').catch(() => null)) === text)
      await unlink(path).catch(() => {});
  }
}

function heldLock(path: string): NodeLock {
  let released = false;
  // Writes in order, and none after release (a late write would bring the lock file back).
  let writes: Promise<void> = Promise.resolve();
  return {
    setNatsServerPid(pid) {
      writes = writes
        .catch(() => {})
        .then(async () => {
          if (released) return;
          await writeFileAtomic(path, lockText({ pid: process.pid, natsPid: pid ?? null }), {
            mode: 0o600,
          });
        });
      return writes;
    },
    async release() {
      released = true;
      await writes.catch(() => {});
      await unlink(path).catch(() => {});
    },
  };
}

function lockText(holder: Holder): string {
  return `${JSON.stringify({ pid: holder.pid, nats_pid: holder.natsPid })}\n`;
}

function parseHolder(text: string): Holder | null {
  try {
    const value = JSON.parse(text) as { pid?: unknown; nats_pid?: unknown };
    if (!Number.isSafeInteger(value.pid) || (value.pid as number) <= 0) return null;
    const natsPid =
      Number.isSafeInteger(value.nats_pid) && (value.nats_pid as number) > 0
        ? (value.nats_pid as number)
        : null;
    return { pid: value.pid as number, natsPid };
  } catch {
    return null; // torn or foreign content: nobody can be waiting behind it
  }
}

async function createExclusive(path: string, text: string): Promise<boolean> {
  try {
    const handle = await open(path, 'wx', 0o600);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** Alive = exists and is not a zombie (an orphan's exit may not be reaped at once). */
export async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (process.platform !== 'linux') return true;
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (stat === null) return false;
  // "pid (comm) S …": the state follows the last ')' (comm may contain spaces and parens).
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

/** The process's command line, where the platform tells it; null if unknown. */
async function commandLine(pid: number): Promise<string | null> {
  if (process.platform === 'linux') {
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => null);
    return raw === null ? null : raw.split('\0').join(' ');
  }
  if (process.platform === 'darwin') {
    const run = await promisify(execFile)('ps', ['-o', 'command=', '-p', String(pid)]).catch(
      () => null,
    );
    return run === null ? null : run.stdout.trim();
  }
  return null;
}

async function stopOrphan(
  pid: number,
  configFile: string,
  log: (event: string, detail: Record<string, unknown>) => void,
): Promise<void> {
  if (!(await isAlive(pid))) return;
  const command = await commandLine(pid);
  if (command === null || !command.includes(configFile)) {
    log('node-lock-orphan-unknown', { pid }); // not provably ours: leave it alone
    return;
  }
  log('node-lock-orphan-stop', { pid });
  for (const [signal, waitMs] of [
    ['SIGTERM', ORPHAN_STOP_MS],
    ['SIGKILL', ORPHAN_STOP_MS],
  ] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      return; // gone already
    }
    const until = Date.now() + waitMs;
    while (Date.now() < until) {
      if (!(await isAlive(pid))) return;
      await sleep(POLL_MS);
    }
  }
  throw new NodeBusyError(`the nats-server left by an earlier node (process ${pid}) did not stop`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
