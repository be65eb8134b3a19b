/**
 * File transfers by id, as main reports them (`transfers.changed`), plus the local phase of an
 * upload while the renderer is still handing the file's pieces to main ("staging"): main knows
 * the transfer from `files.beginUpload` on, but reports progress only for what it sends.
 */
import { create } from 'zustand';
import type { TransferView } from '../../../shared/types/app';
import { call } from '../bridge/call';

export interface TransfersState {
  readonly byId: Readonly<Record<string, TransferView>>;
  /** Finished or failed transfers the user put away (local only). */
  readonly hidden: Readonly<Record<string, true>>;
}

export const initialTransfersState: TransfersState = { byId: {}, hidden: {} };

export const useTransfersStore = create<TransfersState>()(() => initialTransfersState);

/** Upload ids whose staging the user cancelled; the upload loop checks it between pieces. */
const cancelledStaging = new Set<string>();
const stagingIds = new Set<string>();

export function upsertTransfer(transfer: TransferView): void {
  const byId = useTransfersStore.getState().byId;
  useTransfersStore.setState({ byId: { ...byId, [transfer.id]: transfer } });
}

export function setTransfers(transfers: readonly TransferView[]): void {
  const byId: Record<string, TransferView> = { ...useTransfersStore.getState().byId };
  for (const transfer of transfers) byId[transfer.id] = transfer;
  useTransfersStore.setState({ byId });
}

export async function loadTransfers(): Promise<void> {
  setTransfers(await call('files.transfers'));
}

export function markStaging(transferId: string, staging: boolean): void {
  if (staging) stagingIds.add(transferId);
  else {
    stagingIds.delete(transferId);
    cancelledStaging.delete(transferId);
  }
}

export function isStagingCancelled(transferId: string): boolean {
  return cancelledStaging.has(transferId);
}

export async function cancelTransfer(transferId: string): Promise<void> {
  if (stagingIds.has(transferId)) cancelledStaging.add(transferId);
  await call('files.cancel', { transferId });
  const current = useTransfersStore.getState().byId[transferId];
  if (current !== undefined && (current.state === 'running' || current.state === 'paused')) {
    upsertTransfer({ ...current, state: 'cancelled', bytesPerSecond: 0, etaSeconds: null });
  }
}

/**
 * Continue a paused transfer. Uploads resume with `files.resume`; a download is asked for again
 * with `files.download`, which picks up from main's journal.
 */
export async function resumeTransfer(transfer: TransferView): Promise<void> {
  if (transfer.direction === 'download' && transfer.messageId !== null) {
    upsertTransfer(
      await call('files.download', { roomId: transfer.roomId, messageId: transfer.messageId }),
    );
    return;
  }
  upsertTransfer(await call('files.resume', { transferId: transfer.id }));
}

export async function downloadFile(roomId: string, messageId: string): Promise<TransferView> {
  const transfer = await call('files.download', { roomId, messageId });
  upsertTransfer(transfer);
  return transfer;
}

export function hideTransfer(transferId: string): void {
  const hidden = useTransfersStore.getState().hidden;
  useTransfersStore.setState({ hidden: { ...hidden, [transferId]: true } });
}

function isActive(transfer: TransferView): boolean {
  return transfer.state === 'running' || transfer.state === 'paused';
}

export const transfersSelectors = {
  /** The room's upload tray: active uploads, and failed or cancelled ones not yet put away. */
  forRoom:
    (roomId: string) =>
    (s: TransfersState): TransferView[] =>
      Object.values(s.byId).filter(
        (t) =>
          t.direction === 'upload' &&
          t.roomId === roomId &&
          (isActive(t) || (t.state !== 'done' && !s.hidden[t.id])),
      ),
  /** The latest download of a file message, if any. */
  downloadOf:
    (messageId: string) =>
    (s: TransfersState): TransferView | null => {
      let found: TransferView | null = null;
      for (const t of Object.values(s.byId)) {
        if (t.direction === 'download' && t.messageId === messageId) {
          if (found === null || isActive(t) || (t.state === 'done' && !isActive(found))) found = t;
        }
      }
      return found;
    },
};
