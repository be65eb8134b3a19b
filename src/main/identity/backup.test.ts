import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BackupFormatError,
  createIdentity,
  exportIdentityBackup,
  IDENTITY_FILE,
  IdentityCorruptError,
  IdentityExistsError,
  importIdentityBackup,
  openIdentity,
  openKeyStore,
  PRODUCTION_SCRYPT_PARAMS,
  SafeStorageKeyStore,
  WrongPassphraseError,
  type Identity,
} from './index';
import { encodeSecretBlob } from './secret-blob';
import { FakeSafeStorage } from './test/fake-safe-storage';
import { scanForSecrets } from './test/scan';

/** Reduced scrypt cost for the many random round trips; one test below uses production cost. */
const FAST_SCRYPT = { N: 2 ** 8, r: 8, p: 1 };

let root: string;
let counter = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'unibus-backup-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function newDir(prefix: string): string {
  counter += 1;
  return join(root, `${prefix}-${counter}`);
}

async function sourceIdentity(handle = 'alice'): Promise<Identity> {
  const profileDir = newDir('source');
  const store = await openKeyStore({
    profileDir,
    prefer: 'passphrase-file',
    passphrase: 'profile passphrase',
    scryptParams: FAST_SCRYPT,
  });
  return createIdentity(profileDir, store, handle);
}

/** "Another machine": a fresh profile whose secret goes into (fake) Electron safeStorage. */
function otherMachine(): {
  profileDir: string;
  safeStorage: FakeSafeStorage;
  store: SafeStorageKeyStore;
} {
  const profileDir = newDir('target');
  const safeStorage = new FakeSafeStorage();
  return {
    profileDir,
    safeStorage,
    store: new SafeStorageKeyStore(profileDir, safeStorage, 'linux'),
  };
}

const passphraseArbitrary = fc.string({ minLength: 1, maxLength: 48, unit: 'grapheme' });

