/**
 * The real OS-keychain path: keytar → libsecret → gnome-keyring in a private D-Bus session.
 * Run with `npm run test:keychain` (scripts/with-keyring.sh starts the session and an unlocked
 * throw-away "login" collection). Outside that wrapper this file fails on purpose instead of
 * skipping.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from '../crypto';
import {
  exportIdentityBackup,
  IDENTITY_FILE,
  IdentitySecretMissingError,
  importIdentityBackup,
  KeychainKeyStore,
  KeychainLockedError,
  loadIdentity,
  openIdentity,
  openKeyStore,
  PassphraseRequiredError,
  readIdentityRecord,
  type Identity,
} from './index';
import { encodeSecretBlob } from './secret-blob';
import { scanForSecrets } from './test/scan';
import { checkKeyStoreContract } from './test/store-contract';

const run = promisify(execFile);
const SERVICE = `unibus-keychain-test-${Buffer.from(randomBytes(6)).toString('hex')}`;
const LOGIN = '/org/freedesktop/secrets/collection/login';
const FAST_SCRYPT = { N: 2 ** 10, r: 8, p: 1 };

let root: string;
let profileDir: string;
let created: Identity;

function requireKeyringSession(): void {
  if (!process.env['DBUS_SESSION_BUS_ADDRESS'] || !process.env['UNIBUS_KEYRING_SESSION']) {
    throw new Error('keychain tests need the private keyring session: run `npm run test:keychain`');
  }
}

async function secretTool(...args: string[]): Promise<string> {
  return (await run('secret-tool', args)).stdout;
}

async function collectionLocked(): Promise<boolean> {
  const { stdout } = await run('gdbus', [
    'call',
    '--session',
    '--dest',
    'org.freedesktop.secrets',
    '--object-path',
    LOGIN,
    '--method',
    'org.freedesktop.DBus.Properties.Get',
    'org.freedesktop.Secret.Collection',
    'Locked',
  ]);
  return stdout.includes('true');
}

/** Locks the login collection through the Secret Service API (no prompt needed to lock). */
async function lockCollection(): Promise<void> {
  await run('gdbus', [
    'call',
    '--session',
    '--dest',
    'org.freedesktop.secrets',
    '--object-path',
    '/org/freedesktop/secrets',
    '--method',
    'org.freedesktop.Secret.Service.Lock',
    `[objectpath '${LOGIN}']`,
  ]);
}

/** Unlocks it again: a replacement daemon started with --unlock reads the password on stdin. */
async function unlockCollection(): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = execFile(
      'gnome-keyring-daemon',
      ['--replace', '--unlock', '--components=secrets'],
      (error) => (error ? reject(error) : resolve()),
    );
    child.stdin?.end(process.env['UNIBUS_KEYRING_PASSWORD'] ?? '');
  });
  for (let attempt = 0; attempt < 50 && (await collectionLocked().catch(() => true)); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  requireKeyringSession();
  root = await mkdtemp(join(tmpdir(), 'unibus-keychain-'));
  profileDir = join(root, 'profile');
});

afterAll(async () => {
  if (root !== undefined) await rm(root, { recursive: true, force: true });
  if (process.env['UNIBUS_KEYRING_SESSION']) {
    if (await collectionLocked().catch(() => false)) await unlockCollection();
    await secretTool('clear', 'service', SERVICE).catch(() => undefined);
  }
});

