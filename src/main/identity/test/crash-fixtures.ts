/** Shared by the SIGKILL test and its child: fixed test-only secrets and cheap scrypt cost. */
import { sha256 } from '../../crypto';
import type { ScryptParams } from '../keys';

export const CRASH_TEST_PASSPHRASE = 'crash-test passphrase';
export const CRASH_TEST_SCRYPT: ScryptParams = { N: 2 ** 10, r: 8, p: 1 };
export const CRASH_TEST_SAFE_STORAGE_KEY = sha256(new TextEncoder().encode('fake os key'));
