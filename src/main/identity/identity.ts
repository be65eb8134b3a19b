/**
 * The local identity: Ed25519 (signing) + X25519 (key agreement) key pairs and a handle.
 *
 * Files in the profile: `identity.json` (public record, see {@link IdentityRecord}) plus, for
 * the file-backed protections, one secret file. Creation order is the crash-safety argument:
 * the secret is written to the key store first, `identity.json` is written atomically last and
 * is the commit marker. A crash leaves either no identity.json (no identity; creation starts
 * over and overwrites the orphaned secret) or a complete identity.
 *
 * Never regenerated on a parse error: a damaged identity.json is `IdentityCorruptError`, a
 * missing secret is `IdentitySecretMissingError`; the recovery path is importing a backup.
 */
import { handleProblem } from '../protocol';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { removeStaleTempFiles, writeSecretFileAtomic } from '../base/atomic-file';
import {
  constantTimeEqual,
  endpointId,
  generateIdentityKeyPairs,
  type IdentityKeyPairs,
} from './keys';
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
  IdentityExistsError,
  IdentitySecretMissingError,
  KeyStoreMismatchError,
} from './errors';
import { openKeyStore, type OpenKeyStoreOptions } from './open-key-store';
import { PASSPHRASE_SECRET_FILE } from './passphrase-file-store';
import { SAFE_STORAGE_SECRET_FILE } from './safe-storage-store';
import { decodeSecretBlob, encodeSecretBlob } from './secret-blob';
import { KEY_PROTECTIONS, type KeyProtection, type KeyStore } from './types';

export const IDENTITY_FILE = 'identity.json';
const FORMAT = 'unibus-identity';
const VERSION = 1;

/** The public identity record stored in identity.json. Holds no secret. */
export interface IdentityRecord {
  readonly handle: string;
  readonly endpointId: string;
  readonly signPublic: Uint8Array;
  readonly kexPublic: Uint8Array;
  /** Which protection holds the secret. */
  readonly protection: KeyProtection;
  /** The key-store account holding the secret. */
  readonly secretAccount: string;
  readonly createdAt: string;
}

/** A loaded identity: the public record and the key pairs (secrets stay in main). */
export interface Identity {
  readonly record: IdentityRecord;
  readonly keys: IdentityKeyPairs;
}

/** Throws TypeError unless `handle` follows the identity-card rules (docs/PROTOCOL.md). */
export function assertHandle(handle: unknown): asserts handle is string {
  const problem = handleProblem(handle);
  if (problem !== undefined) throw new TypeError(problem);
}

function identityPath(profileDir: string): string {
  return join(profileDir, IDENTITY_FILE);
}

