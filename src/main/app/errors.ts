/**
 * Turns failures of the peer, node client, files and identity code into the typed errors that
 * cross the bridge, each with a sentence the user can act on. Anything unrecognised stays an
 * internal error: the dispatcher logs it and the renderer sees a generic message.
 */
import {
  ConflictError,
  LockedError,
  NotFoundError,
  PermissionDeniedError,
  UnavailableError,
  UnibusError,
  ValidationError,
  CancelledError,
} from '../../shared/errors';
import { BusError, JoinError } from '../bus';
import { ControlPlaneError } from '../control-plane';
import { FileTransferError } from '../files';
import {
  BackupFormatError,
  IdentityCorruptError,
  IdentityExistsError,
  IdentitySecretMissingError,
  KeychainLockedError,
  KeychainUnavailableError,
  PassphraseRequiredError,
  WrongPassphraseError,
} from '../identity';
import { InviteTokenError } from '../node/invites/token';
import { ConnectionProfileError } from '../profile/connection';

const UNREACHABLE =
  'The node cannot be reached right now. Check that it is running, then try again.';

/** Node answers about an invite link, in words for the person holding the link. */
const INVITE_ANSWERS: readonly [RegExp, string][] = [
  [
    /^invite signed by a retired key\b/,
    'This invite link no longer works: the node’s admin replaced the key that signs invite links. Ask them for a new link.',
  ],
  [
    /^unknown invite key\b/,
    'This invite link no longer works: the node does not know the key it was signed with. Ask for a new link.',
  ],
];

function fromControlPlane(error: ControlPlaneError): UnibusError {
  const said = error.message;
  for (const [pattern, sentence] of INVITE_ANSWERS) {
    // The pasted link is what was refused (as for a malformed link): input, not a permission.
    if (error.status === 403 && pattern.test(said)) {
      return new ValidationError(sentence, { cause: error });
    }
  }
  switch (error.status) {
    case 0:
    case 429:
    case 502:
    case 503:
    case 504:
      return new UnavailableError(UNREACHABLE, { cause: error });
    case 400:
    case 411:
    case 413:
      return new ValidationError(`The node refused the request: ${said}.`, { cause: error });
    case 401:
    case 403:
      return new PermissionDeniedError(`Not allowed: ${said}.`, { cause: error });
    case 404:
      return new NotFoundError(`Not found: ${said}.`, { cause: error });
    case 409:
      return new ConflictError(`${capitalize(said)}.`, { cause: error });
    default:
      return new UnavailableError(`The node answered with an error (${error.status}). Try again.`, {
        cause: error,
      });
  }
}

function fromFileTransfer(error: FileTransferError): UnibusError {
  switch (error.code) {
    case 'aborted':
      return new CancelledError('The transfer was cancelled.', { cause: error });
    case 'unreachable':
      return new UnavailableError(`${UNREACHABLE} The transfer can be resumed.`, { cause: error });
    case 'chunk-missing':
    case 'chunk-corrupt':
    case 'digest-mismatch':
      return new ConflictError(
        'The file on the node is damaged or incomplete; ask the sender to send it again.',
        { cause: error },
      );
    case 'file-changed':
      return new ConflictError('The file changed while it was being sent; send it again.', {
        cause: error,
      });
    case 'file-too-large':
      return new ValidationError('This file is too large to send.', { cause: error });
    case 'rejected':
      return new PermissionDeniedError(`The node refused the transfer: ${error.message}.`, {
        cause: error,
      });
    case 'io-error':
      return new ConflictError(`Reading or writing the file failed: ${error.message}.`, {
        cause: error,
      });
    case 'bad-argument':
      return new ValidationError(error.message, { cause: error });
  }
}

/** The typed error for `error`, or `error` itself when it is not one we know (→ internal). */
export function toAppError(error: unknown): unknown {
  if (error instanceof UnibusError) return error;
  if (error instanceof ControlPlaneError) return fromControlPlane(error);
  if (error instanceof FileTransferError) return fromFileTransfer(error);
  if (error instanceof InviteTokenError)
    return new ValidationError(`This invite link does not work: ${error.message}.`);
  if (error instanceof JoinError) return new ValidationError(`Cannot join: ${error.message}.`);
  if (error instanceof BusError) return new ConflictError(`${capitalize(error.message)}.`);
  if (error instanceof WrongPassphraseError)
    return new LockedError('That passphrase is not right. Try again.');
  if (error instanceof PassphraseRequiredError)
    return new LockedError('No key protection is usable here without a passphrase: choose one.');
  if (error instanceof KeychainLockedError || error instanceof KeychainUnavailableError)
    return new LockedError(
      'The OS keychain is locked or unavailable: unlock it and try again, or import your backup.',
    );
  if (error instanceof IdentityExistsError)
    return new ConflictError('This profile already has an identity.');
  if (error instanceof BackupFormatError)
    return new ValidationError('This is not a unibus identity backup.');
  if (error instanceof IdentityCorruptError || error instanceof IdentitySecretMissingError)
    return new ConflictError(
      'The identity on this computer cannot be opened. Import your encrypted backup to recover it.',
    );
  if (error instanceof ConnectionProfileError) return new ConflictError(error.message);
  return error;
}

/** Runs `fn`, rethrowing failures as typed app errors. */
export async function typed<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toAppError(error);
  }
}

function capitalize(text: string): string {
  return text.length === 0 ? text : text[0]!.toUpperCase() + text.slice(1);
}
