/** Which mechanism protects the identity secret. Reported by every key store. */
export type KeyProtection = 'os-keychain' | 'electron-safe-storage' | 'passphrase-file';

export const KEY_PROTECTIONS: readonly KeyProtection[] = [
  'os-keychain',
  'electron-safe-storage',
  'passphrase-file',
];

/**
 * Where identity secrets live. Every backend encrypts or delegates to the OS; none stores
 * plaintext. `put` resolves only once the secret is durable (disk first, then memory).
 */
export interface KeyStore {
  /** The protection in force; recorded in identity.json and shown to the user. */
  readonly protection: KeyProtection;
  /** Stores `secret` under `account`, replacing any previous value. */
  put(account: string, secret: Uint8Array): Promise<void>;
  /** The secret under `account`, or null when the store holds none. */
  get(account: string): Promise<Uint8Array | null>;
  /** Removes the secret under `account`; absent is not an error. */
  delete(account: string): Promise<void>;
}
