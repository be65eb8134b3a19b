/**
 * Upload one file: `files.beginUpload`, then the bytes in order in pieces of at most
 * FILE_PIECE_MAX read with `Blob.slice().arrayBuffer()` (never the whole file in memory), then
 * `files.commitUpload`, which sends the file message. Progress of the staging phase is shown as
 * a transfer of its own until main's view takes over.
 */
import { FILE_PIECE_MAX } from '../../../shared/ipc/contract';
import type { TransferView } from '../../../shared/types/app';
import { call } from '../bridge/call';
import { describeError } from '../util/humanError';
import {
  isStagingCancelled,
  markStaging,
  upsertTransfer,
  useTransfersStore,
} from './transfersStore';

const NAME_MAX = 255;
const DEFAULT_MIME = 'application/octet-stream';

/** A name main accepts: 1–255 characters, the extension kept when shortening. */
export function uploadName(name: string): string {
  const trimmed = name.trim() === '' ? 'file' : name.trim();
  if (trimmed.length <= NAME_MAX) return trimmed;
  const dot = trimmed.lastIndexOf('.');
  const ext = dot > 0 && trimmed.length - dot <= 16 ? trimmed.slice(dot) : '';
  return trimmed.slice(0, NAME_MAX - ext.length) + ext;
}

function stagingView(
  id: string,
  roomId: string,
  file: Blob,
  name: string,
  mime: string,
  bytesDone: number,
  startedAt: number,
): TransferView {
  const seconds = Math.max((Date.now() - startedAt) / 1000, 0.001);
  const rate = bytesDone / seconds;
  return {
    id,
    direction: 'upload',
    roomId,
    messageId: null,
    name,
    size: file.size,
    mime,
    bytesDone,
    bytesPerSecond: rate,
    etaSeconds: rate > 0 ? (file.size - bytesDone) / rate : null,
    state: 'running',
    error: null,
    ready: false,
  };
}

/** Resolves with main's view after commit, or null when the user cancelled while staging. */
export async function uploadFile(
  roomId: string,
  file: Blob & { readonly name?: string },
): Promise<TransferView | null> {
  const name = uploadName(file.name ?? 'file');
  const mime = (file.type === '' ? DEFAULT_MIME : file.type).slice(0, 255);
  const { transferId } = await call('files.beginUpload', { roomId, name, size: file.size, mime });
  const startedAt = Date.now();
  markStaging(transferId, true);
  upsertTransfer(stagingView(transferId, roomId, file, name, mime, 0, startedAt));
  try {
    for (let offset = 0; offset < file.size; offset += FILE_PIECE_MAX) {
      if (isStagingCancelled(transferId)) return null;
      const piece = file.slice(offset, Math.min(offset + FILE_PIECE_MAX, file.size));
      const data = new Uint8Array(await piece.arrayBuffer());
      await call('files.writePiece', { transferId, offset, data });
      const done = offset + data.byteLength;
      const current = useTransfersStore.getState().byId[transferId];
      if (current?.state === 'running') {
        upsertTransfer(stagingView(transferId, roomId, file, name, mime, done, startedAt));
      }
    }
    if (isStagingCancelled(transferId)) return null;
    const committed = await call('files.commitUpload', { transferId });
    upsertTransfer(committed);
    return committed;
  } catch (error) {
    if (isStagingCancelled(transferId)) return null;
    const current = useTransfersStore.getState().byId[transferId];
    if (current !== undefined) {
      upsertTransfer({ ...current, state: 'failed', error: failureSentence(error) });
    }
    throw error;
  } finally {
    markStaging(transferId, false);
  }
}

function failureSentence(error: unknown): string {
  const human = describeError(error);
  return human.detail === null ? human.sentence : `${human.sentence} ${human.detail}`;
}
