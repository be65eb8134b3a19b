/**
 * @module identity — the one public entry for the local identity and its key storage.
 *
 * Typical startup (see README.md):
 *   const opened = await openIdentity({ profileDir, prefer: 'os-keychain', handle });
 *   // PassphraseRequiredError → ask the user for a passphrase, call again with `passphrase`
 *   // IdentityCorruptError / IdentitySecretMissingError → offer importIdentityBackup(...)
 */
export type { KeyProtection, KeyStore } from './types';
export { KEY_PROTECTIONS } from './types';
export {
  BackupFormatError,
  IdentityCorruptError,
  IdentityError,
  IdentityExistsError,
  IdentitySecretMissingError,
  KeychainLockedError,
  KeychainUnavailableError,
  KeyStoreMismatchError,
  PassphraseRequiredError,
  SafeStorageBackendChangedError,
  SafeStorageUnavailableError,
  WrongPassphraseError,
} from './errors';
export type { IdentityKeyPairs, ScryptParams } from './keys';
export { PRODUCTION_SCRYPT_PARAMS } from './keys';
export { openKeyStore, type OpenKeyStoreOptions } from './open-key-store';
export {
  DEFAULT_KEYCHAIN_SERVICE,
  KeychainKeyStore,
  type KeychainOptions,
  type KeytarLike,
} from './keychain-store';
export { PASSPHRASE_SECRET_FILE, PassphraseFileKeyStore } from './passphrase-file-store';
export {
  SAFE_STORAGE_SECRET_FILE,
  SafeStorageKeyStore,
  type SafeStorageLike,
} from './safe-storage-store';
export {
  createIdentity,
  IDENTITY_FILE,
  loadIdentity,
  openIdentity,
  readIdentityRecord,
  type Identity,
  type IdentityRecord,
  type OpenIdentityOptions,
} from './identity';
export { exportIdentityBackup, importIdentityBackup } from './backup';
