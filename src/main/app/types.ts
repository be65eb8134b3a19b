/**
 * What a host (Electron main, the web shell) hands the app service, and what it gets back.
 * The service itself is plain Node: desktop integrations come in as callbacks.
 */
import type { Readable } from 'node:stream';
import type { SafeStorageLike } from '../identity';
import type { IpcEventSink, IpcHandlers } from '../ipc';

/** A running embedded-node process (child process headless, utilityProcess in Electron). */
export interface NodeProcess {
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Asks the process to stop (SIGTERM): the node shuts down in order. */
  stop(): void;
}

/** Starts `unibus <args...>` (the CLI entry) in its own process. */
export type NodeLauncher = (args: readonly string[], env: NodeJS.ProcessEnv) => NodeProcess;

export interface DesktopNotification {
  readonly title: string;
  readonly body: string;
  readonly roomId: string;
}

/** The operating system's login item for this app (Electron): start hidden when the user logs in. */
export interface LoginItem {
  enabled(): boolean;
  setEnabled(on: boolean): Promise<void>;
}

export interface AppServiceOptions {
  readonly profileDir: string;
  readonly host: 'electron' | 'web';
  readonly emit: IpcEventSink;
  /** Default: a child process running bin/unibus.mjs. */
  readonly launchNode?: NodeLauncher;
  /** Electron's safeStorage, when the host has it. */
  readonly safeStorage?: SafeStorageLike;
  /** Confirms with the user and opens an already-filtered https:/mailto: URL; absent → refused. */
  readonly openExternal?: (url: string) => Promise<boolean>;
  /** The deep link that started the app, once (Electron); later links arrive as events. */
  readonly takeJoinLink?: () => string | null;
  /** Electron: asks where to save a finished download and copies it; null when cancelled. */
  readonly saveFile?: (source: string, suggestedName: string) => Promise<string | null>;
  /** Web shell: offers a finished download to the browser at a one-time same-origin URL. */
  readonly offerDownload?: (source: string, name: string, mime: string) => string;
  /** Shows a desktop notification for a new message (the host decides focus rules). */
  readonly notify?: (notification: DesktopNotification) => void;
  /** Called whenever the total unread count changes (tray badge). */
  readonly onUnreadTotal?: (total: number) => void;
  /** Electron: "Start hidden when I log in"; absent → the setting is not offered. */
  readonly loginItem?: LoginItem;
}

export interface AppService {
  readonly handlers: IpcHandlers;
  /**
   * True while this computer hosts a node for the team (running, starting or restarting; not
   * when the host stopped it): closing the window then keeps the app running in the tray.
   */
  keepsHosting(): boolean;
  /** Ordered shutdown: transfers → peer → hosted node (which stops its nats-server). */
  close(): Promise<void>;
}
