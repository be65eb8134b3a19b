/**
 * What the crash-write child writes, shared with the drill that checks it: every version of
 * every file is derived from what the child announces, so the parent can tell the old version
 * from the new one without ever reading the child's memory.
 */
import { createHash } from 'node:crypto';
import type { SettingsView } from '../../../../src/shared/types';

export type StateKind = 'settings' | 'outbox' | 'journal';

/** One write, announced by the child before it starts (`begin`) and after it is durable (`done`). */
export type WriteAction =
  | { readonly settings: number }
  | { readonly outboxAdd: string }
  | { readonly outboxRemove: readonly string[] }
  | { readonly journalCreate: { readonly fileId: string; readonly key: string } }
  | { readonly journalChunk: number }
  | { readonly journalRemove: true };

export type ChildLine =
  | { readonly t: 'ready' }
  | { readonly t: 'begin'; readonly action: WriteAction }
  | { readonly t: 'done' };

export interface ChildInput {
  readonly kind: StateKind;
  readonly dir: string;
  readonly roomId: string;
  /** Settings: the revision the file holds now (-1: none yet). */
  readonly settingsRev: number;
}

/** Outbox size the child keeps around (adds until here, then removes the oldest). */
export const OUTBOX_HIGH = 40;
export const OUTBOX_REMOVE = 10;
/** Chunks per journaled upload: a 1 GiB file in 4 MiB chunks. */
export const JOURNAL_CHUNKS = 256;
export const JOURNAL_CHUNK_SIZE = 4 * 1024 * 1024;
/** The source file the journal is about (never read: only its name keys the journal). */
export const JOURNAL_SOURCE = '/drill/source.bin';

/** Consecutive revisions always differ, so "old" and "new" are told apart. */
export function settingsFor(rev: number): SettingsView {
  return { theme: rev % 2 === 0 ? 'dark' : 'light', notifications: Math.floor(rev / 2) % 2 === 0 };
}

/** A stand-in for a sealed frame: 1–16 KiB derived from the message id. */
export function frameFor(id: string): Uint8Array {
  const digest = createHash('sha256').update(id).digest();
  return new Uint8Array(Buffer.alloc(1024 + (digest.readUInt16BE(0) % 15_360), digest));
}

export function chunkHashFor(fileId: string, index: number): string {
  return createHash('sha256').update(`${fileId}:${index}`).digest('hex');
}
