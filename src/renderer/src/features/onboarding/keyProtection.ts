import type { KeyProtectionView } from '../../../../shared/types/app';

/** What each key protection means for the user, in one sentence. */
export const KEY_PROTECTION_TEXT: { readonly [K in KeyProtectionView]: string } = {
  'os-keychain': "Your private keys will be kept in this computer's keychain.",
  'electron-safe-storage':
    "Your private keys will be encrypted with this computer's secure storage for apps.",
  'passphrase-file':
    'No keychain is available here: your private keys will be kept in a file encrypted under a passphrase you choose. Without it they cannot be opened, so keep it safe.',
};

export const PASSPHRASE_MIN = 8;

/** Why a new passphrase is not acceptable yet, or null when it is. */
export function passphraseProblem(passphrase: string, repeat: string): string | null {
  if (passphrase.length < PASSPHRASE_MIN) {
    return `The passphrase needs at least ${PASSPHRASE_MIN} characters.`;
  }
  if (passphrase !== repeat) return 'The two passphrases are not the same: type them again.';
  return null;
}
