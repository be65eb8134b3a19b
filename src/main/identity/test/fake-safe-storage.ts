/**
 * Test double for Electron's `safeStorage` (the Electron binary cannot run on the build
 * machines). It really encrypts, with XChaCha20-Poly1305 under a key that is not on disk —
 * the stand-in for the OS-held key — so the profile scan is meaningful.
 */
import { randomBytes, xchacha20poly1305Open, xchacha20poly1305Seal } from '../../crypto';
import type { SafeStorageLike } from '../safe-storage-store';

export class FakeSafeStorage implements SafeStorageLike {
  available = true;
  backend = 'gnome_libsecret';
  readonly #key: Uint8Array;

  constructor(key: Uint8Array = randomBytes(32)) {
    this.#key = key;
  }

  isEncryptionAvailable(): boolean {
    return this.available;
  }

  getSelectedStorageBackend(): string {
    return this.backend;
  }

  encryptString(plainText: string): Buffer {
    const nonce = randomBytes(24);
    const sealed = xchacha20poly1305Seal(
      this.#key,
      nonce,
      new TextEncoder().encode(plainText),
      new Uint8Array(0),
    );
    return Buffer.concat([nonce, sealed]);
  }

  decryptString(encrypted: Buffer): string {
    const opened = xchacha20poly1305Open(
      this.#key,
      encrypted.subarray(0, 24),
      encrypted.subarray(24),
      new Uint8Array(0),
    );
    return new TextDecoder().decode(opened);
  }
}
