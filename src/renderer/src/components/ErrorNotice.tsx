import { TID } from '../testids';
import { describeError } from '../util/humanError';

/**
 * An error as two sentences (what happened, what to do) plus main's own detail; never a stack.
 * `ownWords`: where main's message already says both (e.g. "The node at 10.1.2.3:7443 did not
 * answer — is the host's app running and port 7443 open?"), it is shown alone.
 */
export function ErrorNotice({
  error,
  onDismiss,
  ownWords = false,
}: {
  error: unknown;
  onDismiss?: () => void;
  ownWords?: boolean;
}) {
  if (error === null || error === undefined) return null;
  const human = describeError(error);
  const alone = ownWords && human.detail !== null;
  return (
    <div
      className="error-notice"
      role="alert"
      data-testid={TID.errorMessage}
      data-error={human.name}
    >
      {alone ? (
        <p>{human.detail}</p>
      ) : (
        <>
          <p>
            {human.sentence} {human.nextStep}
          </p>
          {human.detail !== null && <p className="error-detail">{human.detail}</p>}
        </>
      )}
      {onDismiss !== undefined && (
        <button type="button" className="link-button" onClick={onDismiss}>
          Dismiss
        </button>
      )}
    </div>
  );
}
