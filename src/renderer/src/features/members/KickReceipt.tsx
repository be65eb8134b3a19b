import type { KickReceiptView } from '../../../../shared/types/app';
import { TID } from '../../testids';
import { formatDateTime } from '../../util/format';

/** The proof of a kick: transport cut, key rotated, who holds the new key. */
export function KickReceipt({
  receipt,
  removedHandle,
  onDismiss,
}: {
  receipt: KickReceiptView;
  removedHandle: string;
  onDismiss: () => void;
}) {
  const allKeyed = receipt.keyed === receipt.members;
  return (
    <div className="receipt" role="status" data-testid={TID.kickReceipt}>
      <h3>{removedHandle} was removed</h3>
      <p>
        ACL revoked at {formatDateTime(receipt.aclRevokedAt)}, epoch {receipt.epoch},{' '}
        {receipt.keyed} of {receipt.members} members keyed.
      </p>
      {!allKeyed && (
        <p className="field-problem">
          Some members do not have the new key yet; they get it when they come back online.
        </p>
      )}
      <button type="button" className="link-button" onClick={onDismiss}>
        Close receipt
      </button>
    </div>
  );
}
