/**
 * The typed IPC contract: the one list of every call the renderer may make to main and every event
 * main may push to the renderer, with their types. Main registers handlers from it, the preload
 * builds its bridge from it, the renderer gets its types from it. Process-neutral.
 *
 * Adding a call: add it to `IpcCalls` (types), then to `IPC_CALLS` (runtime argument parser);
 * the mapped types below make forgetting either a compile error.
 */
import { ValidationError, fromSerializedError, type SerializedError } from '../errors';
import type * as V from '../types/app';
import type { ConnectionState } from '../types/connection';
import {
  boolean,
  bytes,
  handle,
  id,
  integer,
  object,
  oneArgument,
  oneOf,
  optional,
  port,
  text,
} from './validate';

/** Largest piece of a file the renderer sends or reads in one call. */
export const FILE_PIECE_MAX = 1024 * 1024;
/** Longest message text (characters); the frame limit is checked again in main. */
export const MESSAGE_TEXT_MAX = 16_000;
/** Longest identity card, join link or backup text accepted from the renderer. */
const CARD_MAX = 1_024;
const LINK_MAX = 8_192;
const BACKUP_MAX = 64 * 1024;
const PASSPHRASE = text({ min: 8, max: 1_024 });
const ROOM = object({ roomId: id });

/** Calls: name → argument tuple and result. The renderer is untrusted; main parses every argument. */
export interface IpcCalls {
  'app.getVersion': { args: []; result: string };
  'app.getState': { args: []; result: V.AppState };
  /**
   * The join link that opened the app (deep link), if one is waiting; after this call, links
   * arrive as `app.joinLink` events. The renderer calls it once it listens.
   */
  'app.takeJoinLink': { args: []; result: { link: string | null } };
  /** Opens an https: or mailto: link in the system browser after the user confirms. */
  'app.openExternal': { args: [{ url: string }]; result: { opened: boolean } };

  'identity.create': {
    args: [{ handle: string; passphrase?: string }];
    result: V.IdentityView;
  };
  'identity.unlock': { args: [{ passphrase: string }]; result: V.IdentityView };
  /** An encrypted backup (JSON text, sealed under `passphrase`). */
  'identity.exportBackup': { args: [{ passphrase: string }]; result: { backup: string } };
  'identity.importBackup': {
    args: [{ backup: string; passphrase: string; storePassphrase?: string }];
    result: V.IdentityView;
  };

  'node.host': { args: [V.HostOptions]; result: V.NodeStatusView };
  'node.status': { args: []; result: V.NodeStatusView };
  'node.stop': { args: []; result: V.NodeStatusView };
  'node.start': { args: []; result: V.NodeStatusView };

  'join.preview': { args: [{ link: string }]; result: V.JoinPreview };
  'join.accept': { args: [{ link: string; caFingerprint: string }]; result: V.AppState };

  'rooms.list': { args: []; result: V.RoomView[] };
  'rooms.create': {
    args: [{ name: string; topic: string; persist: boolean; history: 'all' | 'since-join' }];
    result: V.RoomView;
  };
  'rooms.leave': { args: [{ roomId: string }]; result: null };
  'rooms.markRead': { args: [{ roomId: string }]; result: null };
  /** Forget a room this user was removed from (it stays listed as removed until then). */
  'rooms.dismiss': { args: [{ roomId: string }]; result: null };

  'members.list': { args: [{ roomId: string }]; result: V.MemberView[] };
  /** `who`: an endpoint id from the directory, or a pasted identity card. */
  'members.invite': { args: [{ roomId: string; who: string }]; result: V.MemberView[] };
  'members.kick': { args: [{ roomId: string; endpoint: string }]; result: V.KickReceiptView };
  'directory.search': { args: [{ query: string }]; result: V.DirectoryEntryView[] };

  'messages.list': { args: [{ roomId: string }]; result: V.MessageView[] };
  'messages.send': { args: [{ roomId: string; text: string }]; result: V.MessageView };

  /** Upload: begin → write pieces in order → commit (sends the file message) or cancel. */
  'files.beginUpload': {
    args: [{ roomId: string; name: string; size: number; mime: string }];
    result: { transferId: string };
  };
  'files.writePiece': {
    args: [{ transferId: string; offset: number; data: Uint8Array }];
    result: null;
  };
  'files.commitUpload': { args: [{ transferId: string }]; result: V.TransferView };
  'files.download': { args: [{ roomId: string; messageId: string }]; result: V.TransferView };
  /** Bytes of a finished download (for preview and save). */
  'files.readPiece': {
    args: [{ transferId: string; offset: number; length: number }];
    result: Uint8Array;
  };
  /**
   * Saves a finished download outside the profile without passing its bytes through the
   * renderer: Electron asks where and copies on disk (`savedTo`, null if the user cancelled); the
   * web shell answers a one-time same-origin `url` for the browser to download from.
   */
  'files.save': {
    args: [{ transferId: string }];
    result: { savedTo: string | null; url: string | null };
  };
  'files.cancel': { args: [{ transferId: string }]; result: null };
  /** Continue a paused upload (after a restart or a network drop). */
  'files.resume': { args: [{ transferId: string }]; result: V.TransferView };
  'files.transfers': { args: []; result: V.TransferView[] };

