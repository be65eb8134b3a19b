/**
 * `unibus identity export FILE` / `unibus identity import FILE [--replace]`: the encrypted
 * identity backup, so a reinstall or a second device keeps the same keys. The backup's
 * passphrase comes from UNIBUS_BACKUP_PASSPHRASE (never a command-line argument, which other
 * users of the machine could read); the profile's own protection is chosen as for every command.
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { exportIdentityBackup, importIdentityBackup, openKeyStore } from '../../main/identity';
import { UsageError } from '../errors';
import type { Output } from '../output';
import { openProfileIdentity } from '../profile';

const USAGE = 'usage: unibus identity export FILE | identity import FILE [--replace]';

export async function identityCommand(
  args: string[],
  profileDir: string,
  out: Output,
): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: { replace: { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  });
  const [sub, file, ...extra] = positionals;
  if ((sub !== 'export' && sub !== 'import') || file === undefined || extra.length > 0) {
    throw new UsageError(USAGE);
  }
  const backupPassphrase = process.env.UNIBUS_BACKUP_PASSPHRASE;
  if (!backupPassphrase) {
    throw new UsageError(
      'set UNIBUS_BACKUP_PASSPHRASE to the passphrase that protects the backup file',
    );
  }
  const backupPath = resolve(file);
  if (sub === 'export') {
    const identity = await openProfileIdentity(profileDir);
    await exportIdentityBackup(identity, backupPath, backupPassphrase);
    out.result(
      { id: identity.record.endpointId, file: backupPath },
      `identity ${identity.record.handle} exported to ${backupPath}`,
    );
    return;
  }
  await mkdir(profileDir, { recursive: true, mode: 0o700 });
  const passphrase = process.env.UNIBUS_PASSPHRASE;
  const store = await openKeyStore({
    profileDir,
    prefer: 'os-keychain',
    ...(passphrase ? { passphrase } : {}),
  });
  const identity = await importIdentityBackup({
    profileDir,
    backupPath,
    passphrase: backupPassphrase,
    store,
    replace: values.replace === true,
  });
  out.result(
    {
      id: identity.record.endpointId,
      handle: identity.record.handle,
      protection: store.protection,
    },
    `identity ${identity.record.handle} imported (keys protected by ${store.protection})`,
  );
}
