/**
 * Opening links in the system browser. Links come from message content (attacker-controlled), so
 * only https: (with a host and no credentials) and mailto: pass, the OS gets the URL as the URL
 * parser re-serialized it (never the raw text), and the user confirms first.
 */
import { dialog, shell, type BrowserWindow, type MessageBoxOptions } from 'electron';

/** Longest link accepted (the contract's limit for links from the renderer). */
export const EXTERNAL_URL_MAX = 8_192;
/** Whitespace (Unicode included) and C0/C1 control characters: never in a link we open. */
// eslint-disable-next-line no-control-regex
const WHITESPACE_OR_CONTROL = /[\s\u0000-\u001f\u007f-\u009f]/u;

/** The URL to hand to the OS, or null when the link must not be opened. */
export function safeExternalUrl(raw: unknown): string | null {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > EXTERNAL_URL_MAX) return null;
  // The URL parser silently drops tabs and newlines and trims spaces and controls: a link that
  // needs that cleaning is a trick, not a typo, so it is refused rather than repaired.
  if (WHITESPACE_OR_CONTROL.test(raw)) return null;
  if (!URL.canParse(raw)) return null;
  const url = new URL(raw);
  if (url.username !== '' || url.password !== '') return null;
  switch (url.protocol) {
    case 'https:':
      return url.hostname !== '' ? url.href : null;
    case 'mailto:':
      return url.pathname !== '' ? url.href : null;
    default:
      return null;
  }
}

export interface OpenExternalDeps {
  /** The window the confirmation is attached to, when there is one. */
  readonly getWindow: () => BrowserWindow | null;
}

/** `AppServiceOptions.openExternal`: filter, confirm, then open. Resolves to whether it opened. */
export function createOpenExternal(deps: OpenExternalDeps): (url: string) => Promise<boolean> {
  return async (raw) => {
    const href = safeExternalUrl(raw);
    if (href === null) return false;
    const options: MessageBoxOptions = {
      type: 'question',
      buttons: ['Open link', 'Cancel'],
      defaultId: 1,
      cancelId: 1,
      noLink: true,
      title: 'Open link',
      message: 'Open this link in your browser?',
      detail: href,
    };
    const window = deps.getWindow();
    const { response } =
      window !== null && !window.isDestroyed()
        ? await dialog.showMessageBox(window, options)
        : await dialog.showMessageBox(options);
    if (response !== 0) return false;
    await shell.openExternal(href);
    return true;
  };
}