  'admin.listUsers': { args: []; result: V.UserView[] };
  'admin.addUser': {
    args: [{ card: string; role: 'admin' | 'member' }];
    result: V.UserView[];
  };
  'admin.revokeUser': { args: [{ endpoint: string }]; result: V.UserView[] };
  'admin.listInvites': { args: []; result: V.InviteView[] };
  'admin.createInvite': {
    args: [{ role: 'admin' | 'member'; ttlSeconds: number; maxUses: number }];
    result: V.MintedInviteView;
  };
  'admin.revokeInvite': { args: [{ id: string }]; result: V.InviteView[] };
  'admin.listInviteKeys': { args: []; result: V.InviteKeyView[] };
  /** Replaces the invite signing key; links made before work for `graceSeconds` more. */
  'admin.rotateInviteKey': { args: [{ graceSeconds: number }]; result: V.InviteKeyView[] };

  'settings.get': { args: []; result: V.SettingsView };
  'settings.update': {
    args: [{ theme?: V.Theme; notifications?: boolean; startHiddenAtLogin?: boolean }];
    result: V.SettingsView;
  };
}

/** Events pushed by main: name → payload. */
export interface IpcEvents {
  'app.connectionState': ConnectionState;
  'app.state': V.AppState;
  'rooms.changed': V.RoomView[];
  /** New or updated messages (own state changes included) of one room. */
  'messages.changed': { roomId: string; messages: V.MessageView[] };
  'transfers.changed': V.TransferView;
  'node.status': V.NodeStatusView;
  /** A deep link (`unibus://join?...`) was opened: show the join flow with it. */
  'app.joinLink': { link: string };
  /** The user clicked a notification: show this room. */
  'app.openRoom': { roomId: string };
}

export type IpcCallName = keyof IpcCalls;
export type IpcEventName = keyof IpcEvents;
export type IpcArgs<N extends IpcCallName> = IpcCalls[N]['args'];
export type IpcResult<N extends IpcCallName> = IpcCalls[N]['result'];
export type IpcEventPayload<E extends IpcEventName> = IpcEvents[E];

/** What a handler in main answers: errors travel by name (see ../errors.ts). */
export type IpcReply<R> =
  | { readonly ok: true; readonly value: R }
  | { readonly ok: false; readonly error: SerializedError };

export interface IpcCallSpec<N extends IpcCallName> {
  /** Check untrusted arguments; throws `ValidationError`. */
  readonly parseArgs: (raw: readonly unknown[]) => IpcArgs<N>;
}

/** Argument parser for calls that take nothing. */
export function parseNoArgs(raw: readonly unknown[]): [] {
  if (raw.length !== 0) {
    throw new ValidationError(`expected no arguments, got ${raw.length}`);
  }
  return [];
}

const noArgs = { parseArgs: parseNoArgs };

