/**
 * Key store backend "passphrase-file": the secret sealed under a user passphrase
 * (scrypt + XChaCha20-Poly1305, see passphrase-envelope.ts) in a 0600 file of the profile,
 * written atomically. Used when no keychain is usable and the user chose a passphrase.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeSecretFileAtomic } from '../base/atomic-file';
import { KeyedSequencer } from '../base/keyed-sequencer';
import { PRODUCTION_SCRYPT_PARAMS, type ScryptParams } from './keys';
import { FormatError, parseJsonObject, stringField, integerField } from './encoding';
import { deleteSecretFile } from './secret-file';
import { IdentityCorruptError } from './errors';
import {
  assertPassphrase,
  openWithPassphrase,
  parseEnvelope,
  sealWithPassphrase,
} from './passphrase-envelope';
import type { KeyStore } from './types';

export const PASSPHRASE_SECRET_FILE = 'identity-secret.passphrase.json';
const FORMAT = 'unibus-passphrase-secret';
const VERSION = 1;

export class PassphraseFileKeyStore implements KeyStore {
  readonly protection = 'passphrase-file' as const;
  readonly #path: string;
  /** put/get/delete share one file: they run one at a time. */
  readonly #queue = new KeyedSequencer();
  readonly #passphrase: string;
  readonly #params: ScryptParams;

  /**
   * @param profileDir the profile directory (must exist)
   * @param passphrase chosen by the user; never stored
   * @param params scrypt cost for new writes (tests pass reduced ones); reads use the file's
   */
  constructor(
    profileDir: string,
    passphrase: string,
    params: ScryptParams = PRODUCTION_SCRYPT_PARAMS,
  ) {
    assertPassphrase(passphrase);
    this.#path = join(profileDir, PASSPHRASE_SECRET_FILE);
    this.#passphrase = passphrase;
    this.#params = params;
  }

  put(account: string, secret: Uint8Array): Promise<void> {
    return this.#queue.run('file', () => this.#put(account, secret));
  }

  async #put(account: string, secret: Uint8Array): Promise<void> {
    const envelope = await sealWithPassphrase({
      format: FORMAT,
      version: VERSION,
      context: account,
      passphrase: this.#passphrase,
      params: this.#params,
      plaintext: secret,
    });
    const file = { format: FORMAT, version: VERSION, account, ...envelope };
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
    let stored: { account: string; envelope: ReturnType<typeof parseEnvelope> };
    try {
      const object = parseJsonObject(text);
      if (stringField(object, 'format') !== FORMAT || integerField(object, 'version') !== VERSION) {
        throw new FormatError('not a unibus passphrase secret file (v1)');
      }
      stored = { account: stringField(object, 'account'), envelope: parseEnvelope(object) };
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      throw new IdentityCorruptError(`secret file is damaged: ${error.message}`, this.#path, {
        cause: error,
      });
    }
    if (stored.account !== account) return null;
    return openWithPassphrase({
      format: FORMAT,
      version: VERSION,
      context: account,
      passphrase: this.#passphrase,
      envelope: stored.envelope,
    });
  }

  delete(account: string): Promise<void> {
    return this.#queue.run('file', () => this.#delete(account));
  }

  async #delete(account: string): Promise<void> {
    await deleteSecretFile(this.#path, account);
  }
}
