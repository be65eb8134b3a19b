/**
 * The contract on Electron's IPC: one `ipcMain.handle` per contract call, each refusing any sender
 * but the main frame of our window on our page, then handing the untrusted arguments to the
 * host-neutral dispatcher (which parses them). Events go to our window only.
 */
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { PermissionDeniedError, toSerializedError } from '../../shared/errors';
import {
  IPC_CALL_NAMES,
  ipcCallChannel,
  ipcEventChannel,
  type IpcCallName,
  type IpcReply,
} from '../../shared/ipc';
import type { IpcDispatch, IpcEventSink } from '../ipc';

/**
 * Whether `url` is our renderer: the very same file for a built app (file:), the same origin for
 * the dev server. file:, data:, about: and other opaque URLs all have the origin "null", so an
 * origin comparison alone would let a data: page pass for our file: page.
 */
export function isTrustedRendererUrl(url: string, trustedRendererUrl: string): boolean {
  if (!URL.canParse(url)) return false;
  const parsed = new URL(url);
  const trusted = new URL(trustedRendererUrl);
  if (trusted.protocol === 'file:') {
    return (
      parsed.protocol === 'file:' &&
      parsed.host === trusted.host &&
      parsed.pathname === trusted.pathname
    );
  }
  return parsed.origin !== 'null' && parsed.origin === trusted.origin;
}

/** Main frame of our window, showing our page. */
export function isTrustedSender(
  event: IpcMainInvokeEvent,
  window: BrowserWindow | null,
  trustedRendererUrl: string,
): boolean {
  const frame = event.senderFrame;
  if (frame === null || frame.parent !== null) return false; // main frame only
  if (window === null || window.isDestroyed() || event.sender !== window.webContents) return false;
  return isTrustedRendererUrl(frame.url, trustedRendererUrl);
}

export interface IpcRegistration {
  /** The dispatcher; a promise while the app service is still starting. */
  readonly dispatch: IpcDispatch | Promise<IpcDispatch>;
  readonly isTrusted: (event: IpcMainInvokeEvent) => boolean;
}

function refuse(name: IpcCallName): IpcReply<unknown> {
  const error = new PermissionDeniedError(`IPC ${name} refused: untrusted sender`);
  return { ok: false, error: toSerializedError(error) };
}

/** Registers every contract call; returns a function that removes them again. */
export function registerIpc({ dispatch, isTrusted }: IpcRegistration): () => void {
  const channels: string[] = [];
  for (const name of IPC_CALL_NAMES) {
    const channel = ipcCallChannel(name);
    ipcMain.handle(channel, async (event, ...raw: unknown[]): Promise<IpcReply<unknown>> => {
      if (!isTrusted(event)) {
        console.warn(`IPC ${name} refused: untrusted sender (${event.senderFrame?.url ?? '?'})`);
        return refuse(name);
      }
      let run: IpcDispatch;
      try {
        run = await dispatch;
      } catch (error) {
        // The app service did not start (already reported to the user): a generic error only.
        return { ok: false, error: toSerializedError(error) };
      }
      return run(name, raw);
    });
    channels.push(channel);
  }
  return () => {
    for (const channel of channels) ipcMain.removeHandler(channel);
  };
}

/** Pushes events to our window's renderer, and only while it shows our page. */
export function createEventSink(
  getWindow: () => BrowserWindow | null,
  trustedRendererUrl: string,
): IpcEventSink {
  return (name, payload) => {
    const window = getWindow();
    if (window === null || window.isDestroyed()) return;
    const contents = window.webContents;
    if (contents.isDestroyed() || !isTrustedRendererUrl(contents.getURL(), trustedRendererUrl)) {
      return;
    }
    contents.send(ipcEventChannel(name), payload);
  };
}
