/**
 * Opening the profile's identity from the CLI: the OS keychain when usable, otherwise the
 * passphrase-encrypted file with the passphrase from UNIBUS_PASSPHRASE. Never plaintext, and
 * never a silent downgrade: without a usable keychain and without the variable, it says so.
 */
import { type Identity, openIdentity, PassphraseRequiredError } from '../main/identity';
import { UsageError } from './errors';

export async function openProfileIdentity(
  profileDir: string,
  options: { readonly handle?: string } = {},
): Promise<Identity> {
  const passphrase = process.env.UNIBUS_PASSPHRASE;
  try {
    const opened = await openIdentity({
      profileDir,
      prefer: 'os-keychain',
      ...(passphrase ? { passphrase } : {}),
      ...(options.handle !== undefined ? { handle: options.handle } : {}),
    });
    if (opened === null) {
      throw new UsageError(
        `no identity in ${profileDir}: create one with --handle NAME (node start) or join a node`,
      );
    }
    return opened.identity;
  } catch (error) {
    if (error instanceof PassphraseRequiredError) {
      throw new Error(
        'set UNIBUS_PASSPHRASE: this profile keeps its identity under a passphrase, or no OS keychain is usable here',
      );
    }
    throw error;
  }
}
