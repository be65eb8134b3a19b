/**
 * Child for the "no Secret Service" suite: runs with no D-Bus session bus address, no display
 * and an empty XDG_RUNTIME_DIR, so libsecret cannot reach any keyring. Prints one JSON report.
 * argv: <profileDir>
 */
import { KeychainKeyStore, openIdentity, type KeyProtection } from '../index';

const [profileDir] = process.argv.slice(2);
if (profileDir === undefined) throw new Error('usage: keychain-absent-child <profileDir>');

function describeError(error: unknown): { name: string; causeName?: string; message: string } {
  const e = error as Error & { cause?: Error };
  return { name: e.name, causeName: e.cause?.name, message: e.message };
}

const report: Record<string, unknown> = {};
try {
  await KeychainKeyStore.open({ service: 'unibus-absent-test' });
  report['keychainOpen'] = 'opened';
} catch (error) {
  report['keychainOpen'] = describeError(error);
}
try {
  await openIdentity({ profileDir, prefer: 'os-keychain', handle: 'no-keyring' });
  report['withoutPassphrase'] = 'created';
} catch (error) {
  report['withoutPassphrase'] = describeError(error);
}
const fast = { N: 2 ** 10, r: 8, p: 1 };
const created = await openIdentity({
  profileDir,
  prefer: 'os-keychain',
  passphrase: 'user chose this',
  scryptParams: fast,
  handle: 'no-keyring',
});
const reloaded = await openIdentity({
  profileDir,
  prefer: 'os-keychain',
  passphrase: 'user chose this',
});
const protection: KeyProtection | undefined = reloaded?.store.protection;
report['created'] = created?.created;
report['protection'] = protection;
report['samePublicKeys'] =
  Buffer.from(created!.identity.keys.signPublic).equals(
    Buffer.from(reloaded!.identity.keys.signPublic),
  ) &&
  Buffer.from(created!.identity.keys.kexPublic).equals(
    Buffer.from(reloaded!.identity.keys.kexPublic),
  );
process.stdout.write(`${JSON.stringify(report)}\n`);
