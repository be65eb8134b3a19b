import { mkdir, mkdtemp, readdir, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ed25519Sign, ed25519Verify } from '../crypto';
import { endpointId } from './keys';
import {
  createIdentity,
  IDENTITY_FILE,
  IdentityCorruptError,
  IdentityExistsError,
  IdentitySecretMissingError,
  KeychainKeyStore,
  KeychainLockedError,
  KeychainUnavailableError,
  KeyStoreMismatchError,
  loadIdentity,
  openIdentity,
  openKeyStore,
  PASSPHRASE_SECRET_FILE,
  PassphraseFileKeyStore,
  PassphraseRequiredError,
  readIdentityRecord,
  SAFE_STORAGE_SECRET_FILE,
  SafeStorageBackendChangedError,
  SafeStorageKeyStore,
  SafeStorageUnavailableError,
  WrongPassphraseError,
  type KeyStore,
  type KeytarLike,
} from './index';
import { encodeSecretBlob } from './secret-blob';
import { FakeSafeStorage } from './test/fake-safe-storage';
import { scanForSecrets } from './test/scan';
import { checkKeyStoreContract } from './test/store-contract';

const FAST_SCRYPT = { N: 2 ** 10, r: 8, p: 1 };

let root: string;
let counter = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'unibus-identity-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function newProfileDir(): string {
  counter += 1;
  return join(root, `profile-${counter}`);
}

async function passphraseStore(
  profileDir: string,
  passphrase = 'correct horse',
): Promise<KeyStore> {
  return openKeyStore({
    profileDir,
    prefer: 'passphrase-file',
    passphrase,
    scryptParams: FAST_SCRYPT,
  });
}

/** A keytar double that fails every call with `message` (the strings libsecret really gives). */
function failingKeytar(message: string): () => Promise<KeytarLike> {
  const fail = () => Promise.reject(new Error(message));
  return async () => ({ getPassword: fail, setPassword: fail, deletePassword: fail });
}

/** In-memory keytar double that can be "locked" like libsecret (reads null, writes fail). */
class MemoryKeytar implements KeytarLike {
  locked = false;
  readonly entries = new Map<string, string>();
  async getPassword(service: string, account: string): Promise<string | null> {
    return this.locked ? null : (this.entries.get(`${service}/${account}`) ?? null);
  }
  async setPassword(service: string, account: string, password: string): Promise<void> {
    if (this.locked) throw new Error('Cannot create an item in a locked collection');
    this.entries.set(`${service}/${account}`, password);
  }
  async deletePassword(service: string, account: string): Promise<boolean> {
    return this.locked ? false : this.entries.delete(`${service}/${account}`);
  }
}

