import type { ReactNode } from 'react';
import { TID } from '../testids';
import { useAction } from '../util/useAction';
import { Dialog } from './Dialog';
import { ErrorNotice } from './ErrorNotice';

/** "Are you sure?" with the consequence spelled out; the confirm button runs the action. */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  confirmTestId,
  danger = true,
  onConfirm,
  onClose,
}: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  confirmTestId: string;
  danger?: boolean;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}) {
  const action = useAction();
  return (
    <Dialog title={title} onClose={onClose}>
      <div className="dialog-body">{children}</div>
      <ErrorNotice error={action.error} />
      <div className="dialog-actions">
        <button type="button" onClick={onClose} data-testid={TID.dialogCancel}>
          Cancel
        </button>
        <button
          type="button"
          className={danger ? 'danger' : 'primary'}
          disabled={action.busy}
          data-testid={confirmTestId}
          onClick={() => void action.run(onConfirm).then((ok) => ok && onClose())}
        >
          {confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
