/**
 * `AppServiceOptions.saveFile` for Electron: asks where to save a finished download (the
 * system's save dialog, in the Downloads folder by default) and copies the file on disk, so its
 * bytes never pass through the renderer.
 */
import { copyFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { app, dialog, type BrowserWindow } from 'electron';

/** A name that stays one file name on every platform (the sender chose it). */
export function safeFileName(name: string): string {
  const characters = [...basename(name.replace(/\\/g, '/'))].map((c) =>
    c.charCodeAt(0) < 0x20 || '<>:"|?*'.includes(c) ? '_' : c,
  );
  const cleaned = characters.join('').replace(/^\.+/, '_').trim();
  return cleaned === '' ? 'download' : cleaned.slice(0, 200);
}

export function createSaveFile(getWindow: () => BrowserWindow | null) {
  return async (source: string, suggestedName: string): Promise<string | null> => {
    const window = getWindow();
    const options = { defaultPath: join(app.getPath('downloads'), safeFileName(suggestedName)) };
    const result =
      window === null
        ? await dialog.showSaveDialog(options)
        : await dialog.showSaveDialog(window, options);
    if (result.canceled || result.filePath === undefined || result.filePath === '') return null;
    await copyFile(source, result.filePath);
    return result.filePath;
  };
}
