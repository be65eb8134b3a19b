/**
 * Typed identity and key-store errors. None of them ever carries key material or a passphrase;
 * messages name files and protections only.
 */
import type { KeyProtection } from './types';

/** Base class, so callers can branch on `instanceof IdentityError` first. */
export class IdentityError extends Error {
  override readonly name: string = 'IdentityError';
}

/**
 * identity.json (or a secret file) exists but cannot be parsed or does not match its secret.
 * Never answered by regenerating: the recovery path is importing a backup.
 */
export class IdentityCorruptError extends IdentityError {
  override readonly name: string = 'IdentityCorruptError';
  constructor(
    message: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** identity.json exists but the key store holds no secret for it. Recovery: import a backup. */
export class IdentitySecretMissingError extends IdentityError {
  override readonly name: string = 'IdentitySecretMissingError';
  constructor(readonly protection: KeyProtection) {
    super(`identity secret is missing from the ${protection} store; import a backup`);
  }
}

/** The profile already holds an identity; creation or import would overwrite it. */
export class IdentityExistsError extends IdentityError {
  override readonly name: string = 'IdentityExistsError';
}

/** identity.json says the secret is under one protection, but a store of another was opened. */
export class KeyStoreMismatchError extends IdentityError {
  override readonly name: string = 'KeyStoreMismatchError';
  constructor(
    readonly recorded: KeyProtection,
    readonly opened: KeyProtection,
  ) {
    super(`identity secret is protected by ${recorded}, but a ${opened} store was opened`);
  }
}

/** No usable OS keychain: keytar not installed, no D-Bus session, or no Secret Service. */
export class KeychainUnavailableError extends IdentityError {
  override readonly name: string = 'KeychainUnavailableError';
}

/** The keychain exists but is locked, or the unlock/creation prompt was dismissed. */
export class KeychainLockedError extends IdentityError {
  override readonly name: string = 'KeychainLockedError';
}

/**
 * Electron safeStorage cannot protect secrets here: encryption unavailable, or only the
 * `basic_text`/plaintext backend (a hard-coded password — that would be a silent downgrade).
 */
export class SafeStorageUnavailableError extends IdentityError {
  override readonly name: string = 'SafeStorageUnavailableError';
}

/** The secret was written under one safeStorage backend and the app now runs under another. */
export class SafeStorageBackendChangedError extends IdentityError {
  override readonly name: string = 'SafeStorageBackendChangedError';
  constructor(
    readonly recorded: string,
    readonly current: string,
  ) {
    super(
      `safeStorage backend changed from ${recorded} to ${current}; relaunch with the old one or import a backup`,
    );
  }
}

/**
 * No protection is usable without asking the user: the preferred one failed (see `cause`) and
 * no passphrase was supplied. The caller asks the user for a passphrase and opens again.
 */
export class PassphraseRequiredError extends IdentityError {
  override readonly name: string = 'PassphraseRequiredError';
}

/** A passphrase-encrypted file (secret file or backup) did not authenticate. */
export class WrongPassphraseError extends IdentityError {
  override readonly name: string = 'WrongPassphraseError';
}

/** A backup file is not a unibus identity backup, or is damaged. */
export class BackupFormatError extends IdentityError {
  override readonly name: string = 'BackupFormatError';
}
