import { useState } from 'react';
import { copyText } from '../util/clipboard';

/** Copies `text`; says "Copied" or, when the clipboard is not available, how to copy by hand. */
export function CopyButton({
  text,
  label = 'Copy',
  testId,
}: {
  text: string;
  label?: string;
  testId?: string;
}) {
  const [outcome, setOutcome] = useState<'copied' | 'failed' | null>(null);
  return (
    <span className="copy-button">
      <button
        type="button"
        data-testid={testId}
        onClick={() => void copyText(text).then((ok) => setOutcome(ok ? 'copied' : 'failed'))}
      >
        {label}
      </button>
      <span role="status" className="muted">
        {outcome === 'copied' && 'Copied'}
        {outcome === 'failed' && 'Copy is not available here: select the text and press Ctrl+C.'}
      </span>
    </span>
  );
}
