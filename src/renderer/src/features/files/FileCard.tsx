import type { FileView } from '../../../../shared/types/app';
import { ErrorNotice } from '../../components/ErrorNotice';
import { downloadFile, transfersSelectors, useTransfersStore } from '../../store/transfersStore';
import { TID } from '../../testids';
import { formatBytes } from '../../util/format';
import { useState } from 'react';
import { call } from '../../bridge/call';
import { saveUrl } from '../../util/saveFile';
import { useAction } from '../../util/useAction';
import { ImagePreview, PREVIEW_MAX_BYTES } from './ImagePreview';
import { TransferItem } from './TransferItem';

/** A short label for the file icon: its extension, or FILE. */
function fileBadge(name: string): string {
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot + 1) : '';
  return /^[A-Za-z0-9]{1,4}$/.test(ext) ? ext.toUpperCase() : 'FILE';
}

/**
 * A file message: name, size, type; Download, then Save (and a preview for images). The name and
 * type come from the sender and are shown as text only.
 */
export function FileCard({
  roomId,
  messageId,
  file,
}: {
  roomId: string;
  messageId: string;
  file: FileView;
}) {
  const transfer = useTransfersStore(transfersSelectors.downloadOf(messageId));
  const action = useAction();
  const ready = transfer !== null && transfer.state === 'done' && transfer.ready;
  const active = transfer !== null && (transfer.state === 'running' || transfer.state === 'paused');
  const isImage = file.mime.toLowerCase().startsWith('image/');
  const [savedTo, setSavedTo] = useState<string | null>(null);

  // Main saves it: the desktop app copies on disk where the user chose; the web shell hands the
  // browser a one-time link. Either way the bytes never pass through this page.
  const save = async (transferId: string) => {
    const result = await call('files.save', { transferId });
    if (result.url !== null) saveUrl(result.url, file.name);
    setSavedTo(result.savedTo);
  };

  return (
    <div className="file-card" data-testid={TID.fileCard} data-file-name={file.name}>
      <div className="file-card-head">
        <span className="file-icon" aria-hidden="true">
          {fileBadge(file.name)}
        </span>
        <div>
          <div className="file-name">{file.name}</div>
          <div className="muted">
            {formatBytes(file.size)} · {file.mime === '' ? 'unknown type' : file.mime}
          </div>
        </div>
      </div>
      {transfer !== null && !ready && <TransferItem transfer={transfer} compact />}
      {ready && isImage && file.size <= PREVIEW_MAX_BYTES && (
        <ImagePreview transfer={transfer} alt={file.name} />
      )}
      <ErrorNotice error={action.error} />
      {savedTo !== null && <div className="muted">Saved to {savedTo}</div>}
      <div className="file-card-actions">
        {!active && !ready && (
          <button
            type="button"
            disabled={action.busy}
            onClick={() => void action.run(() => downloadFile(roomId, messageId))}
            data-testid={TID.downloadButton}
          >
            {transfer === null ? 'Download' : 'Download again'}
          </button>
        )}
        {ready && (
          <button
            type="button"
            className="primary"
            disabled={action.busy}
            onClick={() => void action.run(() => save(transfer.id))}
            data-testid={TID.saveButton}
          >
            Save
          </button>
        )}
      </div>
    </div>
  );
}
