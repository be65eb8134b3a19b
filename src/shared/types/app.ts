/**
 * What the renderer sees of the app: plain data, JSON- and structured-clone-safe, never a key.
 * Main builds these views from the peer and the node; the renderer only displays them.
 * Every time is Unix time in milliseconds.
 */
import type { ConnectionState } from './connection';

/** Which mechanism protects the identity secret (shown on first run and in settings). */
export type KeyProtectionView = 'os-keychain' | 'electron-safe-storage' | 'passphrase-file';

export interface IdentityView {
  readonly handle: string;
  readonly endpoint: string;
  /** The public identity card others paste to invite this user. */
  readonly card: string;
  readonly protection: KeyProtectionView;
}

/**
 * Where the app stands on this profile:
 * - `no-identity`: first run, create an identity (or import a backup);
 * - `locked`: an identity exists under a passphrase; unlock it;
 * - `no-connection`: identity ready; host a bus or join one;
 * - `ready`: connected (or reconnecting) to a node.
 */
export type AppPhase = 'no-identity' | 'locked' | 'no-connection' | 'ready';

export interface AppState {
  readonly phase: AppPhase;
  readonly identity: IdentityView | null;
  /** Protections usable on this machine, best first (first run shows the first). */
  readonly availableProtections: readonly KeyProtectionView[];
  readonly connection: ConnectionState;
  /** The node's id and addresses once connected. */
  readonly node: NodeAddressView | null;
  /** Role on the node (admin sees the admin screens). */
  readonly role: 'admin' | 'member' | null;
  /** True when this install hosts the node it is connected to. */
  readonly hosting: boolean;
  /** What the host offers: desktop integrations are absent in the web shell. */
  readonly host: 'electron' | 'web';
}

export interface NodeAddressView {
  readonly nodeId: string;
  readonly controlUrls: readonly string[];
  readonly natsUrls: readonly string[];
  readonly caFingerprint: string;
}

/** Options of "Host a bus on this computer". */
export interface HostOptions {
  /** `127.0.0.1` (default), `0.0.0.0` or one address of this machine. */
  readonly bind: string;
  readonly httpPort: number;
  readonly natsPort: number;
  /** Data folder; default: `node` inside the profile. */
  readonly dataDir?: string;
}

export interface NodeStatusView {
  readonly running: boolean;
  readonly hosting: boolean;
  readonly address: NodeAddressView | null;
  readonly serverVersion: string | null;
  /** `/healthz` posture as published by the node. */
  readonly posture: Readonly<Record<string, string | number | boolean | null>> | null;
  readonly peersConnected: number | null;
  readonly storageBytes: number | null;
  readonly dataDir: string | null;
  /** Why the node is not running (a human sentence), when it is not. */
  readonly error: string | null;
}

/** What a join link says, for the user to confirm before anything is sent. */
export interface JoinPreview {
  readonly nodeId: string;
  readonly caFingerprint: string;
  readonly controlUrls: readonly string[];
  readonly natsUrls: readonly string[];
}

export interface RoomPolicyView {
  readonly persist: boolean;
  readonly history: 'all' | 'since-join';
}

export interface RoomView {
  readonly id: string;
  /** Null when the encrypted name could not be opened (`metaError` says why). */
  readonly name: string | null;
  readonly topic: string | null;
  readonly metaError: string | null;
  readonly role: 'owner' | 'member';
  readonly epoch: number;
  readonly policy: RoomPolicyView;
  readonly createdAt: number;
  readonly unread: number;
  /** Set when this user was removed from the room (kicked) or left: shown, never silently gone. */
  readonly removed: 'kicked' | 'left' | null;
}

export interface MemberView {
  readonly endpoint: string;
  readonly handle: string;
  readonly role: 'owner' | 'member';
  readonly status: 'active' | 'revoked';
  readonly sinceEpoch: number;
  readonly isMe: boolean;
}

export interface DirectoryEntryView {
  readonly endpoint: string;
  readonly handle: string;
  readonly card: string;
}

/** A file message as the renderer sees it: no key, no blob hashes. */
export interface FileView {
  readonly name: string;
  readonly size: number;
  readonly mime: string;
}

export type MessageStateView = 'sending' | 'stored' | 'failed';

export interface MessageView {
  readonly id: string;
  readonly roomId: string;
  readonly kind: 'text' | 'file' | 'dropped';
  readonly sender: string;
  readonly senderHandle: string | null;
  readonly fromMe: boolean;
  /** Message text: rendered as text, never as HTML. */
  readonly text: string | null;
  readonly file: FileView | null;
  /** Sender's clock (display only). */
  readonly timestamp: number;
  /** Signature checked and sender a member at that epoch. Dropped frames are never verified. */
  readonly verified: boolean;
  /** Outbox state of own messages; null for others'. */
  readonly state: MessageStateView | null;
  /** Why a frame was dropped, or why an own message failed. */
  readonly reason: string | null;
}

export interface KickReceiptView {
  readonly roomId: string;
  readonly removed: string;
  readonly aclRevokedAt: number;
  readonly epoch: number;
  readonly keyed: number;
  readonly members: number;
}

export type TransferState = 'running' | 'paused' | 'done' | 'failed' | 'cancelled';

export interface TransferView {
  readonly id: string;
  readonly direction: 'upload' | 'download';
  readonly roomId: string;
  readonly messageId: string | null;
  readonly name: string;
  readonly size: number;
  readonly mime: string;
  readonly bytesDone: number;
  readonly bytesPerSecond: number;
  readonly etaSeconds: number | null;
  readonly state: TransferState;
  /** Human sentence when failed. */
  readonly error: string | null;
  /** Set for finished downloads: read the bytes with `files.readPiece`. */
  readonly ready: boolean;
}

export interface UserView {
  readonly endpoint: string;
  readonly handle: string;
  readonly role: 'admin' | 'member';
  readonly status: 'active' | 'revoked';
}

export interface InviteView {
  readonly id: string;
  readonly role: 'admin' | 'member';
  readonly expiresAt: number;
  readonly maxUses: number;
  readonly uses: number;
  readonly revoked: boolean;
}

/** One of the node's invite signing keys (issue 12, Build 6). Dates are ms. */
export interface InviteKeyView {
  readonly id: string;
  /** This key signs new invite links. */
  readonly current: boolean;
  /** When links signed by this key stop working; null for the current key. */
  readonly retiresAt: number | null;
}

export interface MintedInviteView {
  readonly invite: InviteView;
  /** The `unibus://join?...` link: shown once, never listed again. */
  readonly link: string;
}

export type Theme = 'dark' | 'light';

export interface SettingsView {
  readonly theme: Theme;
  readonly notifications: boolean;
  /** The app starts at login, without its window. Only where the host can (Electron). */
  readonly startHiddenAtLogin?: boolean;
}
