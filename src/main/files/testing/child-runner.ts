/** Spawns a files child script under `node --import tsx` and reads its JSON lines. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface ChildRun {
  readonly child: ChildProcess;
  /** Resolves with every JSON line once the process has exited. */
  readonly done: Promise<{
    lines: Record<string, unknown>[];
    code: number | null;
    signal: string | null;
    stderr: string;
  }>;
}

export function runFilesChild(
  script: 'upload-child.ts' | 'bigfile-child.ts',
  input: unknown,
  onLine?: (line: Record<string, unknown>, child: ChildProcess) => void,
  extra: { readonly nodeArgs?: readonly string[]; readonly env?: Record<string, string> } = {},
): ChildRun {
  const path = fileURLToPath(new URL(`./${script}`, import.meta.url));
  const child = spawn(process.execPath, [...(extra.nodeArgs ?? []), '--import', 'tsx', path], {
    env: { ...process.env, ...extra.env, UNIBUS_FILES_CHILD: JSON.stringify(input) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const rl = createInterface({ input: child.stdout! });
  rl.on('line', (text) => {
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    lines.push(value);
    onLine?.(value, child);
  });
  const done = new Promise<{
    lines: Record<string, unknown>[];
    code: number | null;
    signal: string | null;
    stderr: string;
  }>((resolve) => {
    child.on('close', (code, signal) => resolve({ lines, code, signal, stderr }));
  });
  return { child, done };
}
