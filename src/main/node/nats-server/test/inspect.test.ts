import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveNatsServerBinary } from '../binary.js';
import { VersionRefusedError, inspectNatsServer } from '../inspect.js';

describe('inspectNatsServer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'unibus-inspect-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A stand-in binary that only answers --version (to exercise the gate on old versions). */
  const fake = (version: string): string => {
    const p = join(dir, `nats-server-${version}`);
    writeFileSync(p, `#!/bin/sh\necho "nats-server: v${version}"\n`);
    chmodSync(p, 0o755);
    return p;
  };

  it('accepts the installed binary in production and reports its features', async () => {
    const i = await inspectNatsServer(resolveNatsServerBinary(), 'production');
    expect(i.version.text).toMatch(/^2\.\d+\.\d+/);
    expect(i.gate.verdict).not.toBe('refuse');
    expect(i.features.syncAlways).toBe(true);
  });

  it.each(['2.9.10', '2.10.22', '2.11.15', '2.12.6'])('refuses %s in production', async (v) => {
    const err = await inspectNatsServer(fake(v), 'production').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VersionRefusedError);
    expect((err as Error).message).toContain(v);
  });

  it('only warns in dev mode', async () => {
    const i = await inspectNatsServer(fake('2.10.22'), 'dev');
    expect(i.gate.verdict).toBe('warn');
    expect(i.gate.problems.join()).toMatch(/#6888/);
    expect(i.features.syncAlways).toBe(true);
  });

  it('sync_interval: always is not offered to 2.9', async () => {
    const i = await inspectNatsServer(fake('2.9.10'), 'dev');
    expect(i.features.syncAlways).toBe(false);
  });
});
