/**
 * `unibus://join?...` links: registered as the OS handler of the `unibus` scheme, received
 * through `open-url` (macOS) or the command line (first start, or a second start on Windows and
 * Linux), checked, and forwarded to the renderer as the `app.joinLink` event, which opens the
 * join flow (the user still confirms there; the link itself grants nothing).
 */
import { resolve } from 'node:path';
import type { App } from 'electron';

export const PROTOCOL_SCHEME = 'unibus';
export const JOIN_LINK_PREFIX = `${PROTOCOL_SCHEME}://join?`;
/** The contract's limit for a link from the renderer. */
const JOIN_LINK_MAX = 8_192;
// eslint-disable-next-line no-control-regex
const WHITESPACE_OR_CONTROL = /[\s\u0000-\u001f\u007f-\u009f]/u;

/** The link when `raw` is a join link we accept, else null. */
export function parseJoinLink(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  if (raw.length <= JOIN_LINK_PREFIX.length || raw.length > JOIN_LINK_MAX) return null;
  if (!raw.startsWith(JOIN_LINK_PREFIX) || WHITESPACE_OR_CONTROL.test(raw)) return null;
  return raw;
}

/** The join link among command-line arguments (Chromium may add switches around it). */
export function findJoinLink(argv: readonly string[]): string | null {
  for (const arg of argv) {
    const link = parseJoinLink(arg);
    if (link !== null) return link;
  }
  return null;
}

/**
 * Holds a link until the renderer can receive it: a link that starts the app arrives long before
 * the page has loaded, and a page that has loaded may not listen yet. The renderer asks for the
 * waiting link (`app.takeJoinLink`) once it listens; from then on links go out as events. Only
 * the newest link is kept.
 */
export interface JoinLinkRelay {
  offer(link: string): void;
  /** The renderer listens now: hands over the waiting link (if any); later ones are delivered. */
  take(): string | null;
  /** The page went away (reload, closed window): hold links again. */
  setReady(ready: boolean): void;
}

export function createJoinLinkRelay(deliver: (link: string) => void): JoinLinkRelay {
  let ready = false;
  let pending: string | null = null;
  const flush = (): void => {
    if (!ready || pending === null) return;
    const link = pending;
    pending = null;
    deliver(link);
  };
  return {
    offer(link) {
      pending = link;
      flush();
    },
    take() {
      ready = true;
      const link = pending;
      pending = null;
      return link;
    },
    setReady(value) {
      ready = value;
      flush();
    },
  };
}

export interface DeepLinkOptions {
  /** A checked join link arrived (also brings the window forward). */
  readonly onJoinLink: (link: string) => void;
  /** A second start without a link: just bring the window forward. */
  readonly onSecondInstance: () => void;
  readonly argv?: readonly string[];
}

/**
 * Registers the scheme and the listeners. Call before `ready` so that macOS's launch `open-url`
 * is not missed; a link in this process's own command line is handed over at once.
 */
export function installDeepLinks(app: App, options: DeepLinkOptions): void {
  if (process.defaultApp && process.argv[1] !== undefined) {
    // Development (`electron .`): the OS must start Electron with the app folder.
    app.setAsDefaultProtocolClient(PROTOCOL_SCHEME, process.execPath, [resolve(process.argv[1])]);
  } else {
    app.setAsDefaultProtocolClient(PROTOCOL_SCHEME);
  }
  app.on('open-url', (event, url) => {
    event.preventDefault();
    const link = parseJoinLink(url);
    if (link !== null) options.onJoinLink(link);
  });
  app.on('second-instance', (_event, argv) => {
    const link = findJoinLink(argv);
    if (link !== null) options.onJoinLink(link);
    else options.onSecondInstance();
  });
  const initial = findJoinLink(options.argv ?? process.argv);
  if (initial !== null) options.onJoinLink(initial);
}
