/**
 * Two computers for a test: two network namespaces joined by one veth pair, with addresses the
 * test assigns and loopback up in each. Nothing else is in them (no route out, no other
 * interface), so the "joiner" reaches the "host" only through the veth address, and its own
 * 127.0.0.1 is its own.
 *
 * Names start with `lan` (the helper that wrote this) and end with the pid of the test process,
 * so a later run can tell which namespaces a killed run left behind (`removeStaleNamespaces`).
 * Needs root (CAP_SYS_ADMIN) and iproute2; `netnsRefusal()` says why not, for a skip message.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';

const NAME = /^lan([a-z]+)-(host|join|probe)-(\d+)$/;

function ip(args: readonly string[]): { status: number | null; stderr: string } {
  const run = spawnSync('ip', args, { encoding: 'utf8' });
  if (run.error !== undefined) {
    throw new Error(`cannot run \`ip\` (${run.error.message}): install iproute2`);
  }
  return { status: run.status, stderr: run.stderr.trim() };
}

function ipOrThrow(args: readonly string[]): void {
  const run = ip(args);
  if (run.status !== 0) throw new Error(`ip ${args.join(' ')} failed: ${run.stderr}`);
}

/**
 * Null when this process may create network namespaces, else the reason `ip netns add` gave.
 * (No `ip` at all is a setup mistake, not a refusal: that throws.)
 */
export function netnsRefusal(): string | null {
  const probe = `lanprobe-probe-${process.pid}`;
  const run = ip(['netns', 'add', probe]);
  if (run.status !== 0)
    return `\`ip netns add\` was refused: ${run.stderr || `exit ${run.status}`}`;
  ip(['netns', 'del', probe]);
  return null;
}

function namespaces(): string[] {
  const run = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  return run.stdout
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name !== '');
}

/** Kills what still runs inside `ns` (only our own test processes live there), then deletes it. */
function removeNamespace(ns: string): void {
  const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout;
  for (const pid of pids.split('\n').filter((p) => /^\d+$/.test(p))) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone already
    }
  }
  ip(['netns', 'del', ns]);
}

/** Removes `lan<tag>-…-<pid>` namespaces whose test process is gone (a run that was killed). */
export function removeStaleNamespaces(tag: string): string[] {
  const removed: string[] = [];
  for (const ns of namespaces()) {
    const match = NAME.exec(ns);
    if (match === null || match[1] !== tag) continue;
    if (existsSync(`/proc/${match[3]}`) && Number(match[3]) !== process.pid) continue;
    removeNamespace(ns);
    removed.push(ns);
  }
  return removed;
}

export interface Computer {
  /** The network namespace. */
  readonly ns: string;
  /** Its veth address (no prefix length). */
  readonly address: string;
  /** Its end of the veth pair. */
  readonly dev: string;
  /** `ip netns exec NS command args…`, as a file and arguments for spawn. */
  command(file: string, args: readonly string[]): [string, string[]];
  /** spawn() inside the namespace; the child gets SIGTERM if this test process dies. */
  spawn(file: string, args: readonly string[], options: SpawnOptions): ChildProcess;
}

export interface TwoComputers {
  readonly host: Computer;
  readonly joiner: Computer;
  /** Kills anything left inside and deletes both namespaces (their veth ends go with them). */
  remove(): void;
}

/**
 * Creates `lan<tag>-host-<pid>` (`<subnet>.1/24`) and `lan<tag>-join-<pid>` (`<subnet>.2/24`),
 * joined by a veth pair. `tag` is a few lowercase letters, so that two test files differ.
 */
export async function createTwoComputers(tag: string, subnet: string): Promise<TwoComputers> {
  if (!/^[a-z]{1,3}$/.test(tag)) throw new Error('tag: one to three lowercase letters');
  const pid = process.pid;
  const made: string[] = [];
  // Interface names are at most 15 characters: lan + tag + h/j + pid.
  const computer = (role: 'host' | 'join', octet: number): Computer => {
    const ns = `lan${tag}-${role}-${pid}`;
    const dev = `lan${tag}${role[0]}${pid}`;
    const command = (file: string, args: readonly string[]): [string, string[]] => [
      'ip',
      ['netns', 'exec', ns, file, ...args],
    ];
    return {
      ns,
      address: `${subnet}.${octet}`,
      dev,
      command,
      spawn: (file, args, options) => {
        // setpriv sets the parent-death signal, `ip netns exec` execs (no fork), so it holds.
        const [ipFile, ipArgs] = command(file, args);
        return existsSync('/usr/bin/setpriv')
          ? spawn('/usr/bin/setpriv', ['--pdeathsig', 'SIGTERM', '--', ipFile, ...ipArgs], options)
          : spawn(ipFile, ipArgs, options);
      },
    };
  };
  const host = computer('host', 1);
  const joiner = computer('join', 2);
  const remove = () => {
    for (const ns of made.splice(0)) removeNamespace(ns);
  };
  try {
    for (const c of [host, joiner]) {
      ipOrThrow(['netns', 'add', c.ns]);
      made.push(c.ns);
      ipOrThrow(['-n', c.ns, 'link', 'set', 'lo', 'up']);
    }
    // Made inside the namespaces: nothing of the pair ever appears in the root namespace.
    ipOrThrow([
      '-n',
      host.ns,
      'link',
      'add',
      host.dev,
      'type',
      'veth',
      'peer',
      'name',
      joiner.dev,
      'netns',
      joiner.ns,
    ]);
    for (const c of [host, joiner]) {
      ipOrThrow(['-n', c.ns, 'addr', 'add', `${c.address}/24`, 'dev', c.dev]);
      ipOrThrow(['-n', c.ns, 'link', 'set', c.dev, 'up']);
    }
    for (const c of [host, joiner]) await waitForCarrier(c.ns, c.dev);
  } catch (error) {
    remove();
    throw error;
  }
  return { host, joiner, remove };
}

/** Waits (bounded) until the veth end reports carrier, so the first packets are not dropped. */
async function waitForCarrier(ns: string, dev: string): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const run = spawnSync('ip', ['-n', ns, '-br', 'link', 'show', 'dev', dev], {
      encoding: 'utf8',
    });
    if (/\sUP\s/.test(run.stdout)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${dev} in ${ns} did not come up within 10 s`);
}

/**
 * Adds one more address to `computer`'s veth end, in a subnet the other side has no route to:
 * an address the link carries that leads nowhere from there (as a Docker bridge or a VPN would).
 */
export function addUnreachableAddress(computer: Computer, cidr: string): void {
  ipOrThrow(['-n', computer.ns, 'addr', 'add', cidr, 'dev', computer.dev]);
}