/** Runtime table of calls; exactly the keys of `IpcCalls`. */
export const IPC_CALLS: { readonly [N in IpcCallName]: IpcCallSpec<N> } = Object.freeze({
  'app.getVersion': noArgs,
  'app.getState': noArgs,
  'app.takeJoinLink': noArgs,
  'app.openExternal': { parseArgs: oneArgument(object({ url: text({ min: 1, max: LINK_MAX }) })) },

  'identity.create': {
    parseArgs: oneArgument(object({ handle, passphrase: optional(PASSPHRASE) })),
  },
  'identity.unlock': { parseArgs: oneArgument(object({ passphrase: PASSPHRASE })) },
  'identity.exportBackup': { parseArgs: oneArgument(object({ passphrase: PASSPHRASE })) },
  'identity.importBackup': {
    parseArgs: oneArgument(
      object({
        backup: text({ min: 1, max: BACKUP_MAX }),
        passphrase: PASSPHRASE,
        storePassphrase: optional(PASSPHRASE),
      }),
    ),
  },

  'node.host': {
    parseArgs: oneArgument(
      object({
        bind: text({ min: 1, max: 64, pattern: /^[0-9A-Za-z.:[\]-]+$/ }),
        httpPort: port,
        natsPort: port,
        dataDir: optional(text({ min: 1, max: 4_096 })),
      }),
    ),
  },
  'node.status': noArgs,
  'node.stop': noArgs,
  'node.start': noArgs,

  'join.preview': { parseArgs: oneArgument(object({ link: text({ min: 1, max: LINK_MAX }) })) },
  'join.accept': {
    parseArgs: oneArgument(
      object({ link: text({ min: 1, max: LINK_MAX }), caFingerprint: text({ min: 1, max: 256 }) }),
    ),
  },

  'rooms.list': noArgs,
  'rooms.create': {
    parseArgs: oneArgument(
      object({
        name: text({ min: 1, max: 200 }),
        topic: text({ max: 1_000 }),
        persist: boolean,
        history: oneOf('all', 'since-join'),
      }),
    ),
  },
  'rooms.leave': { parseArgs: oneArgument(ROOM) },
  'rooms.markRead': { parseArgs: oneArgument(ROOM) },
  'rooms.dismiss': { parseArgs: oneArgument(ROOM) },

  'members.list': { parseArgs: oneArgument(ROOM) },
  'members.invite': {
    parseArgs: oneArgument(object({ roomId: id, who: text({ min: 1, max: CARD_MAX }) })),
  },
  'members.kick': { parseArgs: oneArgument(object({ roomId: id, endpoint: id })) },
  'directory.search': { parseArgs: oneArgument(object({ query: text({ max: 64 }) })) },

  'messages.list': { parseArgs: oneArgument(ROOM) },
  'messages.send': {
    parseArgs: oneArgument(object({ roomId: id, text: text({ min: 1, max: MESSAGE_TEXT_MAX }) })),
  },

  'files.beginUpload': {
    parseArgs: oneArgument(
      object({
        roomId: id,
        name: text({ min: 1, max: 255 }),
        size: integer(0, Number.MAX_SAFE_INTEGER),
        mime: text({ max: 255 }),
      }),
    ),
  },
  'files.writePiece': {
    parseArgs: oneArgument(
      object({
        transferId: id,
        offset: integer(0, Number.MAX_SAFE_INTEGER),
        data: bytes(FILE_PIECE_MAX),
      }),
    ),
  },
  'files.commitUpload': { parseArgs: oneArgument(object({ transferId: id })) },
  'files.download': { parseArgs: oneArgument(object({ roomId: id, messageId: id })) },
  'files.readPiece': {
    parseArgs: oneArgument(
      object({
        transferId: id,
        offset: integer(0, Number.MAX_SAFE_INTEGER),
        length: integer(1, FILE_PIECE_MAX),
      }),
    ),
  },
  'files.save': { parseArgs: oneArgument(object({ transferId: id })) },
  'files.cancel': { parseArgs: oneArgument(object({ transferId: id })) },
  'files.resume': { parseArgs: oneArgument(object({ transferId: id })) },
  'files.transfers': noArgs,

  'admin.listUsers': noArgs,
  'admin.addUser': {
    parseArgs: oneArgument(
      object({ card: text({ min: 1, max: CARD_MAX }), role: oneOf('admin', 'member') }),
    ),
  },
  'admin.revokeUser': { parseArgs: oneArgument(object({ endpoint: id })) },
  'admin.listInvites': noArgs,
  'admin.createInvite': {
    parseArgs: oneArgument(
      object({
        role: oneOf('admin', 'member'),
        ttlSeconds: integer(60, 30 * 86_400),
        maxUses: integer(1, 1_000),
      }),
    ),
  },
  'admin.revokeInvite': { parseArgs: oneArgument(object({ id })) },
  'admin.listInviteKeys': noArgs,
  'admin.rotateInviteKey': {
    parseArgs: oneArgument(object({ graceSeconds: integer(0, 30 * 86_400) })),
  },

  'settings.get': noArgs,
  'settings.update': {
    parseArgs: oneArgument(
      object({
        theme: optional(oneOf('dark', 'light')),
        notifications: optional(boolean),
        startHiddenAtLogin: optional(boolean),
      }),
    ),
  },
});

/** Runtime table of events; exactly the keys of `IpcEvents`. */
export const IPC_EVENTS: { readonly [E in IpcEventName]: true } = Object.freeze({
  'app.connectionState': true,
  'app.state': true,
  'rooms.changed': true,
  'messages.changed': true,
  'transfers.changed': true,
  'node.status': true,
  'app.joinLink': true,
  'app.openRoom': true,
});

export const IPC_CALL_NAMES = Object.freeze(Object.keys(IPC_CALLS) as IpcCallName[]);
export const IPC_EVENT_NAMES = Object.freeze(Object.keys(IPC_EVENTS) as IpcEventName[]);

/** Every Electron channel we use carries this prefix; main refuses anything else. */
export const IPC_CHANNEL_PREFIX = 'unibus:';

export type IpcCallChannel<N extends IpcCallName = IpcCallName> = `unibus:call:${N}`;
export type IpcEventChannel<E extends IpcEventName = IpcEventName> = `unibus:event:${E}`;

export function ipcCallChannel<N extends IpcCallName>(name: N): IpcCallChannel<N> {
  return `unibus:call:${name}`;
}

export function ipcEventChannel<E extends IpcEventName>(name: E): IpcEventChannel<E> {
  return `unibus:event:${name}`;
}

export function isIpcCallName(value: unknown): value is IpcCallName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(IPC_CALLS, value);
}

export function isIpcEventName(value: unknown): value is IpcEventName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(IPC_EVENTS, value);
}

/** Value of a successful reply, or the reply's error rebuilt and thrown. */
export function unwrapIpcReply<R>(reply: IpcReply<R>): R {
  if (reply.ok) return reply.value;
  throw fromSerializedError(reply.error);
}
