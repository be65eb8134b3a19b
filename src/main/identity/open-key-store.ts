/**
 * Explicit key-store selection. The caller names the protection it prefers; a passphrase, when
 * given, is the user's explicit consent to the passphrase-file protection if the preferred one
 * is unusable. Without one, an unusable preference is `PassphraseRequiredError` (ask the user),
 * never a silent downgrade. The returned store reports the protection in force.
 */
import type { ScryptParams } from './keys';
import {
  KeychainLockedError,
  KeychainUnavailableError,
  PassphraseRequiredError,
  SafeStorageUnavailableError,
} from './errors';
import { KeychainKeyStore, type KeychainOptions } from './keychain-store';
import { PassphraseFileKeyStore } from './passphrase-file-store';
import { SafeStorageKeyStore, type SafeStorageLike } from './safe-storage-store';
import type { KeyProtection, KeyStore } from './types';

export interface OpenKeyStoreOptions {
  /** Profile directory holding file-backed secrets (must exist). */
  readonly profileDir: string;
  /** The protection to use when it works. */
  readonly prefer: KeyProtection;
  /**
   * When true, only `prefer` is acceptable (an existing identity recorded it): its failure is
   * thrown as is and the passphrase is used only if `prefer` is 'passphrase-file'.
   */
  readonly exact?: boolean;
  /** User-chosen passphrase: enables the passphrase-file protection. */
  readonly passphrase?: string;
  /** Electron's `safeStorage`, passed in by the Electron host only. */
  readonly safeStorage?: SafeStorageLike;
  /** Keychain service name and keytar loader (tests). */
  readonly keychain?: KeychainOptions;
  /** scrypt cost for new passphrase-file writes (tests pass reduced ones). */
  readonly scryptParams?: ScryptParams;
  /** Platform for the safeStorage backend check (tests). */
  readonly platform?: NodeJS.Platform;
}

/** Errors meaning "this protection is not usable here" (as opposed to I/O or bugs). */
function isUnusable(error: unknown): boolean {
  return (
    error instanceof KeychainUnavailableError ||
    error instanceof KeychainLockedError ||
    error instanceof SafeStorageUnavailableError
  );
}

function passphraseStore(options: OpenKeyStoreOptions, cause?: unknown): KeyStore {
  if (options.passphrase === undefined || options.passphrase === '') {
    const why = cause instanceof Error ? `: ${cause.message}` : '';
    throw new PassphraseRequiredError(
      `no key protection is usable without a passphrase (preferred ${options.prefer}${why}); ask the user for one`,
      { cause },
    );
  }
  return new PassphraseFileKeyStore(options.profileDir, options.passphrase, options.scryptParams);
}

async function openPreferred(options: OpenKeyStoreOptions): Promise<KeyStore> {
  switch (options.prefer) {
    case 'os-keychain':
      return KeychainKeyStore.open(options.keychain);
    case 'electron-safe-storage':
      if (options.safeStorage === undefined) {
        throw new SafeStorageUnavailableError('safeStorage exists only inside the Electron host');
      }
      return new SafeStorageKeyStore(options.profileDir, options.safeStorage, options.platform);
    case 'passphrase-file':
      return passphraseStore(options);
  }
}

export async function openKeyStore(options: OpenKeyStoreOptions): Promise<KeyStore> {
  try {
    return await openPreferred(options);
  } catch (error) {
    if (options.exact === true || !isUnusable(error)) throw error;
    return passphraseStore(options, error);
  }
}
