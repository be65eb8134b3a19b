/**
 * Passphrase envelope shared by the passphrase-file key store and identity backups.
 *
 * key   = scrypt(NFC(passphrase), salt(16), N, r, p) → 32 bytes       (RFC 7914)
 * box   = XChaCha20-Poly1305(key, nonce(24), plaintext, aad)          (draft-irtf-cfrg-xchacha)
 * aad   = "unibus:v1:passphrase-envelope" 0x00 format 0x00 version 0x00 "scrypt" 0x00 N 0x00 r
 *         0x00 p 0x00 "xchacha20poly1305" 0x00 context
 *
 * The AAD binds the file format and version, the KDF parameters and a caller context (the
 * store account, or a backup's handle and public keys), so changing any of them in the file
 * makes decryption fail. The parameters are stored in the file so they can be raised later.
 */
import {
  DecryptionError,
  randomBytes,
  xchacha20poly1305Open,
  xchacha20poly1305Seal,
} from '../crypto';
import { assertScryptParams, scryptKey, type ScryptParams } from './keys';
import {
  FormatError,
  fromBase64Url,
  integerField,
  objectField,
  stringField,
  toBase64Url,
} from './encoding';
import { WrongPassphraseError } from './errors';

const SALT_LENGTH = 16;
const NONCE_LENGTH = 24;
const AEAD_NAME = 'xchacha20poly1305';
const KDF_NAME = 'scrypt';

/** The envelope fields as stored in JSON (beside any caller fields). */
export interface EnvelopeFields {
  readonly kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  readonly aead: typeof AEAD_NAME;
  readonly nonce: string;
  readonly ciphertext: string;
}

function associatedData(
  format: string,
  version: number,
  params: ScryptParams,
  context: string,
): Uint8Array {
  const parts = [
    'unibus:v1:passphrase-envelope',
    format,
    String(version),
    KDF_NAME,
    String(params.N),
    String(params.r),
    String(params.p),
    AEAD_NAME,
    context,
  ];
  return new TextEncoder().encode(parts.join('\u0000'));
}

export function assertPassphrase(passphrase: unknown): asserts passphrase is string {
  if (typeof passphrase !== 'string' || passphrase.length === 0) {
    throw new TypeError('passphrase must be a non-empty string');
  }
}

export async function sealWithPassphrase(args: {
  format: string;
  version: number;
  context: string;
  passphrase: string;
  params: ScryptParams;
  plaintext: Uint8Array;
}): Promise<EnvelopeFields> {
  assertPassphrase(args.passphrase);
  assertScryptParams(args.params);
  const salt = randomBytes(SALT_LENGTH);
  const nonce = randomBytes(NONCE_LENGTH);
  const key = await scryptKey(args.passphrase, salt, args.params);
  try {
    const aad = associatedData(args.format, args.version, args.params, args.context);
    const sealed = xchacha20poly1305Seal(key, nonce, args.plaintext, aad);
    const { N, r, p } = args.params;
    return {
      kdf: { name: KDF_NAME, N, r, p, salt: toBase64Url(salt) },
      aead: AEAD_NAME,
      nonce: toBase64Url(nonce),
      ciphertext: toBase64Url(sealed),
    };
  } finally {
    key.fill(0);
  }
}

/** Parsed envelope, ready to open. Throws FormatError on a malformed one. */
export interface ParsedEnvelope {
  readonly params: ScryptParams;
  readonly salt: Uint8Array;
  readonly nonce: Uint8Array;
  readonly ciphertext: Uint8Array;
}

export function parseEnvelope(object: Record<string, unknown>): ParsedEnvelope {
  const kdf = objectField(object, 'kdf');
  if (stringField(kdf, 'name') !== KDF_NAME) throw new FormatError('unsupported kdf');
  if (stringField(object, 'aead') !== AEAD_NAME) throw new FormatError('unsupported aead');
  const params = {
    N: integerField(kdf, 'N'),
    r: integerField(kdf, 'r'),
    p: integerField(kdf, 'p'),
  };
  try {
    assertScryptParams(params);
  } catch (error) {
    throw new FormatError((error as Error).message);
  }
  return {
    params,
    salt: fromBase64Url(kdf['salt'], 'kdf.salt', SALT_LENGTH),
    nonce: fromBase64Url(object['nonce'], 'nonce', NONCE_LENGTH),
    ciphertext: fromBase64Url(object['ciphertext'], 'ciphertext'),
  };
}

/** Opens a parsed envelope; a failed tag (wrong passphrase or tampering) is WrongPassphraseError. */
export async function openWithPassphrase(args: {
  format: string;
  version: number;
  context: string;
  passphrase: string;
  envelope: ParsedEnvelope;
}): Promise<Uint8Array> {
  assertPassphrase(args.passphrase);
  const { params, salt, nonce, ciphertext } = args.envelope;
  const key = await scryptKey(args.passphrase, salt, params);
  try {
    const aad = associatedData(args.format, args.version, params, args.context);
    return xchacha20poly1305Open(key, nonce, ciphertext, aad);
  } catch (error) {
    if (error instanceof DecryptionError) {
      throw new WrongPassphraseError('wrong passphrase (or the file was modified)');
    }
    throw error;
  } finally {
    key.fill(0);
  }
}
