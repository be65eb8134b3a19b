/**
 * The bytes of a finished download, read from main in pieces of at most FILE_PIECE_MAX
 * (`files.readPiece`) and assembled into a Blob for an <img> preview or a save.
 */
import { FILE_PIECE_MAX } from '../../../../shared/ipc/contract';
import type { TransferView } from '../../../../shared/types/app';
import { call } from '../../bridge/call';

export async function readDownload(transfer: TransferView): Promise<Blob> {
  const pieces: Uint8Array<ArrayBuffer>[] = [];
  let offset = 0;
  while (offset < transfer.size) {
    const length = Math.min(FILE_PIECE_MAX, transfer.size - offset);
    const piece = await call('files.readPiece', { transferId: transfer.id, offset, length });
    if (piece.byteLength === 0) break; // Shorter than announced: keep what there is.
    pieces.push(new Uint8Array(piece));
    offset += piece.byteLength;
  }
  return new Blob(pieces, { type: transfer.mime || 'application/octet-stream' });
}
