/**
 * @module files — encrypted file transfer of any size on the peer (issue 5 item 6).
 *
 * `uploadFile` streams a file from disk into a room's blobs (per-file key, AES-256-GCM chunks,
 * bounded parallel PUTs, resumable from a journal after a dropped connection or a restart) and
 * returns the manifest the caller sends inside an encrypted message. `downloadFile` fetches,
 * verifies and decrypts into a temp file and renames it when the whole-file digest matches.
 * Every failure is a `FileTransferError` with a code.
 */
export {
  BlobClient,
  type BlobClientOptions,
  type BlobClientStats,
  type BlobLimits,
} from './blob-client';
export { FileTransferError, type FileTransferErrorCode } from './errors';
export { type TransferProgress, type ProgressListener } from './progress';
export {
  DEFAULT_PARALLEL,
  MAX_PARALLEL,
  discardUpload,
  uploadFile,
  type UploadFileOptions,
} from './upload';
export { downloadFile, type DownloadFileOptions, type DownloadResult } from './download';
