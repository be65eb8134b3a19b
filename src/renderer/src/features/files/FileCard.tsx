import type { FileView } from '../../../../shared/types/app';
import { ErrorNotice } from '../../components/ErrorNotice';
import { downloadFile, transfersSelectors, useTransfersStore } from '../../store/transfersStore';
import { TID } from '../../testids';
import { formatBytes } from '../../util/format';
import { saveBlob } from '../../util/saveFile';
import { useAction } from '../../util/useAction';
import { ImagePreview, PREVIEW_MAX_BYTES } from './ImagePreview';
import { readDownload } from './readDownload';
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
            onClick={() =>
              void action.run(async () => saveBlob(await readDownload(transfer), file.name))
            }
            data-testid={TID.saveButton}
          >
            Save
          </button>
        )}
      </div>
    </div>
  );
}