describe('first run and reload (passphrase-file)', () => {
  it('creates identity.json and a 0600 secret file, reloads the same keys, signs', async () => {
    const profileDir = newProfileDir();
    const created = await openIdentity({
      profileDir,
      prefer: 'passphrase-file',
      passphrase: 'pw one',
      scryptParams: FAST_SCRYPT,
      handle: 'alice',
    });
    expect(created?.created).toBe(true);
    expect(created?.store.protection).toBe('passphrase-file');
    expect((await readdir(profileDir)).sort()).toEqual(
      [IDENTITY_FILE, PASSPHRASE_SECRET_FILE].sort(),
    );
    for (const name of [IDENTITY_FILE, PASSPHRASE_SECRET_FILE]) {
      expect((await stat(join(profileDir, name))).mode & 0o777).toBe(0o600);
    }
    expect((await stat(profileDir)).mode & 0o777).toBe(0o700);

    const reopened = await openIdentity({
      profileDir,
      prefer: 'os-keychain',
      passphrase: 'pw one',
    });
    expect(reopened?.created).toBe(false);
    expect(reopened?.store.protection).toBe('passphrase-file'); // the recorded one, not `prefer`
    const { keys, record } = reopened!.identity;
    expect(record.handle).toBe('alice');
    expect(record.endpointId).toBe(endpointId(keys.signPublic));
    expect(record.endpointId).toHaveLength(43);
    expect(keys.signPublic).toEqual(created!.identity.keys.signPublic);
    expect(keys.kexPublic).toEqual(created!.identity.keys.kexPublic);
    const signature = ed25519Sign(keys.signSeed, new Uint8Array([1, 2, 3]));
    expect(ed25519Verify(record.signPublic, new Uint8Array([1, 2, 3]), signature)).toBe(true);
  });

  it('returns null for a fresh profile without a handle and creates nothing', async () => {
    const profileDir = newProfileDir();
    expect(
      await openIdentity({ profileDir, prefer: 'passphrase-file', passphrase: 'x' }),
    ).toBeNull();
    expect(await readdir(profileDir)).toEqual([]);
  });

  it('refuses to create over an existing identity', async () => {
    const profileDir = newProfileDir();
    const store = await passphraseStore(profileDir);
    await createIdentity(profileDir, store, 'bob');
    await expect(createIdentity(profileDir, store, 'bob')).rejects.toBeInstanceOf(
      IdentityExistsError,
    );
  });

  it('wrong passphrase on reload is WrongPassphraseError', async () => {
    const profileDir = newProfileDir();
    await createIdentity(profileDir, await passphraseStore(profileDir, 'right'), 'carol');
    await expect(
      openIdentity({ profileDir, prefer: 'passphrase-file', passphrase: 'wrong' }),
    ).rejects.toBeInstanceOf(WrongPassphraseError);
  });

  it('an existing passphrase-file identity without a passphrase asks for one', async () => {
    const profileDir = newProfileDir();
    await createIdentity(profileDir, await passphraseStore(profileDir), 'dave');
    await expect(openIdentity({ profileDir, prefer: 'os-keychain' })).rejects.toBeInstanceOf(
      PassphraseRequiredError,
    );
  });

  it('rejects bad handles', async () => {
    const profileDir = newProfileDir();
    const store = await passphraseStore(profileDir);
    for (const handle of ['', '   ', 'a\nb', 'x'.repeat(65)]) {
      await expect(createIdentity(profileDir, store, handle)).rejects.toBeInstanceOf(TypeError);
    }
  });
});