function serializeRecord(record: IdentityRecord): string {
  const json = {
    format: FORMAT,
    version: VERSION,
    handle: record.handle,
    endpointId: record.endpointId,
    signPublic: toBase64Url(record.signPublic),
    kexPublic: toBase64Url(record.kexPublic),
    protection: record.protection,
    secretAccount: record.secretAccount,
    createdAt: record.createdAt,
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

function parseRecord(text: string): IdentityRecord {
  const object = parseJsonObject(text);
  if (stringField(object, 'format') !== FORMAT) throw new FormatError('not a unibus identity');
  if (integerField(object, 'version') !== VERSION) throw new FormatError('unsupported version');
  const handle = stringField(object, 'handle');
  try {
    assertHandle(handle);
  } catch (error) {
    throw new FormatError((error as Error).message);
  }
  const protection = stringField(object, 'protection') as KeyProtection;
  if (!KEY_PROTECTIONS.includes(protection)) throw new FormatError('unknown protection');
  const signPublic = fromBase64Url(object['signPublic'], 'signPublic', 32);
  const record: IdentityRecord = {
    handle,
    endpointId: stringField(object, 'endpointId'),
    signPublic,
    kexPublic: fromBase64Url(object['kexPublic'], 'kexPublic', 32),
    protection,
    secretAccount: stringField(object, 'secretAccount'),
    createdAt: stringField(object, 'createdAt'),
  };
  if (record.endpointId !== endpointId(signPublic)) {
    throw new FormatError('endpointId does not match signPublic');
  }
  return record;
}

/**
 * Reads identity.json. Resolves null when there is none (first run); throws
 * `IdentityCorruptError` when it exists but cannot be parsed.
 */
export async function readIdentityRecord(profileDir: string): Promise<IdentityRecord | null> {
  const path = identityPath(profileDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    return parseRecord(text);
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    throw new IdentityCorruptError(`identity.json is damaged: ${error.message}`, path, {
      cause: error,
    });
  }
}

/** Key-store account for an identity's secret; stable across profile moves. */
export function secretAccountFor(endpoint: string): string {
  return `identity/${endpoint}`;
}

/**
 * Stores `keys` under `store` and commits identity.json last. Shared by creation and import.
 * `replace` allows overwriting an existing identity.json (recovery by import).
 */
export async function commitIdentity(
  profileDir: string,
  store: KeyStore,
  handle: string,
  keys: IdentityKeyPairs,
  options: { readonly replace?: boolean } = {},
): Promise<Identity> {
  assertHandle(handle);
  await mkdir(profileDir, { recursive: true, mode: 0o700 });
  await removeStaleTempFiles(profileDir, [
    IDENTITY_FILE,
    PASSPHRASE_SECRET_FILE,
    SAFE_STORAGE_SECRET_FILE,
  ]);
  if (options.replace !== true) {
    let existing: IdentityRecord | null;
    try {
      existing = await readIdentityRecord(profileDir);
    } catch (error) {
      if (error instanceof IdentityCorruptError) {
        throw new IdentityExistsError('a (damaged) identity exists; import a backup with replace', {
          cause: error,
        });
      }
      throw error;
    }
    if (existing !== null) throw new IdentityExistsError('this profile already has an identity');
  }
  const endpoint = endpointId(keys.signPublic);
  const record: IdentityRecord = {
    handle,
    endpointId: endpoint,
    signPublic: keys.signPublic,
    kexPublic: keys.kexPublic,
    protection: store.protection,
    secretAccount: secretAccountFor(endpoint),
    createdAt: new Date().toISOString(),
  };
  const blob = encodeSecretBlob(keys);
  try {
    await store.put(record.secretAccount, blob); // 1. the secret
  } finally {
    blob.fill(0);
  }
  await writeSecretFileAtomic(identityPath(profileDir), serializeRecord(record)); // 2. commit marker
  return { record, keys }; // 3. memory, only after disk
}

/** First run: generates fresh key pairs and commits them. Throws IdentityExistsError otherwise. */
export async function createIdentity(
  profileDir: string,
  store: KeyStore,
  handle: string,
): Promise<Identity> {
  return commitIdentity(profileDir, store, handle, generateIdentityKeyPairs());
}

/**
 * Loads the identity from identity.json and its secret. Resolves null when the profile has no
 * identity; throws IdentityCorruptError / IdentitySecretMissingError / KeyStoreMismatchError
 * (and the store's own typed errors) otherwise. Never regenerates anything.
 */
export async function loadIdentity(profileDir: string, store: KeyStore): Promise<Identity | null> {
  const record = await readIdentityRecord(profileDir);
  if (record === null) return null;
  if (record.protection !== store.protection) {
    throw new KeyStoreMismatchError(record.protection, store.protection);
  }
  const blob = await store.get(record.secretAccount);
  if (blob === null) throw new IdentitySecretMissingError(record.protection);
  let keys: IdentityKeyPairs;
  try {
    keys = decodeSecretBlob(blob);
  } catch (error) {
    throw new IdentityCorruptError('stored identity secret is damaged', identityPath(profileDir), {
      cause: error,
    });
  } finally {
    blob.fill(0);
  }
  if (
    !constantTimeEqual(keys.signPublic, record.signPublic) ||
    !constantTimeEqual(keys.kexPublic, record.kexPublic)
  ) {
    throw new IdentityCorruptError(
      'stored secret does not match the public keys in identity.json',
      identityPath(profileDir),
    );
  }
  return { record, keys };
}

export interface OpenIdentityOptions extends Omit<OpenKeyStoreOptions, 'exact'> {
  /** Handle for a first run; without it a missing identity resolves to null. */
  readonly handle?: string;
}

/**
 * The startup entry: loads the existing identity with exactly the protection it recorded (no
 * fallback), or — on a first run with a handle — opens a store per `prefer` (with the explicit
 * passphrase fallback) and creates the identity.
 */
export async function openIdentity(
  options: OpenIdentityOptions,
): Promise<{ identity: Identity; store: KeyStore; created: boolean } | null> {
  await mkdir(options.profileDir, { recursive: true, mode: 0o700 });
  const record = await readIdentityRecord(options.profileDir);
  if (record !== null) {
    const store = await openKeyStore({ ...options, prefer: record.protection, exact: true });
    const identity = await loadIdentity(options.profileDir, store);
    if (identity === null)
      throw new IdentityCorruptError(
        'identity.json vanished while loading',
        identityPath(options.profileDir),
      );
    return { identity, store, created: false };
  }
  if (options.handle === undefined) return null;
  const store = await openKeyStore(options);
  const identity = await createIdentity(options.profileDir, store, options.handle);
  return { identity, store, created: true };
}
