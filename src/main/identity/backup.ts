/**
 * Encrypted identity backup: one JSON file holding the handle and public keys in clear (so a
 * user can see whose backup it is) and the secret sealed under a passphrase (scrypt +
 * XChaCha20-Poly1305, passphrase-envelope.ts). The AAD binds the handle and both public keys,
 * so editing them in the file makes the import fail. Importing on another machine restores the
 * same key pairs, hence the same public keys and endpoint id.
 */
import { readFile } from 'node:fs/promises';
import { writeSecretFileAtomic } from '../base/atomic-file';
import { constantTimeEqual, endpointId, PRODUCTION_SCRYPT_PARAMS, type ScryptParams } from './keys';
import {
  FormatError,
  fromBase64Url,
  integerField,
  parseJsonObject,
  stringField,
  toBase64Url,
} from './encoding';
import { BackupFormatError } from './errors';
import { commitIdentity, type Identity } from './identity';
import { openWithPassphrase, parseEnvelope, sealWithPassphrase } from './passphrase-envelope';
import { decodeSecretBlob, encodeSecretBlob } from './secret-blob';
import type { KeyStore } from './types';

const FORMAT = 'unibus-identity-backup';
const VERSION = 1;

function backupContext(handle: string, signPublic: string, kexPublic: string): string {
  return JSON.stringify({ handle, signPublic, kexPublic });
}

/**
 * Writes an encrypted backup of `identity` to `backupPath` (atomically, mode 0600).
 * @param options.scryptParams scrypt cost; production default, tests pass reduced ones
 */
export async function exportIdentityBackup(
  identity: Identity,
  backupPath: string,
  passphrase: string,
  options: { readonly scryptParams?: ScryptParams } = {},
): Promise<void> {
  const { handle } = identity.record;
  const signPublic = toBase64Url(identity.keys.signPublic);
  const kexPublic = toBase64Url(identity.keys.kexPublic);
  const blob = encodeSecretBlob(identity.keys);
  try {
    const envelope = await sealWithPassphrase({
      format: FORMAT,
      version: VERSION,
      context: backupContext(handle, signPublic, kexPublic),
      passphrase,
      params: options.scryptParams ?? PRODUCTION_SCRYPT_PARAMS,
      plaintext: blob,
    });
    const file = {
      format: FORMAT,
      version: VERSION,
      handle,
      endpointId: identity.record.endpointId,
      signPublic,
      kexPublic,
      ...envelope,
    };
    await writeSecretFileAtomic(backupPath, `${JSON.stringify(file, null, 2)}\n`);
  } finally {
    blob.fill(0);
  }
}

/**
 * Restores an identity from a backup into `profileDir`, with its secret under `store`.
 * Throws WrongPassphraseError, BackupFormatError, or IdentityExistsError when the profile
 * already has an identity and `replace` is not set (replace is the recovery path for a
 * corrupt or secret-less profile).
 */
export async function importIdentityBackup(args: {
  readonly profileDir: string;
  readonly backupPath: string;
  readonly passphrase: string;
  readonly store: KeyStore;
  readonly replace?: boolean;
}): Promise<Identity> {
  const text = await readFile(args.backupPath, 'utf8');
  let parsed: {
    handle: string;
    signPublic: string;
    kexPublic: string;
    envelope: ReturnType<typeof parseEnvelope>;
  };
  try {
    const object = parseJsonObject(text);
    if (stringField(object, 'format') !== FORMAT || integerField(object, 'version') !== VERSION) {
      throw new FormatError('not a unibus identity backup (v1)');
    }
    parsed = {
      handle: stringField(object, 'handle'),
      signPublic: stringField(object, 'signPublic'),
      kexPublic: stringField(object, 'kexPublic'),
      envelope: parseEnvelope(object),
    };
    fromBase64Url(parsed.signPublic, 'signPublic', 32);
    fromBase64Url(parsed.kexPublic, 'kexPublic', 32);
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    throw new BackupFormatError(`backup file is damaged: ${error.message}`, { cause: error });
  }
  const blob = await openWithPassphrase({
    format: FORMAT,
    version: VERSION,
    context: backupContext(parsed.handle, parsed.signPublic, parsed.kexPublic),
    passphrase: args.passphrase,
    envelope: parsed.envelope,
  });
  let keys;
  try {
    keys = decodeSecretBlob(blob);
  } catch (error) {
    throw new BackupFormatError('backup secret has an unknown layout', { cause: error });
  } finally {
    blob.fill(0);
  }
  if (
    !constantTimeEqual(keys.signPublic, fromBase64Url(parsed.signPublic, 'signPublic')) ||
    !constantTimeEqual(keys.kexPublic, fromBase64Url(parsed.kexPublic, 'kexPublic'))
  ) {
    throw new BackupFormatError('backup secret does not match its public keys');
  }
  const identity = await commitIdentity(args.profileDir, args.store, parsed.handle, keys, {
    replace: args.replace ?? false,
  });
  if (identity.record.endpointId !== endpointId(keys.signPublic)) {
    throw new BackupFormatError('endpoint id mismatch after import');
  }
  return identity;
}
