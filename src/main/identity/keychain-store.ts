/**
 * Key store backend "os-keychain": the secret in the OS keychain through `keytar`
 * (macOS Keychain, Windows Credential Vault, Linux Secret Service via libsecret).
 *
 * keytar is an optional dependency: it is loaded with a dynamic import, and a missing module,
 * missing native binding, absent D-Bus session or absent Secret Service all become
 * `KeychainUnavailableError`. A locked collection or a dismissed prompt becomes
 * `KeychainLockedError`. Nothing here ever falls back to another protection by itself.
 *
 * libsecret quirk (observed with gnome-keyring 42): on a locked collection `getPassword`
 * resolves to null and `deletePassword` to false instead of failing, while `setPassword`
 * fails with "Cannot create an item in a locked collection". So a null read is confirmed by
 * a write probe before it is reported as "no secret". (`findCredentials` is never used: on a
 * locked collection it crashes the process in libsecret.)
 */
import { KeyedSequencer } from '../base/keyed-sequencer';
import { randomBytes } from '../crypto';
import { FormatError, fromBase64Url, toBase64Url } from './encoding';
import { IdentityCorruptError, KeychainLockedError, KeychainUnavailableError } from './errors';
import type { KeyStore } from './types';

/** The subset of keytar this backend uses (injectable for tests of error mapping). */
export interface KeytarLike {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

export const DEFAULT_KEYCHAIN_SERVICE = 'unibus-desktop';
const PROBE_ACCOUNT = 'unibus-keychain-probe';

const LOCKED_PATTERNS = [/locked/i, /dismissed/i, /cancel/i];

/** Loads keytar; a missing module or native binding is KeychainUnavailableError. */
export async function loadKeytar(): Promise<KeytarLike> {
  try {
    const specifier = 'keytar';
    const module = (await import(/* @vite-ignore */ specifier)) as Partial<KeytarLike> & {
      default?: Partial<KeytarLike>;
    };
    const api = typeof module.getPassword === 'function' ? module : module.default;
    if (
      api === undefined ||
      typeof api.getPassword !== 'function' ||
      typeof api.setPassword !== 'function' ||
      typeof api.deletePassword !== 'function'
    ) {
      throw new Error('keytar module has an unexpected shape');
    }
    return api as KeytarLike;
  } catch (error) {
    throw new KeychainUnavailableError('the OS keychain module (keytar) is not available', {
      cause: error,
    });
  }
}

/** Maps a keytar/libsecret failure to the typed error the caller can act on. */
export function classifyKeychainError(operation: string, error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (LOCKED_PATTERNS.some((pattern) => pattern.test(message))) {
    return new KeychainLockedError(`OS keychain is locked (${operation}): ${message}`, {
      cause: error,
    });
  }
  return new KeychainUnavailableError(`OS keychain is not usable (${operation}): ${message}`, {
    cause: error,
  });
}

export interface KeychainOptions {
  /** Keychain service name; tests use a unique one. */
  readonly service?: string;
  /** Loads keytar; defaults to the optional dependency. */
  readonly load?: () => Promise<KeytarLike>;
}

export class KeychainKeyStore implements KeyStore {
  readonly protection = 'os-keychain' as const;
  readonly #keytar: KeytarLike;
  readonly #service: string;
  /** Operations on one account run one at a time. */
  readonly #queue = new KeyedSequencer();

  private constructor(keytar: KeytarLike, service: string) {
    this.#keytar = keytar;
    this.#service = service;
  }

  /** Loads keytar and proves the keychain accepts a write; throws the typed keychain errors. */
  static async open(options: KeychainOptions = {}): Promise<KeychainKeyStore> {
    const keytar = await (options.load ?? loadKeytar)();
    const store = new KeychainKeyStore(keytar, options.service ?? DEFAULT_KEYCHAIN_SERVICE);
    await store.probe();
    return store;
  }

  /** Writes, reads back and removes a random probe value. */
  async probe(): Promise<void> {
    const value = toBase64Url(randomBytes(16));
    await this.#call('probe write', () =>
      this.#keytar.setPassword(this.#service, PROBE_ACCOUNT, value),
    );
    const readBack = await this.#call('probe read', () =>
      this.#keytar.getPassword(this.#service, PROBE_ACCOUNT),
    );
    await this.#call('probe delete', () =>
      this.#keytar.deletePassword(this.#service, PROBE_ACCOUNT),
    );
    if (readBack !== value) {
      throw new KeychainUnavailableError('OS keychain did not return the value just written');
    }
  }

  put(account: string, secret: Uint8Array): Promise<void> {
    return this.#queue.run(account, () => this.#put(account, secret));
  }

  async #put(account: string, secret: Uint8Array): Promise<void> {
    await this.#call('write', () =>
      this.#keytar.setPassword(this.#service, account, toBase64Url(secret)),
    );
  }

  get(account: string): Promise<Uint8Array | null> {
    return this.#queue.run(account, () => this.#get(account));
  }

  async #get(account: string): Promise<Uint8Array | null> {
    const value = await this.#call('read', () => this.#keytar.getPassword(this.#service, account));
    if (value === null) {
      await this.probe(); // a locked collection also reads as null: tell the two apart
      return null;
    }
    try {
      return fromBase64Url(value, 'keychain secret');
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      throw new IdentityCorruptError(
        'keychain entry is not a unibus identity secret',
        `keychain:${this.#service}/${account}`,
        { cause: error },
      );
    }
  }

  delete(account: string): Promise<void> {
    return this.#queue.run(account, () => this.#delete(account));
  }

  async #delete(account: string): Promise<void> {
    await this.#call('delete', () => this.#keytar.deletePassword(this.#service, account));
  }

  async #call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw classifyKeychainError(operation, error);
    }
  }
}
