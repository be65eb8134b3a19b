import { TID } from '../testids';
import { describeError } from '../util/humanError';

/** An error as two sentences (what happened, what to do) plus main's own detail; never a stack. */
export function ErrorNotice({ error, onDismiss }: { error: unknown; onDismiss?: () => void }) {
  if (error === null || error === undefined) return null;
  const human = describeError(error);
  return (
    <div
      className="error-notice"
      role="alert"
      data-testid={TID.errorMessage}
      data-error={human.name}
    >
      <p>
        {human.sentence} {human.nextStep}
      </p>
      {human.detail !== null && <p className="error-detail">{human.detail}</p>}
      {onDismiss !== undefined && (
        <button type="button" className="link-button" onClick={onDismiss}>
          Dismiss
        </button>
      )}
    </div>
  );
}
