/**
 * Helpers shared by the supervisor and the test launcher: log watching, the ports file,
 * readiness probing, waiting for exit.
 */
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { basename, join } from 'node:path';

export interface LogMatch {
  readonly line: string;
  readonly match: RegExpExecArray;
}

/** Accumulates a child's log lines and lets callers wait for a line after a mark. */
export class LogWatch {
  private lines: string[] = [];
  private partial = '';
  private waiters = new Set<() => void>();
  /** Keep at most this many lines (old ones are dropped; marks stay valid). */
  private dropped = 0;

  constructor(private readonly maxLines = 5_000) {}

  /** Feed a chunk of output. */
  push(chunk: string | Buffer): void {
    const text = this.partial + chunk.toString();
    const parts = text.split(/\r?\n/);
    this.partial = parts.pop() ?? '';
    if (parts.length === 0) return;
    this.lines.push(...parts);
    if (this.lines.length > this.maxLines) {
      const n = this.lines.length - this.maxLines;
      this.lines.splice(0, n);
      this.dropped += n;
    }
    for (const w of [...this.waiters]) w();
  }

  /** Wake waiters (e.g. when the process exited) without new lines. */
  poke(): void {
    for (const w of [...this.waiters]) w();
  }

  /** A position: lines pushed after it are "new". */
  mark(): number {
    return this.dropped + this.lines.length;
  }

  text(): string {
    return this.lines.join('\n') + (this.partial ? `\n${this.partial}` : '');
  }

  /** First line after `mark` matching one of `patterns`; undefined if none yet. */
  find(mark: number, patterns: readonly RegExp[]): (LogMatch & { index: number }) | undefined {
    const start = Math.max(0, mark - this.dropped);
    for (let i = start; i < this.lines.length; i++) {
      const line = this.lines[i]!;
      for (let p = 0; p < patterns.length; p++) {
        const m = patterns[p]!.exec(line);
        if (m) return { line, match: m, index: p };
      }
    }
    return undefined;
  }

  /**
   * Wait for a line after `mark` matching one of `patterns`; rejects after `timeoutMs` or when
   * `abort()` returns a reason.
   */
  waitFor(
    mark: number,
    patterns: readonly RegExp[],
    timeoutMs: number,
    abort?: () => string | undefined,
  ): Promise<LogMatch & { index: number }> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.find(mark, patterns);
        if (found) {
          done();
          resolve(found);
          return true;
        }
        const why = abort?.();
        if (why) {
          done();
          reject(new Error(why));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${patterns.join(' | ')}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      const waiter = (): void => void check();
      this.waiters.add(waiter);
      check();
    });
  }
}

export const RELOADED_RE = /\[INF\] Reloaded server configuration(?: \(sha256:([0-9a-f]{64})\))?/;
export const RELOAD_FAILED_RE = /\[ERR\] Failed to reload server configuration: (.*)$/;
export const READY_RE = /\[INF\] Server is ready/;

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface PortsFile {
  readonly nats: readonly string[];
  readonly monitoring?: readonly string[];
}

/** nats-server writes `<exe basename>_<pid>.ports` into `ports_file_dir`. */
export function portsFilePath(dir: string, bin: string, pid: number): string {
  const exe = basename(bin).replace(/\.exe$/i, '');
  return join(dir, `${exe}_${pid}.ports`);
}

export async function readPortsFile(path: string): Promise<PortsFile | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as PortsFile;
    return Array.isArray(parsed.nats) && parsed.nats.length > 0 ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Resolves true when a TCP connection to host:port succeeds. */
export function canConnect(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const t = setTimeout(() => {
      s.destroy();
      resolve(false);
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(t);
      s.end();
      resolve(true);
    });
    s.once('error', () => {
      clearTimeout(t);
      resolve(false);
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Resolves with the exit code/signal once `child` has exited (immediately if it has). */
export function waitForExit(
  child: ChildProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

/** Parse `nats://127.0.0.1:4222` → { host, port }. */
export function hostPortOf(url: string): { host: string; port: number } {
  const u = new URL(url.replace(/^nats:/, 'http:').replace(/^tls:/, 'https:'));
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port) };
}
