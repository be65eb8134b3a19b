/**
 * File transfers started from the UI. Uploads arrive from the renderer in pieces (a browser has
 * bytes, not paths), are staged to a 0600 file in the profile, then uploaded from disk by the
 * files module (streaming, resumable from its journal). Upload records persist, so after a
 * restart an unfinished upload is listed as paused and can be resumed. Finished downloads are
 * kept in the profile until the app restarts, for preview and save.
 */
import { randomBytes } from 'node:crypto';
import {
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  type FileHandle,
} from 'node:fs/promises';
import { join } from 'node:path';
import { ConflictError, NotFoundError, ValidationError } from '../../shared/errors';
import type { TransferView } from '../../shared/types';
import { writeFileAtomic } from '../base/atomic-file';
import {
  BlobClient,
  FileTransferError,
  discardUpload,
  downloadFile,
  uploadFile,
  type TransferProgress,
} from '../files';
import type { PeerSession } from './peer-session';
import { toAppError } from './errors';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Transfer = Mutable<TransferView>;

interface Active {
  controller: AbortController;
  staging?: FileHandle;
}

export class Transfers {
  private readonly transfers = new Map<string, Transfer>();
  private readonly active = new Map<string, Active>();

  private constructor(
    private readonly dir: string,
    private readonly blobs: () => BlobClient,
    private readonly session: () => PeerSession,
    private readonly emit: (view: TransferView) => void,
  ) {}

  static async open(
    profileDir: string,
    blobs: () => BlobClient,
    session: () => PeerSession,
    emit: (view: TransferView) => void,
  ): Promise<Transfers> {
    const transfers = new Transfers(join(profileDir, 'transfers'), blobs, session, emit);
    await transfers.load();
    return transfers;
  }

  private path(kind: 'staging' | 'outgoing' | 'records' | 'downloads', id?: string): string {
    return id === undefined ? join(this.dir, kind) : join(this.dir, kind, id);
  }

  /** Unfinished uploads from earlier runs come back paused; old downloads are removed. */
  private async load(): Promise<void> {
    for (const kind of ['staging', 'outgoing', 'records', 'downloads'] as const) {
      await mkdir(this.path(kind), { recursive: true, mode: 0o700 });
    }
    await rm(this.path('staging'), { recursive: true, force: true });
    await rm(this.path('downloads'), { recursive: true, force: true });
    await mkdir(this.path('staging'), { mode: 0o700 });
    await mkdir(this.path('downloads'), { mode: 0o700 });
    for (const name of await readdir(this.path('records'))) {
      try {
        const record = JSON.parse(await readFile(this.path('records', name), 'utf8')) as Transfer;
        if (record.direction !== 'upload' || typeof record.id !== 'string') continue;
        this.transfers.set(record.id, {
          ...record,
          state: 'paused',
          bytesPerSecond: 0,
          etaSeconds: null,
        });
      } catch {
        await rm(this.path('records', name), { force: true }); // damaged: the upload restarts
      }
    }
  }

  list(): TransferView[] {
    return [...this.transfers.values()].map((t) => ({ ...t }));
  }

  // ----------------------------------------------------------------- uploads

  async beginUpload(roomId: string, name: string, size: number, mime: string): Promise<string> {
    this.session().requireOpen(roomId);
    const id = randomBytes(16).toString('base64url');
    const staging = await open(this.path('staging', id), 'wx', 0o600);
    this.active.set(id, { controller: new AbortController(), staging });
    this.set({
      id,
      direction: 'upload',
      roomId,
      messageId: null,
      name,
      size,
      mime: mime === '' ? 'application/octet-stream' : mime,
      bytesDone: 0,
      bytesPerSecond: 0,
      etaSeconds: null,
      state: 'running',
      error: null,
      ready: false,
    });
    return id;
  }

