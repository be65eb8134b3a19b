import type { TransferState, TransferView } from '../../../../shared/types/app';
import { ErrorNotice } from '../../components/ErrorNotice';
import { ProgressBar } from '../../components/ProgressBar';
import { cancelTransfer, hideTransfer, resumeTransfer } from '../../store/transfersStore';
import { TID } from '../../testids';
import { formatBytes, formatEta, formatRate } from '../../util/format';
import { useAction } from '../../util/useAction';

const STATE_TEXT: { readonly [S in TransferState]: string } = {
  running: '',
  paused: 'Paused',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** One transfer: progress bar, speed and time left, Cancel / Resume, and why it failed. */
export function TransferItem({
  transfer,
  compact = false,
}: {
  transfer: TransferView;
  compact?: boolean;
}) {
  const action = useAction();
  const verb = transfer.direction === 'upload' ? 'Uploading' : 'Downloading';
  const active = transfer.state === 'running' || transfer.state === 'paused';
  const eta = transfer.state === 'running' ? formatEta(transfer.etaSeconds) : null;
  return (
    <div
      className={`transfer transfer-${transfer.state}`}
      data-testid={TID.transferItem}
      data-transfer-id={transfer.id}
      data-direction={transfer.direction}
      data-state={transfer.state}
    >
      {!compact && (
        <div className="transfer-name">
          {transfer.state === 'running' ? verb : STATE_TEXT[transfer.state]} {transfer.name}
        </div>
      )}
      {active && (
        <ProgressBar
          done={transfer.bytesDone}
          total={transfer.size}
          label={`${verb} ${transfer.name}`}
        />
      )}
      <div className="transfer-facts muted">
        <span>
          {formatBytes(transfer.bytesDone)} of {formatBytes(transfer.size)}
        </span>
        {transfer.state === 'running' && (
          <span data-testid={TID.transferRate}>{formatRate(transfer.bytesPerSecond)}</span>
        )}
        {eta !== null && <span>{eta}</span>}
        {transfer.state === 'paused' && <span>Paused (after a restart or a network drop)</span>}
      </div>
      {transfer.state === 'failed' && (
        <p className="field-problem">{transfer.error ?? 'The transfer failed.'}</p>
      )}
      <ErrorNotice error={action.error} />
      <div className="transfer-actions">
        {transfer.state === 'paused' && (
          <button
            type="button"
            disabled={action.busy}
            onClick={() => void action.run(() => resumeTransfer(transfer))}
            data-testid={TID.transferResume}
          >
            Resume
          </button>
        )}
        {active && (
          <button
            type="button"
            disabled={action.busy}
            onClick={() => void action.run(() => cancelTransfer(transfer.id))}
            data-testid={TID.transferCancel}
          >
            Cancel
          </button>
        )}
        {!active && !compact && (
          <button
            type="button"
            className="link-button"
            onClick={() => hideTransfer(transfer.id)}
            data-testid={TID.transferHide}
          >
            Hide
          </button>
        )}
      </div>
    </div>
  );
}