describe('never regenerated on a parse error', () => {
  async function createdProfile(): Promise<{
    profileDir: string;
    store: KeyStore;
    before: string;
  }> {
    const profileDir = newProfileDir();
    const store = await passphraseStore(profileDir);
    await createIdentity(profileDir, store, 'erin');
    return {
      profileDir,
      store,
      before: await readFile(join(profileDir, PASSPHRASE_SECRET_FILE), 'utf8'),
    };
  }

  const damages: Array<[string, (text: string) => string]> = [
    ['empty file', () => ''],
    ['truncated JSON', (text) => text.slice(0, text.length / 2)],
    ['not an object', () => '[]'],
    ['unknown version', (text) => text.replace('"version": 1', '"version": 2')],
    ['bad public key', (text) => text.replace(/"signPublic": "[^"]+"/, '"signPublic": "AAAA"')],
    ['unknown protection', (text) => text.replace('passphrase-file', 'plaintext')],
  ];

  for (const [name, damage] of damages) {
    it(`identity.json ${name} → IdentityCorruptError, nothing rewritten`, async () => {
      const { profileDir, before } = await createdProfile();
      const path = join(profileDir, IDENTITY_FILE);
      await writeFile(path, damage(await readFile(path, 'utf8')));
      const damaged = await readFile(path, 'utf8');
      const attempt = openIdentity({
        profileDir,
        prefer: 'passphrase-file',
        passphrase: 'correct horse',
        scryptParams: FAST_SCRYPT,
        handle: 'erin',
      });
      await expect(attempt).rejects.toBeInstanceOf(IdentityCorruptError);
      await expect(attempt).rejects.toMatchObject({ path });
      expect(await readFile(path, 'utf8')).toBe(damaged);
      expect(await readFile(join(profileDir, PASSPHRASE_SECRET_FILE), 'utf8')).toBe(before);
    });
  }

  it('damaged secret file → IdentityCorruptError', async () => {
    const { profileDir } = await createdProfile();
    await writeFile(join(profileDir, PASSPHRASE_SECRET_FILE), '{"format":');
    await expect(
      openIdentity({ profileDir, prefer: 'passphrase-file', passphrase: 'correct horse' }),
    ).rejects.toBeInstanceOf(IdentityCorruptError);
  });

  it('missing secret → IdentitySecretMissingError, identity.json kept', async () => {
    const { profileDir } = await createdProfile();
    await unlink(join(profileDir, PASSPHRASE_SECRET_FILE));
    const attempt = openIdentity({
      profileDir,
      prefer: 'passphrase-file',
      passphrase: 'correct horse',
      handle: 'erin',
    });
    await expect(attempt).rejects.toBeInstanceOf(IdentitySecretMissingError);
    expect(await readIdentityRecord(profileDir)).not.toBeNull();
    expect(await readdir(profileDir)).toEqual([IDENTITY_FILE]);
  });

  it('a secret that does not match the public record → IdentityCorruptError', async () => {
    const { profileDir, store } = await createdProfile();
    const record = await readIdentityRecord(profileDir);
    const otherDir = newProfileDir();
    const other = await createIdentity(otherDir, await passphraseStore(otherDir), 'x');
    await store.put(record!.secretAccount, encodeSecretBlob(other.keys));
    await expect(loadIdentity(profileDir, store)).rejects.toBeInstanceOf(IdentityCorruptError);
  });

  it('a store of another protection than recorded → KeyStoreMismatchError', async () => {
    const { profileDir } = await createdProfile();
    const safe = new SafeStorageKeyStore(profileDir, new FakeSafeStorage(), 'linux');
    await expect(loadIdentity(profileDir, safe)).rejects.toBeInstanceOf(KeyStoreMismatchError);
  });
});

describe('openKeyStore selection (no silent downgrade)', () => {
  it('keychain module missing → PassphraseRequiredError without a passphrase', async () => {
    const attempt = openKeyStore({
      profileDir: newProfileDir(),
      prefer: 'os-keychain',
      keychain: { load: () => Promise.reject(new KeychainUnavailableError('no keytar')) },
    });
    await expect(attempt).rejects.toBeInstanceOf(PassphraseRequiredError);
    await expect(attempt).rejects.toMatchObject({ cause: expect.any(KeychainUnavailableError) });
  });

  it('keychain unusable + passphrase → passphrase-file, and it says so', async () => {
    const store = await openKeyStore({
      profileDir: newProfileDir(),
      prefer: 'os-keychain',
      passphrase: 'chosen by the user',
      keychain: { load: failingKeytar('Cannot autolaunch D-Bus without X11 $DISPLAY') },
    });
    expect(store).toBeInstanceOf(PassphraseFileKeyStore);
    expect(store.protection).toBe('passphrase-file');
  });

  it('exact: the recorded protection failing is thrown as is', async () => {
    await expect(
      openKeyStore({
        profileDir: newProfileDir(),
        prefer: 'os-keychain',
        exact: true,
        passphrase: 'given',
        keychain: { load: failingKeytar('Cannot create an item in a locked collection') },
      }),
    ).rejects.toBeInstanceOf(KeychainLockedError);
  });

  it('maps the libsecret messages to typed errors', async () => {
    const cases: Array<[string, unknown]> = [
      ['Cannot autolaunch D-Bus without X11 $DISPLAY', KeychainUnavailableError],
      [
        'The name org.freedesktop.secrets was not provided by any .service files',
        KeychainUnavailableError,
      ],
      [
        'Object does not exist at path “/org/freedesktop/secrets/collection/login”',
        KeychainUnavailableError,
      ],
      ['Cannot create an item in a locked collection', KeychainLockedError],
      ['Prompt dismissed', KeychainLockedError],
      ['User canceled the operation.', KeychainLockedError],
    ];
    for (const [message, type] of cases) {
      await expect(KeychainKeyStore.open({ load: failingKeytar(message) })).rejects.toBeInstanceOf(
        type,
      );
    }
  });

  it('a locked keychain reading null is reported as locked, not as a missing secret', async () => {
    const keytar = new MemoryKeytar();
    const profileDir = newProfileDir();
    const store = await openKeyStore({
      profileDir,
      prefer: 'os-keychain',
      keychain: { service: 'unit', load: async () => keytar },
    });
    const created = await createIdentity(profileDir, store, 'frank');
    keytar.locked = true;
    await expect(loadIdentity(profileDir, store)).rejects.toBeInstanceOf(KeychainLockedError);
    keytar.locked = false;
    const loaded = await loadIdentity(profileDir, store);
    expect(loaded?.keys.signPublic).toEqual(created.keys.signPublic);
    keytar.entries.clear();
    await expect(loadIdentity(profileDir, store)).rejects.toBeInstanceOf(
      IdentitySecretMissingError,
    );
  });

  it('safe storage is refused outside Electron and on basic_text, with fallback only by passphrase', async () => {
    const profileDir = newProfileDir();
    await expect(
      openKeyStore({ profileDir, prefer: 'electron-safe-storage' }),
    ).rejects.toBeInstanceOf(PassphraseRequiredError);
    const basic = new FakeSafeStorage();
    basic.backend = 'basic_text';
    await expect(
      openKeyStore({
        profileDir,
        prefer: 'electron-safe-storage',
        safeStorage: basic,
        platform: 'linux',
        exact: true,
      }),
    ).rejects.toBeInstanceOf(SafeStorageUnavailableError);
    const unavailable = new FakeSafeStorage();
    unavailable.available = false;
    expect(() => new SafeStorageKeyStore(profileDir, unavailable, 'darwin')).toThrow(
      SafeStorageUnavailableError,
    );
    const fallback = await openKeyStore({
      profileDir,
      prefer: 'electron-safe-storage',
      safeStorage: basic,
      platform: 'linux',
      passphrase: 'explicit',
      scryptParams: FAST_SCRYPT,
    });
    expect(fallback.protection).toBe('passphrase-file');
  });
});

describe('electron-safe-storage backend (fake safeStorage)', () => {
  it('round-trips through the ciphertext file and reloads with the same keys', async () => {
    const profileDir = newProfileDir();
    const safeStorage = new FakeSafeStorage();
    const created = await openIdentity({
      profileDir,
      prefer: 'electron-safe-storage',
      safeStorage,
      platform: 'linux',
      handle: 'grace',
    });
    expect(created?.store.protection).toBe('electron-safe-storage');
    expect((await readdir(profileDir)).sort()).toEqual(
      [IDENTITY_FILE, SAFE_STORAGE_SECRET_FILE].sort(),
    );
    expect((await stat(join(profileDir, SAFE_STORAGE_SECRET_FILE))).mode & 0o777).toBe(0o600);
    const again = await openIdentity({
      profileDir,
      prefer: 'os-keychain',
      safeStorage,
      platform: 'linux',
    });
    expect(again?.identity.keys.kexPublic).toEqual(created?.identity.keys.kexPublic);
  });

  it('a changed backend is a typed error and the secret file is untouched', async () => {
    const profileDir = newProfileDir();
    const safeStorage = new FakeSafeStorage();
    await openIdentity({
      profileDir,
      prefer: 'electron-safe-storage',
      safeStorage,
      platform: 'linux',
      handle: 'h',
    });
    const before = await readFile(join(profileDir, SAFE_STORAGE_SECRET_FILE), 'utf8');
    safeStorage.backend = 'kwallet6';
    await expect(
      openIdentity({ profileDir, prefer: 'electron-safe-storage', safeStorage, platform: 'linux' }),
    ).rejects.toBeInstanceOf(SafeStorageBackendChangedError);
    safeStorage.backend = 'basic_text';
    await expect(
      openIdentity({
        profileDir,
        prefer: 'electron-safe-storage',
        safeStorage,
        platform: 'linux',
        passphrase: 'p',
      }),
    ).rejects.toBeInstanceOf(SafeStorageUnavailableError);
    expect(await readFile(join(profileDir, SAFE_STORAGE_SECRET_FILE), 'utf8')).toBe(before);
  });

  it('an OS key that no longer decrypts → IdentityCorruptError (recovery: backup)', async () => {
    const profileDir = newProfileDir();
    await openIdentity({
      profileDir,
      prefer: 'electron-safe-storage',
      safeStorage: new FakeSafeStorage(),
      platform: 'linux',
      handle: 'h',
    });
    await expect(
      openIdentity({
        profileDir,
        prefer: 'electron-safe-storage',
        safeStorage: new FakeSafeStorage(),
        platform: 'linux',
      }),
    ).rejects.toBeInstanceOf(IdentityCorruptError);
  });
});

describe('no raw key bytes in the profile', () => {
  const backends: Array<[string, (profileDir: string) => Promise<KeyStore>]> = [
    ['passphrase-file', (profileDir) => passphraseStore(profileDir)],
    [
      'electron-safe-storage',
      async (profileDir) => new SafeStorageKeyStore(profileDir, new FakeSafeStorage(), 'linux'),
    ],
    [
      'os-keychain (in-memory keytar double)',
      async () => KeychainKeyStore.open({ service: 'scan', load: async () => new MemoryKeytar() }),
    ],
  ];
  for (const [name, open] of backends) {
    it(`${name}: hex/base64/base64url/raw of each private key found nowhere`, async () => {
      const profileDir = newProfileDir();
      const store = await open(profileDir);
      const { keys } = await createIdentity(profileDir, store, 'scan');
      const loaded = await loadIdentity(profileDir, store);
      expect(loaded?.keys.signSeed).toEqual(keys.signSeed);
      const secrets = [keys.signSeed, keys.kexPrivate, encodeSecretBlob(keys)];
      const { hits, filesScanned } = await scanForSecrets(profileDir, secrets);
      expect(filesScanned).toBeGreaterThanOrEqual(1);
      expect(hits).toEqual([]);
      // The scan itself finds a planted key (so an empty result means something).
      await writeFile(join(profileDir, 'planted'), Buffer.from(keys.kexPrivate).toString('base64'));
      const planted = (await scanForSecrets(profileDir, secrets)).hits;
      expect(planted.length).toBeGreaterThan(0);
      expect(planted.every((hit) => hit.startsWith(join(profileDir, 'planted')))).toBe(true);
    });
  }
});

describe('key-store contract (create, read, rotate, delete, restart)', () => {
  it('passphrase-file', async () => {
    const profileDir = newProfileDir();
    await mkdir(profileDir);
    await checkKeyStoreContract(() => passphraseStore(profileDir));
  });

  it('electron-safe-storage (fake safeStorage)', async () => {
    const profileDir = newProfileDir();
    await mkdir(profileDir);
    const safeStorage = new FakeSafeStorage();
    await checkKeyStoreContract(
      async () => new SafeStorageKeyStore(profileDir, safeStorage, 'linux'),
    );
  });

  it('os-keychain (in-memory keytar double)', async () => {
    const keytar = new MemoryKeytar();
    await checkKeyStoreContract(() =>
      KeychainKeyStore.open({ service: 'contract', load: async () => keytar }),
    );
  });

  it('file stores never delete a damaged secret file', async () => {
    const profileDir = newProfileDir();
    await mkdir(profileDir);
    for (const [name, store] of [
      [PASSPHRASE_SECRET_FILE, await passphraseStore(profileDir)],
      [
        SAFE_STORAGE_SECRET_FILE,
        new SafeStorageKeyStore(profileDir, new FakeSafeStorage(), 'linux'),
      ],
    ] as const) {
      await writeFile(join(profileDir, name), '{"account": "identity/x", "cipher');
      await expect(store.delete('identity/x')).rejects.toBeInstanceOf(IdentityCorruptError);
      expect(await readFile(join(profileDir, name), 'utf8')).toContain('cipher');
    }
  });
});
