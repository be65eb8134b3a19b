/** Small probes: waiting, RSS (T5) and the addresses of distinct loopback sources (T9). */
import { readFileSync } from 'node:fs';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitUntil(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** VmRSS of a process in bytes, from /proc; 0 once the process is gone. */
export function rssOf(pid: number): number {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return 0;
  }
  const kb = /VmRSS:\s+(\d+) kB/.exec(status);
  return kb ? Number(kb[1]) * 1024 : 0;
}

const samplers = new Set<NodeJS.Timeout>();

/** Stops every sampler still running (for afterEach: a failed test never reached its stop()). */
export function stopSamplers(): void {
  for (const timer of samplers) clearInterval(timer);
  samplers.clear();
}

/** Samples the summed RSS of `pids` every few ms until stopped; reports baseline and peak. */
export function rssSampler(pids: readonly number[]): {
  stop(): { baseline: number; peak: number };
} {
  const total = () => pids.reduce((sum, pid) => sum + rssOf(pid), 0);
  const baseline = total();
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, total());
  }, 5);
  timer.unref();
  samplers.add(timer);
  return {
    stop: () => {
      clearInterval(timer);
      samplers.delete(timer);
      peak = Math.max(peak, total());
      return { baseline, peak };
    },
  };
}

/** The n-th distinct loopback source address (127.0.x.y), skipping 127.0.0.1 itself. */
export function loopbackSource(n: number): string {
  return `127.0.${2 + Math.floor(n / 250)}.${1 + (n % 250)}`;
}

export const MiB = 1024 * 1024;
