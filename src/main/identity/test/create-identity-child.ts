/**
 * Child process for the SIGKILL test: creates identities in fresh profile directories
 * <root>/p0, p1, ... one after another until killed, announcing each before it starts.
 * argv: <root> <backend: passphrase-file | electron-safe-storage>
 */
import { join } from 'node:path';
import { openIdentity } from '../index';
import {
  CRASH_TEST_SAFE_STORAGE_KEY,
  CRASH_TEST_PASSPHRASE,
  CRASH_TEST_SCRYPT,
} from './crash-fixtures';
import { FakeSafeStorage } from './fake-safe-storage';

const [root, backend] = process.argv.slice(2);
if (root === undefined || (backend !== 'passphrase-file' && backend !== 'electron-safe-storage')) {
  throw new Error('usage: create-identity-child <root> <backend>');
}
const safeStorage = new FakeSafeStorage(CRASH_TEST_SAFE_STORAGE_KEY);
for (let index = 0; ; index++) {
  const profileDir = join(root, `p${index}`);
  process.stdout.write(`start ${profileDir}\n`);
  await openIdentity({
    profileDir,
    prefer: backend,
    passphrase: CRASH_TEST_PASSPHRASE,
    safeStorage,
    platform: 'linux',
    scryptParams: CRASH_TEST_SCRYPT,
    handle: `crash-${index}`,
  });
}
