/**
 * Turns anything thrown into what a person can act on: one sentence saying what happened and one
 * saying what to do next. Only errors named in src/shared/errors.ts keep their own message (as a
 * detail); anything else is described generically — never a stack trace.
 */
import { isErrorName, type ErrorName } from '../../../shared/errors';

export interface HumanError {
  readonly name: ErrorName;
  readonly sentence: string;
  readonly nextStep: string;
  /** The message main sent, when it is one of ours and adds something. */
  readonly detail: string | null;
}

const DESCRIPTIONS: { readonly [N in ErrorName]: { sentence: string; nextStep: string } } = {
  ValidationError: {
    sentence: 'That input was not accepted.',
    nextStep: 'Check what you typed and try again.',
  },
  NotFoundError: {
    sentence: 'That could not be found.',
    nextStep: 'It may have been removed; refresh the view and try again.',
  },
  PermissionDeniedError: {
    sentence: 'You are not allowed to do that.',
    nextStep: 'Ask an admin of this node or the room owner to do it or to give you the role.',
  },
  UnavailableError: {
    sentence: 'The node or the app cannot be reached right now.',
    nextStep: 'Check your network; unibus keeps retrying, so try again in a moment.',
  },
  ConflictError: {
    sentence: 'That conflicts with the current state.',
    nextStep: 'Refresh the view and try again.',
  },
  LockedError: {
    sentence: 'A passphrase is needed, or the one given was wrong.',
    nextStep: 'Type the passphrase again, paying attention to capitals.',
  },
  CancelledError: {
    sentence: 'The operation was cancelled.',
    nextStep: 'Start it again when you are ready.',
  },
  InternalError: {
    sentence: 'Something went wrong inside the app.',
    nextStep: 'Try again; if it keeps happening, restart unibus.',
  },
};

function errorName(error: unknown): ErrorName {
  if (typeof error === 'object' && error !== null) {
    const name = (error as { name?: unknown }).name;
    if (isErrorName(name)) return name;
  }
  return 'InternalError';
}

export function describeError(error: unknown): HumanError {
  const name = errorName(error);
  const base = DESCRIPTIONS[name];
  let detail: string | null = null;
  if (name !== 'InternalError' && typeof error === 'object' && error !== null) {
    const message = (error as { message?: unknown }).message;
    if (typeof message === 'string' && message.trim() !== '') detail = message.trim();
  }
  return { name, sentence: base.sentence, nextStep: base.nextStep, detail };
}

export function errorNamed(error: unknown, name: ErrorName): boolean {
  return errorName(error) === name;
}
