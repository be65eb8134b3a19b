/**
 * The fallback suite: no Secret Service reachable (no session bus). The real keytar module is
 * used; it must give KeychainUnavailableError, an identity needs an explicit passphrase, and
 * the passphrase-file path then works. Runs in a child with a scrubbed environment so it holds
 * on a desktop with a live keyring too.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDENTITY_FILE, PASSPHRASE_SECRET_FILE } from './index';

const CHILD = fileURLToPath(new URL('./test/keychain-absent-child.ts', import.meta.url));

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'unibus-no-keyring-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('no Secret Service (DBUS_SESSION_BUS_ADDRESS unset)', () => {
  it('keychain → KeychainUnavailableError; no passphrase → PassphraseRequiredError; file path works', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: root, XDG_RUNTIME_DIR: root };
    for (const name of ['DBUS_SESSION_BUS_ADDRESS', 'DISPLAY', 'WAYLAND_DISPLAY']) delete env[name];
    const profileDir = join(root, 'profile');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', CHILD, profileDir],
      { env },
    );
    const report = JSON.parse(stdout) as Record<string, unknown>;
    expect(report['keychainOpen']).toMatchObject({ name: 'KeychainUnavailableError' });
    expect(report['withoutPassphrase']).toMatchObject({
      name: 'PassphraseRequiredError',
      causeName: 'KeychainUnavailableError',
    });
    expect(report).toMatchObject({
      created: true,
      protection: 'passphrase-file',
      samePublicKeys: true,
    });
    expect((await readdir(profileDir)).sort()).toEqual(
      [IDENTITY_FILE, PASSPHRASE_SECRET_FILE].sort(),
    );
  }, 60_000);
});
