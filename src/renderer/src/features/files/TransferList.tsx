import { useShallow } from 'zustand/react/shallow';
import { transfersSelectors, useTransfersStore } from '../../store/transfersStore';
import { TID } from '../../testids';
import { TransferItem } from './TransferItem';

/** The room's transfer tray: uploads and downloads under way, paused, or ended badly. */
export function TransferList({ roomId }: { roomId: string }) {
  const transfers = useTransfersStore(useShallow(transfersSelectors.forRoom(roomId)));
  if (transfers.length === 0) return null;
  return (
    <section className="transfer-list" aria-label="File transfers" data-testid={TID.transferList}>
      {transfers.map((transfer) => (
        <TransferItem key={transfer.id} transfer={transfer} />
      ))}
    </section>
  );
}
