/**
 * Key store backend "electron-safe-storage": the secret encrypted by Electron `safeStorage`
 * (OS-held key: macOS Keychain, Windows DPAPI, Linux libsecret/kwallet), ciphertext kept in a
 * 0600 profile file written atomically.
 *
 * Plain Node code never imports 'electron': the Electron host passes its `safeStorage` object
 * in. `basic_text` (a hard-coded password) and an unavailable encryptor are refused — accepting
 * them would be a silent downgrade (reliability-anchors.md §2.1–2.2). The backend in use is
 * recorded; if it changes between launches the secret is not touched and a typed error asks
 * for the old backend or a backup (Signal#7944, flathub#753).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeSecretFileAtomic } from '../base/atomic-file';
import { KeyedSequencer } from '../base/keyed-sequencer';
import {
  FormatError,
  fromBase64Url,
  integerField,
  parseJsonObject,
  stringField,
  toBase64Url,
} from './encoding';
import {
  IdentityCorruptError,
  SafeStorageBackendChangedError,
  SafeStorageUnavailableError,
} from './errors';
import type { KeyStore } from './types';
import { deleteSecretFile } from './secret-file';

/** The subset of Electron's `safeStorage` this backend uses (injected by the Electron host). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Uint8Array;
  decryptString(encrypted: Buffer): string;
  /** Linux only in Electron; required there. */
  getSelectedStorageBackend?(): string;
}

export const SAFE_STORAGE_SECRET_FILE = 'identity-secret.safestorage.json';
const FORMAT = 'unibus-safestorage-secret';
const VERSION = 1;
/** Linux backends that do not protect anything, or are not decided yet (before app 'ready'). */
const REFUSED_LINUX_BACKENDS = new Set(['basic_text', 'unknown', 'plaintext', '']);

/** Name of the backend in force, or throws SafeStorageUnavailableError. */
export function selectedSafeStorageBackend(
  safeStorage: SafeStorageLike,
  platform: NodeJS.Platform = process.platform,
): string {
  if (!safeStorage.isEncryptionAvailable()) {
    throw new SafeStorageUnavailableError('safeStorage encryption is not available');
  }
  if (platform !== 'linux') return platform === 'darwin' ? 'macos-keychain' : `${platform}-os`;
  if (typeof safeStorage.getSelectedStorageBackend !== 'function') {
    throw new SafeStorageUnavailableError('safeStorage backend cannot be identified on Linux');
  }
  const backend = safeStorage.getSelectedStorageBackend();
  if (REFUSED_LINUX_BACKENDS.has(backend)) {
    throw new SafeStorageUnavailableError(
      `safeStorage backend "${backend}" does not protect secrets; refusing it`,
    );
  }
  return backend;
}

export class SafeStorageKeyStore implements KeyStore {
  readonly protection = 'electron-safe-storage' as const;
  readonly #path: string;
  /** put/get/delete share one file: they run one at a time. */
  readonly #queue = new KeyedSequencer();
  readonly #safeStorage: SafeStorageLike;
  readonly #backend: string;

  /** Throws SafeStorageUnavailableError when safeStorage would not really protect the secret. */
  constructor(profileDir: string, safeStorage: SafeStorageLike, platform?: NodeJS.Platform) {
    this.#backend = selectedSafeStorageBackend(safeStorage, platform);
    this.#path = join(profileDir, SAFE_STORAGE_SECRET_FILE);
    this.#safeStorage = safeStorage;
  }

  /** The safeStorage backend in force (e.g. "gnome_libsecret"). */
  get backend(): string {
    return this.#backend;
  }

  put(account: string, secret: Uint8Array): Promise<void> {
    return this.#queue.run('file', () => this.#put(account, secret));
  }

  async #put(account: string, secret: Uint8Array): Promise<void> {
    const ciphertext = this.#safeStorage.encryptString(toBase64Url(secret));
    const file = {
      format: FORMAT,
      version: VERSION,
      backend: this.#backend,
      account,
      ciphertext: toBase64Url(ciphertext),
    };
    await writeSecretFileAtomic(this.#path, `${JSON.stringify(file, null, 2)}\n`);
  }

  get(account: string): Promise<Uint8Array | null> {
    return this.#queue.run('file', () => this.#get(account));
  }

  async #get(account: string): Promise<Uint8Array | null> {
    let text: string;
    try {
      text = await readFile(this.#path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    let stored: { backend: string; account: string; ciphertext: Uint8Array };
    try {
      const object = parseJsonObject(text);
      if (stringField(object, 'format') !== FORMAT || integerField(object, 'version') !== VERSION) {
        throw new FormatError('not a unibus safeStorage secret file (v1)');
      }
      stored = {
        backend: stringField(object, 'backend'),
        account: stringField(object, 'account'),
        ciphertext: fromBase64Url(object['ciphertext'], 'ciphertext'),
      };
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      throw this.#corrupt(error.message, error);
    }
    if (stored.account !== account) return null;
    if (stored.backend !== this.#backend) {
      throw new SafeStorageBackendChangedError(stored.backend, this.#backend);
    }
    let plain: string;
    try {
      plain = this.#safeStorage.decryptString(Buffer.from(stored.ciphertext));
    } catch (error) {
      throw this.#corrupt('safeStorage could not decrypt the secret', error);
    }
    try {
      return fromBase64Url(plain, 'secret');
    } catch (error) {
      throw this.#corrupt('safeStorage returned a malformed secret', error);
    }
  }

  delete(account: string): Promise<void> {
    return this.#queue.run('file', () => this.#delete(account));
  }

  async #delete(account: string): Promise<void> {
    await deleteSecretFile(this.#path, account);
  }

  #corrupt(message: string, cause: unknown): IdentityCorruptError {
    return new IdentityCorruptError(message, this.#path, { cause });
  }
}
