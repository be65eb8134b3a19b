/**
 * Invite links never in argv (issue 12, attack 6). `/proc/<pid>/cmdline` is readable by every
 * local user, so a link given as an argument hands the invite token to anyone on the machine
 * while the redeem runs. The CLI reads the link from stdin (`unibus join -`) or a file
 * (`--link-file F`); a link in argv is refused before it is used.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, sleep, startNodeUnderTest, type NodeUnderTest } from './toolkit';

const BIN = resolve(__dirname, '../../bin/unibus.mjs');
let n: NodeUnderTest;
const root = mkdtempSync(join(tmpdir(), 'unibus-join-argv-'));

beforeAll(async () => {
  n = await startNodeUnderTest();
});
afterAll(async () => {
  await n?.stop();
  rmSync(root, { recursive: true, force: true });
});

async function mintLink(): Promise<{ id: string; link: string; token: string }> {
  const res = await call(n.target, n.admin, 'POST', '/v1/invites', {});
  expect(res.status).toBe(201);
  return { id: res.json.invite.id, link: res.json.link, token: res.json.token };
}

async function uses(id: string): Promise<number> {
  const list = (await call(n.target, n.admin, 'GET', '/v1/invites')).json as {
    id: string;
    used: number;
  }[];
  return list.find((i) => i.id === id)!.used;
}

/** Every process's command line on this machine, with the pids whose line contains `secret`. */
function cmdlinesContaining(secrets: readonly string[]): { scanned: number; hits: string[] } {
  const hits: string[] = [];
  let scanned = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let line: string;
    try {
      line = readFileSync(`/proc/${entry}/cmdline`, 'latin1');
    } catch {
      continue; // the process is gone
    }
    scanned++;
    if (secrets.some((s) => line.includes(s))) hits.push(`${entry}: ${line.replace(/\0/g, ' ')}`);
  }
  return { scanned, hits };
}

/**
 * Runs the CLI with `args`, feeding `stdin`, and watches every process's command line for the
 * token (its payload and its signature part) until the CLI exits.
 */
async function runWatched(args: string[], stdin: string, token: string) {
  const [, payload, signature] = token.split('.');
  const secrets = [token, payload!, signature!];
  const child = spawn(process.execPath, [BIN, ...args], {
    env: {
      ...process.env,
      UNIBUS_PASSPHRASE: 'join argv test passphrase',
      DBUS_SESSION_BUS_ADDRESS: '',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(stdin);
  let exited = false;
  const exit = new Promise<number | null>((r) =>
    child.once('exit', (code) => {
      exited = true;
      r(code);
    }),
  );
  const hits = new Set<string>();
  let scans = 0;
  const deadline = Date.now() + 90_000;
  while (!exited && Date.now() < deadline) {
    const scan = cmdlinesContaining(secrets);
    if (!exited) scans++;
    for (const hit of scan.hits) hits.add(hit);
    await sleep(2);
  }
  if (!exited) child.kill('SIGKILL');
  return { code: await exit, stdout, stderr, hits: [...hits], scans };
}

describe('invite links stay out of argv (issue 12, attack 6)', () => {
  it('R-12.6: `unibus join -` reads the link from stdin; no process ever shows the token in its command line', async () => {
    const { id, link, token } = await mintLink();
    const profile = join(root, 'stdin');
    const run = await runWatched(
      ['--profile', profile, 'join', '-', '--handle', 'bob'],
      `${link}\n`,
      token,
    );
    console.log(
      `R-12.6 stdin: exit ${run.code}, ${run.scans} scans of every /proc/*/cmdline while it ran, ${run.hits.length} with the token; stderr: ${run.stderr.trim().slice(0, 200)}`,
    );
    expect(run.hits).toEqual([]);
    expect(run.scans).toBeGreaterThan(10);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(await uses(id)).toBe(1);
  });

  it('R-12.6b: `unibus join --link-file F` reads the link from a file; the token stays out of every command line', async () => {
    const { id, link, token } = await mintLink();
    const file = join(root, 'link.txt');
    writeFileSync(file, `${link}\n`, { mode: 0o600 });
    const profile = join(root, 'file');
    const run = await runWatched(
      ['--profile', profile, 'join', '--link-file', file, '--handle', 'carol'],
      '',
      token,
    );
    console.log(
      `R-12.6b file: exit ${run.code}, ${run.scans} scans, ${run.hits.length} with the token`,
    );
    expect(run.hits).toEqual([]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(await uses(id)).toBe(1);
  });

  it('R-12.6c: a link given in argv is refused before it is used, with a sentence saying how to pass it', async () => {
    const { id, link, token } = await mintLink();
    const profile = join(root, 'argv');
    const run = await runWatched(
      ['--profile', profile, 'join', link, '--handle', 'dave'],
      '',
      token,
    );
    console.log(
      `R-12.6c argv: exit ${run.code}, the token was in ${run.hits.length} command lines; stderr: ${run.stderr.trim().slice(0, 300)}`,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unibus join -');
    expect(run.stderr).toContain('--link-file');
    expect(run.stderr).not.toContain(token);
    expect(await uses(id)).toBe(0);
  });
});