  /** Appends one piece; pieces must come in order (offset = bytes staged so far). */
  async writePiece(id: string, offset: number, data: Uint8Array): Promise<void> {
    const transfer = this.require(id);
    const staging = this.active.get(id)?.staging;
    if (staging === undefined) throw new ConflictError('This upload is not accepting data.');
    const staged = (await staging.stat()).size;
    if (offset !== staged)
      throw new ValidationError(`expected the piece at ${staged}, got ${offset}`);
    if (staged + data.byteLength > transfer.size) {
      throw new ValidationError('more data than the file size announced');
    }
    await staging.write(data, 0, data.byteLength, offset);
  }

  async commitUpload(id: string): Promise<TransferView> {
    const transfer = this.require(id);
    const active = this.active.get(id);
    const staging = active?.staging;
    if (active === undefined || staging === undefined) {
      throw new ConflictError('This upload was already committed.');
    }
    const staged = (await staging.stat()).size;
    if (staged !== transfer.size) {
      throw new ValidationError(`the file is incomplete (${staged} of ${transfer.size} bytes)`);
    }
    await staging.sync();
    await staging.close();
    delete active.staging;
    await rename(this.path('staging', id), this.path('outgoing', id));
    await this.saveRecord(transfer);
    this.runUpload(transfer);
    return { ...transfer };
  }

  async resume(id: string): Promise<TransferView> {
    const transfer = this.require(id);
    if (transfer.direction !== 'upload' || !['paused', 'failed'].includes(transfer.state)) {
      throw new ConflictError('Only a paused or failed upload can be resumed.');
    }
    await stat(this.path('outgoing', id)).catch(() => {
      throw new NotFoundError('The staged file is gone; send the file again.');
    });
    this.runUpload(transfer);
    return { ...transfer };
  }

  private runUpload(transfer: Transfer): void {
    const controller = new AbortController();
    this.active.set(transfer.id, { controller });
    this.update(transfer, { state: 'running', error: null });
    const path = this.path('outgoing', transfer.id);
    void (async () => {
      try {
        const manifest = await uploadFile({
          blobs: this.blobs(),
          roomId: transfer.roomId,
          path,
          name: transfer.name,
          mime: transfer.mime,
          journalDir: this.dir,
          signal: controller.signal,
          onProgress: (p) => this.progress(transfer, p),
        });
        const sent = await this.session().send(
          transfer.roomId,
          { type: 'message', file: manifest },
          { name: transfer.name, size: transfer.size, mime: transfer.mime },
        );
        this.update(transfer, { state: 'done', messageId: sent.id, bytesDone: transfer.size });
        await this.forgetUpload(transfer, path);
      } catch (error) {
        await this.uploadFailed(transfer, path, error);
      } finally {
        this.active.delete(transfer.id);
      }
    })();
  }

  private async uploadFailed(transfer: Transfer, path: string, error: unknown): Promise<void> {
    if (error instanceof FileTransferError && error.code === 'aborted') {
      this.update(transfer, { state: 'cancelled', error: null });
      await discardUpload({ journalDir: this.dir, roomId: transfer.roomId, path }).catch(() => {});
      await this.forgetUpload(transfer, path);
      return;
    }
    const typed = toAppError(error);
    const message = typed instanceof Error ? typed.message : 'The upload failed.';
    const resumable = error instanceof FileTransferError && error.code === 'unreachable';
    this.update(transfer, { state: resumable ? 'paused' : 'failed', error: message });
  }

  private async forgetUpload(transfer: Transfer, path: string): Promise<void> {
    await rm(path, { force: true });
    await rm(this.path('records', transfer.id), { force: true });
  }

  private async saveRecord(transfer: Transfer): Promise<void> {
    await writeFileAtomic(this.path('records', transfer.id), JSON.stringify(transfer), {
      mode: 0o600,
    });
  }

  // --------------------------------------------------------------- downloads