describe('OS keychain via keytar + gnome-keyring', () => {
  it('first run stores the secret in the keyring; the profile holds only identity.json', async () => {
    expect(await collectionLocked()).toBe(false);
    const opened = await openIdentity({
      profileDir,
      prefer: 'os-keychain',
      keychain: { service: SERVICE },
      handle: 'keyring-user',
    });
    expect(opened?.created).toBe(true);
    expect(opened?.store.protection).toBe('os-keychain');
    created = opened!.identity;
    expect(await readdir(profileDir)).toEqual([IDENTITY_FILE]);

    // Independently of keytar: the entry is really in the Secret Service.
    const stored = await secretTool(
      'lookup',
      'service',
      SERVICE,
      'account',
      created.record.secretAccount,
    );
    expect(stored.trim()).toBe(Buffer.from(encodeSecretBlob(created.keys)).toString('base64url'));
  });

  it('no raw key bytes in the profile, nor in the keyring files on disk', async () => {
    const secrets = [
      created.keys.signSeed,
      created.keys.kexPrivate,
      encodeSecretBlob(created.keys),
    ];
    const profile = await scanForSecrets(profileDir, secrets);
    expect(profile.filesScanned).toBe(1);
    expect(profile.hits).toEqual([]);
    const keyrings = join(process.env['XDG_DATA_HOME'] ?? '', 'keyrings');
    const keyring = await scanForSecrets(keyrings, secrets);
    expect(keyring.filesScanned).toBeGreaterThan(0);
    expect(keyring.hits).toEqual([]);
  });

  it('key-store contract holds against the real keyring', async () => {
    await checkKeyStoreContract(() => KeychainKeyStore.open({ service: SERVICE }));
  });

  it('restart: a new store loads the same keys', async () => {
    const store = await KeychainKeyStore.open({ service: SERVICE });
    const loaded = await loadIdentity(profileDir, store);
    expect(loaded?.keys.signPublic).toEqual(created.keys.signPublic);
    expect(loaded?.keys.kexPublic).toEqual(created.keys.kexPublic);
    expect(loaded?.keys.signSeed).toEqual(created.keys.signSeed);
  });

  it('secret removed from the keyring → IdentitySecretMissingError; backup import recovers', async () => {
    const backupPath = join(root, 'backup.json');
    await exportIdentityBackup(created, backupPath, 'backup pw', { scryptParams: FAST_SCRYPT });
    const recordBefore = await readFile(join(profileDir, IDENTITY_FILE), 'utf8');
    await secretTool('clear', 'service', SERVICE, 'account', created.record.secretAccount);

    const options = {
      profileDir,
      prefer: 'os-keychain' as const,
      keychain: { service: SERVICE },
      handle: 'x',
    };
    await expect(openIdentity(options)).rejects.toBeInstanceOf(IdentitySecretMissingError);
    expect(await readFile(join(profileDir, IDENTITY_FILE), 'utf8')).toBe(recordBefore);

    const store = await KeychainKeyStore.open({ service: SERVICE });
    await importIdentityBackup({
      profileDir,
      store,
      backupPath,
      passphrase: 'backup pw',
      replace: true,
    });
    const recovered = await openIdentity(options);
    expect(recovered?.created).toBe(false);
    expect(recovered?.identity.keys.signPublic).toEqual(created.keys.signPublic);
  });

  it('locked collection → KeychainLockedError, never a silent downgrade; unlock restores', async () => {
    const store = await KeychainKeyStore.open({ service: SERVICE });
    await lockCollection();
    expect(await collectionLocked()).toBe(true);

    await expect(KeychainKeyStore.open({ service: SERVICE })).rejects.toBeInstanceOf(
      KeychainLockedError,
    );
    // An existing keychain identity: locked is reported as locked (not "missing"), even with a
    // passphrase at hand, and nothing in the profile changes.
    await expect(loadIdentity(profileDir, store)).rejects.toBeInstanceOf(KeychainLockedError);
    const recordBefore = await readFile(join(profileDir, IDENTITY_FILE), 'utf8');
    await expect(
      openIdentity({
        profileDir,
        prefer: 'os-keychain',
        keychain: { service: SERVICE },
        passphrase: 'p',
      }),
    ).rejects.toBeInstanceOf(KeychainLockedError);
    expect(await readFile(join(profileDir, IDENTITY_FILE), 'utf8')).toBe(recordBefore);
    expect(await readdir(profileDir)).toEqual([IDENTITY_FILE]);

    // A first run: without a passphrase the caller is told to ask for one …
    const fresh = join(root, 'fresh');
    const attempt = openKeyStore({
      profileDir: fresh,
      prefer: 'os-keychain',
      keychain: { service: SERVICE },
    });
    await expect(attempt).rejects.toBeInstanceOf(PassphraseRequiredError);
    await expect(attempt).rejects.toMatchObject({ cause: expect.any(KeychainLockedError) });
    // … and with one, the store says the passphrase file is in force.
    const fallback = await openKeyStore({
      profileDir: fresh,
      prefer: 'os-keychain',
      keychain: { service: SERVICE },
      passphrase: 'explicit choice',
      scryptParams: FAST_SCRYPT,
    });
    expect(fallback.protection).toBe('passphrase-file');

    // Unlocking (by a replacement daemon) leaves the secret intact. This process's libsecret
    // still holds a session with the old daemon, so the check runs in a fresh process, as an
    // app restart would.
    await unlockCollection();
    expect(await collectionLocked()).toBe(false);
    const stored = await secretTool(
      'lookup',
      'service',
      SERVICE,
      'account',
      created.record.secretAccount,
    );
    expect(stored.trim()).toBe(Buffer.from(encodeSecretBlob(created.keys)).toString('base64url'));
    expect((await readIdentityRecord(profileDir))?.protection).toBe('os-keychain');
  });
});
