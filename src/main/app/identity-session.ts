/**
 * The local identity as the app uses it: which protections this machine offers, first-run
 * creation, unlocking a passphrase-protected profile, and encrypted backups. Keys stay here (main
 * process); the renderer gets an `IdentityView`.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConflictError, LockedError } from '../../shared/errors';
import type { IdentityView, KeyProtectionView } from '../../shared/types';
import {
  exportIdentityBackup,
  importIdentityBackup,
  KeychainKeyStore,
  openIdentity,
  openKeyStore,
  readIdentityRecord,
  type Identity,
  type KeyProtection,
  type SafeStorageLike,
} from '../identity';
import { encodeIdentityCard } from '../protocol';

/** Restricts the protections offered (tests, kiosk setups): one `KeyProtection` name. */
export const KEY_PROTECTION_ENV = 'UNIBUS_KEY_PROTECTION';

export type IdentityPhase = 'no-identity' | 'locked' | 'ready';

export class IdentitySession {
  private current: Identity | null = null;
  private hasRecord = false;
  private protections: KeyProtectionView[] = ['passphrase-file'];

  constructor(
    private readonly profileDir: string,
    private readonly safeStorage: SafeStorageLike | undefined,
  ) {}

  get identity(): Identity | null {
    return this.current;
  }

  get availableProtections(): readonly KeyProtectionView[] {
    return this.protections;
  }

  /** Probes the protections and opens the identity when no passphrase is needed. */
  async init(): Promise<IdentityPhase> {
    this.protections = await this.probeProtections();
    const record = await readIdentityRecord(this.profileDir);
    this.hasRecord = record !== null;
    if (record === null) return 'no-identity';
    if (record.protection === 'passphrase-file') return 'locked';
    try {
      await this.open({});
    } catch {
      // The keychain may be locked or gone: stay locked (unlock retries), never regenerate.
      return 'locked';
    }
    return 'ready';
  }

  get phase(): IdentityPhase {
    if (this.current !== null) return 'ready';
    return this.hasRecord ? 'locked' : 'no-identity';
  }

  async create(handle: string, passphrase: string | undefined): Promise<Identity> {
    if (this.current !== null || (await readIdentityRecord(this.profileDir)) !== null) {
      throw new ConflictError('This profile already has an identity.');
    }
    const prefer = this.protections[0] ?? 'passphrase-file';
    if (prefer === 'passphrase-file' && passphrase === undefined) {
      throw new LockedError('Choose a passphrase: no OS keychain is usable on this computer.');
    }
    return this.open({ handle, prefer, passphrase });
  }

  async unlock(passphrase: string): Promise<Identity> {
    if (this.current !== null) return this.current;
    return this.open({ passphrase });
  }

  /** An encrypted backup of the identity as text (sealed under `passphrase`). */
  async exportBackup(passphrase: string): Promise<string> {
    const identity = this.require();
    return this.withTempDir(async (dir) => {
      const path = join(dir, 'backup.json');
      await exportIdentityBackup(identity, path, passphrase);
      return readFile(path, 'utf8');
    });
  }

  /**
   * Restores an identity from a backup: on a first run, or to recover a profile whose identity
   * cannot be opened. A working identity is never replaced from here.
   */
  async importBackup(
    backup: string,
    passphrase: string,
    storePassphrase: string | undefined,
  ): Promise<Identity> {
    if (this.current !== null) {
      throw new ConflictError('This profile already has a working identity.');
    }
    const prefer = this.protections[0] ?? 'passphrase-file';
    const store = await openKeyStore({
      profileDir: this.profileDir,
      prefer,
      ...(storePassphrase !== undefined ? { passphrase: storePassphrase } : {}),
      ...(this.safeStorage ? { safeStorage: this.safeStorage } : {}),
    });
    const replace = (await readIdentityRecord(this.profileDir)) !== null;
    const identity = await this.withTempDir(async (dir) => {
      const backupPath = join(dir, 'backup.json');
      await writeFile(backupPath, backup, { mode: 0o600 });
      return importIdentityBackup({
        profileDir: this.profileDir,
        backupPath,
        passphrase,
        store,
        replace,
      });
    });
    this.current = identity;
    this.hasRecord = true;
    return identity;
  }

  view(): IdentityView | null {
    const identity = this.current;
    if (identity === null) return null;
    return {
      handle: identity.record.handle,
      endpoint: identity.record.endpointId,
      card: identityCard(identity),
      protection: identity.record.protection,
    };
  }

  require(): Identity {
    if (this.current === null) throw new LockedError('Unlock or create your identity first.');
    return this.current;
  }

  private async open(options: {
    handle?: string;
    prefer?: KeyProtection;
    passphrase?: string | undefined;
  }): Promise<Identity> {
    const opened = await openIdentity({
      profileDir: this.profileDir,
      prefer: options.prefer ?? this.protections[0] ?? 'passphrase-file',
      ...(options.handle !== undefined ? { handle: options.handle } : {}),
      ...(options.passphrase !== undefined ? { passphrase: options.passphrase } : {}),
      ...(this.safeStorage ? { safeStorage: this.safeStorage } : {}),
    });
    if (opened === null) throw new LockedError('No identity on this profile yet: create one.');
    this.current = opened.identity;
    this.hasRecord = true;
    return opened.identity;
  }

  private async probeProtections(): Promise<KeyProtectionView[]> {
    const forced = process.env[KEY_PROTECTION_ENV];
    if (forced === 'passphrase-file') return ['passphrase-file'];
    const usable: KeyProtectionView[] = [];
    if (this.safeStorage?.isEncryptionAvailable() === true && forced !== 'os-keychain') {
      usable.push('electron-safe-storage');
    }
    if (forced !== 'electron-safe-storage') {
      try {
        await KeychainKeyStore.open();
        usable.push('os-keychain');
      } catch {
        // No Secret Service / keychain here: the passphrase file is the fallback, said openly.
      }
    }
    usable.push('passphrase-file');
    return usable;
  }

  private async withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
    const dir = await mkdtemp(join(this.profileDir, '.backup-'));
    try {
      return await fn(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

export function identityCard(identity: Identity): string {
  return encodeIdentityCard({
    handle: identity.record.handle,
    signPublic: identity.keys.signPublic,
    kexPublic: identity.keys.kexPublic,
  });
}
