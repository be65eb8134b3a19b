// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';
import { FILE_PIECE_MAX } from '../../../shared/ipc/contract';
import { transfer } from '../test/fixtures';
import { installFakeBridge } from '../test/harness';
import { cancelTransfer, useTransfersStore } from './transfersStore';
import { uploadFile, uploadName } from './uploadFile';

function fileOf(size: number, name = 'big.bin', type = 'application/x-test'): File {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = i % 251;
  return new File([bytes], name, { type });
}

describe('uploadFile', () => {
  it('begins, writes 1 MiB pieces in order, then commits', async () => {
    const written: { offset: number; length: number; first: number }[] = [];
    const fake = installFakeBridge({
      'files.beginUpload': () => ({ transferId: 'up-1' }),
      'files.writePiece': ({ offset, data }) => {
        written.push({ offset, length: data.byteLength, first: data[0] ?? -1 });
        return null;
      },
      'files.commitUpload': () =>
        transfer({ id: 'up-1', direction: 'upload', messageId: null, state: 'running' }),
    });
    const size = FILE_PIECE_MAX * 2 + 123;
    const result = await uploadFile('room-1', fileOf(size));
    expect(fake.callsTo('files.beginUpload')).toEqual([
      [{ roomId: 'room-1', name: 'big.bin', size, mime: 'application/x-test' }],
    ]);
    expect(written).toEqual([
      { offset: 0, length: FILE_PIECE_MAX, first: 0 },
      { offset: FILE_PIECE_MAX, length: FILE_PIECE_MAX, first: FILE_PIECE_MAX % 251 },
      { offset: FILE_PIECE_MAX * 2, length: 123, first: (FILE_PIECE_MAX * 2) % 251 },
    ]);
    expect(fake.callsTo('files.commitUpload')).toEqual([[{ transferId: 'up-1' }]]);
    expect(result?.id).toBe('up-1');
  });

  it('commits an empty file without pieces and defaults the mime type', async () => {
    const fake = installFakeBridge({
      'files.beginUpload': () => ({ transferId: 'up-2' }),
      'files.commitUpload': () => transfer({ id: 'up-2', direction: 'upload' }),
    });
    await uploadFile('room-1', fileOf(0, 'empty', ''));
    expect(fake.callsTo('files.beginUpload')[0]).toEqual([
      { roomId: 'room-1', name: 'empty', size: 0, mime: 'application/octet-stream' },
    ]);
    expect(fake.callsTo('files.writePiece')).toEqual([]);
  });

  it('stops between pieces when cancelled, and never commits', async () => {
    let release: () => void = () => undefined;
    const fake = installFakeBridge({
      'files.beginUpload': () => ({ transferId: 'up-3' }),
      'files.writePiece': () => new Promise<null>((resolve) => (release = () => resolve(null))),
      'files.cancel': () => null,
    });
    const upload = uploadFile('room-1', fileOf(FILE_PIECE_MAX * 3));
    // Cancel while the first piece is in flight (reading 1 MiB in jsdom is slow on a busy machine).
    await vi.waitFor(() => expect(fake.callsTo('files.writePiece')).toHaveLength(1), {
      timeout: 30_000,
    });
    await cancelTransfer('up-3');
    release();
    await expect(upload).resolves.toBeNull();
    expect(fake.callsTo('files.writePiece')).toHaveLength(1);
    expect(fake.callsTo('files.commitUpload')).toEqual([]);
    expect(useTransfersStore.getState().byId['up-3']?.state).toBe('cancelled');
  });

  it('marks the transfer failed with a sentence when a piece is refused', async () => {
    installFakeBridge({
      'files.beginUpload': () => ({ transferId: 'up-4' }),
      'files.writePiece': () => {
        throw Object.assign(new Error('quota exceeded'), { name: 'PermissionDeniedError' });
      },
    });
    await expect(uploadFile('room-1', fileOf(10))).rejects.toMatchObject({
      name: 'PermissionDeniedError',
    });
    const failed = useTransfersStore.getState().byId['up-4'];
    expect(failed?.state).toBe('failed');
    expect(failed?.error).toContain('quota exceeded');
  });

  it('shortens long names and keeps the extension', () => {
    const name = uploadName(`${'a'.repeat(300)}.jpeg`);
    expect(name).toHaveLength(255);
    expect(name.endsWith('.jpeg')).toBe(true);
  });
});
