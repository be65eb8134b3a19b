/**
 * Locating and querying the nats-server binary (`--version`, `-t -c FILE`).
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { parseNatsServerVersion, type NatsServerVersion } from './version.js';

export const DEFAULT_NATS_SERVER = '/usr/local/bin/nats-server';

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The binary: `$UNIBUS_NATS_SERVER`, else /usr/local/bin/nats-server, else the first
 * `nats-server` on PATH. Throws when none is found.
 */
export function resolveNatsServerBinary(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.UNIBUS_NATS_SERVER;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`UNIBUS_NATS_SERVER=${fromEnv} is not executable`);
    return fromEnv;
  }
  if (isExecutable(DEFAULT_NATS_SERVER)) return DEFAULT_NATS_SERVER;
  const exe = process.platform === 'win32' ? 'nats-server.exe' : 'nats-server';
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, exe))) return join(dir, exe);
  }
  throw new Error('nats-server not found (set UNIBUS_NATS_SERVER)');
}

interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

function run(bin: string, args: string[], env?: NodeJS.ProcessEnv): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { env: env ?? process.env, timeout: 15_000 }, (err, stdout, stderr) => {
      if (err && typeof (err as { code?: unknown }).code !== 'number') {
        reject(err);
        return;
      }
      resolve({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr });
    });
  });
}

export async function readNatsServerVersion(bin: string): Promise<NatsServerVersion> {
  const r = await run(bin, ['--version']);
  return parseNatsServerVersion(r.stdout || r.stderr);
}

export interface ConfigCheck {
  readonly ok: boolean;
  /** sha256 the server prints for the parsed config (comments excluded; 2.14 prints it). */
  readonly digest?: string;
  /** The server's complaint, when not ok. */
  readonly error?: string;
}

const DIGEST_RE = /\(sha256:([0-9a-f]{64})\)/;

/**
 * `nats-server -t -c FILE` with the environment the server will run with (so `$VAR`
 * references such as the at-rest key resolve exactly as they will at start/reload).
 */
export async function checkNatsServerConfig(
  bin: string,
  file: string,
  env?: NodeJS.ProcessEnv,
): Promise<ConfigCheck> {
  const r = await run(bin, ['-t', '-c', file], env);
  const out = `${r.stdout}\n${r.stderr}`.trim();
  if (r.code !== 0) return { ok: false, error: out.replace(/^nats-server:\s*/gm, '') };
  const m = DIGEST_RE.exec(out);
  return m?.[1] ? { ok: true, digest: m[1] } : { ok: true };
}