  async download(roomId: string, messageId: string): Promise<TransferView> {
    const message = this.session().message(roomId, messageId);
    const manifest = message.file;
    if (manifest === undefined) throw new ValidationError('That message carries no file.');
    const id = randomBytes(16).toString('base64url');
    const transfer: Transfer = {
      id,
      direction: 'download',
      roomId,
      messageId,
      name: manifest.name,
      size: manifest.size,
      mime: manifest.mime,
      bytesDone: 0,
      bytesPerSecond: 0,
      etaSeconds: null,
      state: 'running',
      error: null,
      ready: false,
    };
    this.set(transfer);
    const controller = new AbortController();
    this.active.set(id, { controller });
    void downloadFile({
      blobs: this.blobs(),
      roomId,
      manifest,
      outPath: this.path('downloads', id),
      signal: controller.signal,
      onProgress: (p) => this.progress(transfer, p),
    })
      .then(() => this.update(transfer, { state: 'done', ready: true, bytesDone: transfer.size }))
      .catch((error: unknown) => {
        const aborted = error instanceof FileTransferError && error.code === 'aborted';
        const typed = toAppError(error);
        this.update(transfer, {
          state: aborted ? 'cancelled' : 'failed',
          error: aborted ? null : typed instanceof Error ? typed.message : 'The download failed.',
        });
      })
      .finally(() => this.active.delete(id));
    return { ...transfer };
  }

  /** The finished download's file in the profile, with its name and type. */
  finished(id: string): { path: string; name: string; mime: string } {
    const transfer = this.require(id);
    if (transfer.direction !== 'download' || !transfer.ready) {
      throw new ConflictError('This download has not finished.');
    }
    return { path: this.path('downloads', id), name: transfer.name, mime: transfer.mime };
  }

  async readPiece(id: string, offset: number, length: number): Promise<Uint8Array> {
    const transfer = this.require(id);
    this.finished(id);
    if (offset > transfer.size) throw new ValidationError('offset is past the end of the file');
    const file = await open(this.path('downloads', id), 'r');
    try {
      const buffer = new Uint8Array(Math.min(length, transfer.size - offset));
      const { bytesRead } = await file.read(buffer, 0, buffer.length, offset);
      return buffer.subarray(0, bytesRead);
    } finally {
      await file.close();
    }
  }

  // ------------------------------------------------------------------ common

  async cancel(id: string): Promise<void> {
    const transfer = this.require(id);
    const active = this.active.get(id);
    if (active?.staging !== undefined) {
      await active.staging.close();
      await rm(this.path('staging', id), { force: true });
      this.active.delete(id);
      this.update(transfer, { state: 'cancelled' });
      return;
    }
    if (active !== undefined) {
      active.controller.abort();
      return;
    }
    if (transfer.state === 'paused' || transfer.state === 'failed') {
      if (transfer.direction === 'upload') {
        const path = this.path('outgoing', id);
        await discardUpload({ journalDir: this.dir, roomId: transfer.roomId, path }).catch(
          () => {},
        );
        await this.forgetUpload(transfer, path);
      }
      this.update(transfer, { state: 'cancelled' });
    }
  }

  /** Stops every running transfer (uploads stay resumable from their journals). */
  async close(): Promise<void> {
    for (const active of this.active.values()) {
      active.controller.abort();
      await active.staging?.close().catch(() => {});
    }
    this.active.clear();
  }

  private require(id: string): Transfer {
    const transfer = this.transfers.get(id);
    if (transfer === undefined) throw new NotFoundError('No such transfer.');
    return transfer;
  }

  private set(transfer: Transfer): void {
    this.transfers.set(transfer.id, transfer);
    this.emit({ ...transfer });
  }

  private update(transfer: Transfer, change: Partial<Transfer>): void {
    Object.assign(transfer, change);
    if (transfer.state !== 'running') {
      transfer.bytesPerSecond = 0;
      transfer.etaSeconds = null;
    }
    this.emit({ ...transfer });
  }

  private progress(transfer: Transfer, p: TransferProgress): void {
    this.update(transfer, {
      bytesDone: p.bytesDone,
      bytesPerSecond: Math.round(p.rateBytesPerSecond),
      etaSeconds: p.etaSeconds,
    });
  }
}