describe('encrypted identity backup', () => {
  it('round-trips with random passphrases (same public keys); wrong ones are rejected', async () => {
    await fc.assert(
      fc.asyncProperty(
        passphraseArbitrary,
        fc.string({ minLength: 1, maxLength: 8 }),
        async (passphrase, suffix) => {
          const source = await sourceIdentity();
          const backupPath = join(root, `backup-${counter}.json`);
          await exportIdentityBackup(source, backupPath, passphrase, { scryptParams: FAST_SCRYPT });

          const wrong = otherMachine();
          const { profileDir, store } = wrong;
          await expect(
            importIdentityBackup({
              profileDir,
              store,
              backupPath,
              passphrase: passphrase + suffix,
            }),
          ).rejects.toBeInstanceOf(WrongPassphraseError);
          await expect(readdir(wrong.profileDir)).rejects.toMatchObject({ code: 'ENOENT' });

          const target = otherMachine();
          const imported = await importIdentityBackup({
            profileDir: target.profileDir,
            store: target.store,
            backupPath,
            passphrase,
          });
          expect(imported.keys.signPublic).toEqual(source.keys.signPublic);
          expect(imported.keys.kexPublic).toEqual(source.keys.kexPublic);
          expect(imported.record.handle).toBe(source.record.handle);
          expect(imported.record.protection).toBe('electron-safe-storage');

          // Restart on the other machine: load from disk, not from the import's result.
          const reopened = await openIdentity({
            profileDir: target.profileDir,
            prefer: 'os-keychain',
            safeStorage: target.safeStorage,
            platform: 'linux',
          });
          expect(reopened?.identity.keys.signPublic).toEqual(source.keys.signPublic);
          expect(reopened?.identity.keys.kexPublic).toEqual(source.keys.kexPublic);
          expect(reopened?.identity.record.endpointId).toBe(source.record.endpointId);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('production scrypt parameters: round trip, wrong passphrase rejected, params in the file', async () => {
    const source = await sourceIdentity('prod');
    const backupPath = join(root, 'backup-production.json');
    await exportIdentityBackup(source, backupPath, 'a long production passphrase');
    const file = JSON.parse(await readFile(backupPath, 'utf8')) as { kdf: Record<string, unknown> };
    expect(file.kdf).toMatchObject({ name: 'scrypt', ...PRODUCTION_SCRYPT_PARAMS });
    expect((await stat(backupPath)).mode & 0o777).toBe(0o600);
    const target = otherMachine();
    await expect(
      importIdentityBackup({ ...target, backupPath, passphrase: 'a long production passphrasE' }),
    ).rejects.toBeInstanceOf(WrongPassphraseError);
    const imported = await importIdentityBackup({
      ...target,
      backupPath,
      passphrase: 'a long production passphrase',
    });
    expect(imported.keys.signPublic).toEqual(source.keys.signPublic);
    expect(imported.keys.kexPublic).toEqual(source.keys.kexPublic);
  }, 60_000);

  it('the backup file holds no raw key bytes', async () => {
    const source = await sourceIdentity();
    const backupDir = await mkdtemp(join(root, 'scan-'));
    await exportIdentityBackup(source, join(backupDir, 'backup.json'), 'pw', {
      scryptParams: FAST_SCRYPT,
    });
    const secrets = [source.keys.signSeed, source.keys.kexPrivate, encodeSecretBlob(source.keys)];
    const { hits, filesScanned } = await scanForSecrets(backupDir, secrets);
    expect(filesScanned).toBe(1);
    expect(hits).toEqual([]);
  });

  it('editing the handle or a public key in the file makes the import fail', async () => {
    const source = await sourceIdentity('original');
    const backupPath = join(root, 'backup-tamper.json');
    await exportIdentityBackup(source, backupPath, 'pw', { scryptParams: FAST_SCRYPT });
    const text = await readFile(backupPath, 'utf8');
    await writeFile(backupPath, text.replace('"handle": "original"', '"handle": "mallory"'));
    await expect(
      importIdentityBackup({ ...otherMachine(), backupPath, passphrase: 'pw' }),
    ).rejects.toBeInstanceOf(WrongPassphraseError);
    const other = await sourceIdentity('other');
    const otherKex = Buffer.from(other.keys.kexPublic).toString('base64url');
    const ownKex = Buffer.from(source.keys.kexPublic).toString('base64url');
    await writeFile(backupPath, text.replace(ownKex, otherKex));
    await expect(
      importIdentityBackup({ ...otherMachine(), backupPath, passphrase: 'pw' }),
    ).rejects.toBeInstanceOf(WrongPassphraseError);
  });

  it('malformed backup files are BackupFormatError', async () => {
    const backupPath = join(root, 'backup-malformed.json');
    for (const content of ['', '{}', '{"format":"unibus-identity-backup","version":1}', 'null']) {
      await writeFile(backupPath, content);
      await expect(
        importIdentityBackup({ ...otherMachine(), backupPath, passphrase: 'pw' }),
      ).rejects.toBeInstanceOf(BackupFormatError);
    }
  });

  it('recovery: a corrupt profile is replaced by importing; without replace it is refused', async () => {
    const source = await sourceIdentity('recover');
    const backupPath = join(root, 'backup-recover.json');
    await exportIdentityBackup(source, backupPath, 'pw', { scryptParams: FAST_SCRYPT });

    const machine = otherMachine();
    await createIdentity(machine.profileDir, machine.store, 'someone-else');
    await writeFile(join(machine.profileDir, IDENTITY_FILE), '{"truncated":');
    const open = () =>
      openIdentity({
        profileDir: machine.profileDir,
        prefer: 'electron-safe-storage',
        safeStorage: machine.safeStorage,
        platform: 'linux',
        handle: 'would-regenerate',
      });
    await expect(open()).rejects.toBeInstanceOf(IdentityCorruptError);
    await expect(
      importIdentityBackup({ ...machine, backupPath, passphrase: 'pw' }),
    ).rejects.toBeInstanceOf(IdentityExistsError);
    await importIdentityBackup({ ...machine, backupPath, passphrase: 'pw', replace: true });
    const recovered = await open();
    expect(recovered?.created).toBe(false);
    expect(recovered?.identity.keys.signPublic).toEqual(source.keys.signPublic);
    expect(recovered?.identity.record.handle).toBe('recover');
  });
});
