import { useEffect, useState } from 'react';
import type { TransferView } from '../../../../shared/types/app';
import { TID } from '../../testids';
import { readDownload } from './readDownload';

/** Larger images are not previewed (the bytes would have to sit in memory); Save still works. */
export const PREVIEW_MAX_BYTES = 25 * 1024 * 1024;

/** An inline preview of a downloaded image, through a blob: URL revoked when it goes away. */
export function ImagePreview({ transfer, alt }: { transfer: TransferView; alt: string }) {
  const [url, setUrl] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let cancelled = false;
    let created: string | null = null;
    readDownload(transfer)
      .then((blob) => {
        if (cancelled) return;
        created = URL.createObjectURL(blob);
        setUrl(created);
      })
      .catch(() => {
        if (!cancelled) setFailed(true);
      });
    return () => {
      cancelled = true;
      if (created !== null) URL.revokeObjectURL(created);
    };
    // Re-read only for another transfer; progress events for this one change nothing here.
  }, [transfer.id]);

  if (failed) return <p className="muted">The preview could not be shown; Save still works.</p>;
  if (url === null) return <p className="muted">Loading preview…</p>;
  return (
    <img
      className="image-preview"
      src={url}
      alt={alt}
      onError={() => setFailed(true)}
      data-testid={TID.imagePreview}
    />
  );
}
