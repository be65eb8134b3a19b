// @vitest-environment jsdom
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { connectBridgeEvents } from '../../store/bridgeEvents';
import { selectRoom, setRooms } from '../../store/roomsStore';
import { upsertTransfer } from '../../store/transfersStore';
import { message, room, transfer } from '../../test/fixtures';
import { renderWith } from '../../test/harness';
import type { FakeHandlers } from '../../test/fakeBridge';
import { TID } from '../../testids';
import { RoomScreen } from '../room/RoomScreen';

const FILE_MESSAGE = message({
  id: 'fm',
  kind: 'file',
  text: null,
  file: { name: 'cat.png', size: 5, mime: 'image/png' },
});

function openRoom(handlers: FakeHandlers = {}, history = [FILE_MESSAGE]) {
  setRooms([room()]);
  selectRoom('room-1');
  const result = renderWith(<RoomScreen room={room()} />, {
    'messages.list': () => history,
    'rooms.markRead': () => null,
    ...handlers,
  });
  connectBridgeEvents(result.fake.bridge);
  return result;
}

describe('files', () => {
  let created: Blob[];
  beforeEach(() => {
    created = [];
    URL.createObjectURL = vi.fn((blob: Blob) => {
      created.push(blob);
      return `blob:test/${created.length}`;
    });
    URL.revokeObjectURL = vi.fn();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('uploads attached files with a progress bar and cancel while staging', async () => {
    const user = userEvent.setup();
    let releasePiece: () => void = () => undefined;
    const { fake } = openRoom({
      'files.beginUpload': () => ({ transferId: 'up-1' }),
      'files.writePiece': () =>
        new Promise<null>((resolve) => (releasePiece = () => resolve(null))),
      'files.commitUpload': () =>
        transfer({ id: 'up-1', direction: 'upload', messageId: null, name: 'a.txt', size: 3 }),
    });
    const file = new File(['abc'], 'a.txt', { type: 'text/plain' });
    await user.upload(screen.getByTestId(TID.attachInput), file);
    const item = await screen.findByTestId(TID.transferItem);
    const bar = within(item).getByRole('progressbar');
    expect(bar.getAttribute('aria-valuenow')).toBe('0');
    expect(within(item).getByTestId(TID.transferCancel)).toBeTruthy();
    await act(async () => releasePiece());
    await waitFor(() =>
      expect(fake.callsTo('files.commitUpload')).toEqual([[{ transferId: 'up-1' }]]),
    );
    expect(fake.callsTo('files.beginUpload')[0]).toEqual([
      { roomId: 'room-1', name: 'a.txt', size: 3, mime: 'text/plain' },
    ]);
  });

  it('shows progress and rate from transfers.changed', async () => {
    const { fake } = openRoom();
    await screen.findByTestId(TID.fileCard);
    act(() =>
      fake.emit(
        'transfers.changed',
        transfer({
          id: 'up-2',
          direction: 'upload',
          size: 1000,
          bytesDone: 250,
          bytesPerSecond: 2048,
        }),
      ),
    );
    const bar = await screen.findByRole('progressbar', { name: /Uploading/ });
    expect(bar.getAttribute('aria-valuenow')).toBe('25');
    expect(screen.getByTestId(TID.transferRate).textContent).toBe('2.0 KB/s');
  });

  it('offers Resume for a transfer paused by a restart', async () => {
    const user = userEvent.setup();
    const { fake } = openRoom({
      'files.resume': () => transfer({ id: 'up-3', direction: 'upload', state: 'running' }),
    });
    act(() => upsertTransfer(transfer({ id: 'up-3', direction: 'upload', state: 'paused' })));
    await user.click(await screen.findByTestId(TID.transferResume));
    expect(fake.callsTo('files.resume')).toEqual([[{ transferId: 'up-3' }]]);
  });

  it('downloads a file, then saves it and previews the image', async () => {
    const user = userEvent.setup();
    const clicks: HTMLAnchorElement[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      clicks.push(this);
    });
    const { fake } = openRoom({
      'files.download': () => transfer({ id: 'dl-1', messageId: 'fm', size: 5 }),
      'files.readPiece': ({ offset, length }) =>
        new Uint8Array([1, 2, 3, 4, 5]).slice(offset, offset + length),
      'files.save': () => ({ savedTo: null, url: '/download/ticket-1' }),
    });
    const card = await screen.findByTestId(TID.fileCard);
    expect(card.textContent).toContain('cat.png');
    expect(card.textContent).toContain('image/png');
    await user.click(within(card).getByTestId(TID.downloadButton));
    expect(fake.callsTo('files.download')).toEqual([[{ roomId: 'room-1', messageId: 'fm' }]]);
    expect(await within(card).findByRole('progressbar')).toBeTruthy();

    act(() =>
      fake.emit(
        'transfers.changed',
        transfer({
          id: 'dl-1',
          messageId: 'fm',
          size: 5,
          bytesDone: 5,
          state: 'done',
          ready: true,
        }),
      ),
    );
    const preview = (await within(card).findByTestId(TID.imagePreview)) as HTMLImageElement;
    expect(preview.getAttribute('src')).toMatch(/^blob:/);

    await user.click(within(card).getByTestId(TID.saveButton));
    await waitFor(() => expect(clicks).toHaveLength(1));
    expect(clicks[0]?.download).toBe('cat.png');
    expect(clicks[0]?.getAttribute('href')).toBe('/download/ticket-1');
    expect(fake.callsTo('files.save')).toEqual([[{ transferId: 'dl-1' }]]);
  });

  it('says where the desktop app saved a file', async () => {
    const user = userEvent.setup();
    const { fake } = openRoom({
      'files.download': () => transfer({ id: 'dl-2', messageId: 'fm', size: 5 }),
      'files.save': () => ({ savedTo: '/home/me/Downloads/cat.png', url: null }),
    });
    const card = await screen.findByTestId(TID.fileCard);
    await user.click(within(card).getByTestId(TID.downloadButton));
    act(() =>
      fake.emit(
        'transfers.changed',
        transfer({ id: 'dl-2', messageId: 'fm', size: 5, state: 'done', ready: true }),
      ),
    );
    await user.click(await within(card).findByTestId(TID.saveButton));
    expect(await within(card).findByText('Saved to /home/me/Downloads/cat.png')).toBeTruthy();
  });

  it('uploads files dropped on the room', async () => {
    const { fake } = openRoom({
      'files.beginUpload': () => ({ transferId: 'up-4' }),
      'files.writePiece': () => null,
      'files.commitUpload': () => transfer({ id: 'up-4', direction: 'upload' }),
    });
    const target = await screen.findByTestId(TID.roomView);
    const file = new File(['x'], 'dropped.txt', { type: 'text/plain' });
    const dataTransfer = { types: ['Files'], files: [file], dropEffect: 'none' };
    fireEvent.dragEnter(target, { dataTransfer });
    expect(screen.getByTestId(TID.dropZone)).toBeTruthy();
    fireEvent.drop(target, { dataTransfer });
    await waitFor(() => expect(fake.callsTo('files.commitUpload')).toHaveLength(1));
    expect(screen.queryByTestId(TID.dropZone)).toBeNull();
  });

  it('uploads files pasted into the composer', async () => {
    const { fake } = openRoom({
      'files.beginUpload': () => ({ transferId: 'up-5' }),
      'files.writePiece': () => null,
      'files.commitUpload': () => transfer({ id: 'up-5', direction: 'upload' }),
    });
    const file = new File(['y'], 'pasted.png', { type: 'image/png' });
    fireEvent.paste(await screen.findByTestId(TID.composer), { clipboardData: { files: [file] } });
    await waitFor(() => expect(fake.callsTo('files.beginUpload')).toHaveLength(1));
  });
});
