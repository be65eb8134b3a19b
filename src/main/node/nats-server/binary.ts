/**
 * Querying the nats-server binary (`--version`, `-t -c FILE`).
 */
import { execFile } from 'node:child_process';
import { parseNatsServerVersion, type NatsServerVersion } from './version.js';

// Which binary: ./resolve.ts (kept importable from here for existing callers).
export { resolveNatsServerBinary } from './resolve.js';

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
