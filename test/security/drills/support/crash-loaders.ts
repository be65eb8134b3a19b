/**
 * The parent side of the crash-write drill: load each kind of state with the app's real loader
 * (refusing any fallback to defaults or silent drop of a damaged file) into a canonical
 * snapshot, and the model of what each announced write turns a snapshot into.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SETTINGS, SETTINGS_FILE, fitSettings } from '../../../../src/main/app/settings';
import { JsonFile } from '../../../../src/main/app/json-file';
import { Outbox, OUTBOX_FILE } from '../../../../src/main/bus/outbox';
import { UploadJournal, journalFileName } from '../../../../src/main/files/journal';
import { base64urlEncode } from '../../../../src/main/protocol';
import {
  JOURNAL_CHUNKS,
  JOURNAL_SOURCE,
  chunkHashFor,
  frameFor,
  settingsFor,
  type StateKind,
  type WriteAction,
} from './crash-state';

/** Canonical JSON of a state, or `absent` when its file does not exist. */
export type Snapshot = string;
export const ABSENT: Snapshot = 'absent';

export class UnparsableStateError extends Error {
  override readonly name = 'UnparsableStateError';
}

export function stateFile(kind: StateKind, dir: string, roomId: string): string {
  if (kind === 'settings') return join(dir, SETTINGS_FILE);
  if (kind === 'outbox') return join(dir, OUTBOX_FILE);
  return join(dir, journalFileName(roomId, JOURNAL_SOURCE));
}

export async function loadSnapshot(
  kind: StateKind,
  dir: string,
  roomId: string,
): Promise<Snapshot> {
  if (!existsSync(stateFile(kind, dir, roomId))) return ABSENT;
  if (kind === 'settings') {
    let damaged = false;
    const file = await JsonFile.open(dir, SETTINGS_FILE, DEFAULT_SETTINGS, fitSettings, () => {
      damaged = true; // the store would quietly fall back to defaults
    });
    if (damaged) throw new UnparsableStateError('settings.json does not parse or fit');
    return JSON.stringify(file.current);
  }
  if (kind === 'outbox') {
    const outbox = await Outbox.open(dir).catch((error: unknown) => {
      throw new UnparsableStateError(`outbox: ${String(error)}`);
    });
    for (const entry of outbox.list()) {
      const intact = Buffer.from(entry.frame).equals(Buffer.from(frameFor(entry.id)));
      if (entry.roomId !== roomId || !intact) {
        throw new UnparsableStateError(`outbox entry ${entry.id} parses but its frame differs`);
      }
    }
    return JSON.stringify(outbox.list().map((e) => e.id));
  }
  // The journal loader returns undefined for a damaged file (an upload would start over).
  const journal = await UploadJournal.load(dir, roomId, JOURNAL_SOURCE);
  if (journal === undefined) throw new UnparsableStateError('the journal file is damaged');
  const { fileId, fileKey, chunks } = journal.state;
  return JSON.stringify({ fileId: base64urlEncode(fileId), key: base64urlEncode(fileKey), chunks });
}

/** The snapshot a completed `action` leaves behind, starting from `before`. */
export function applyWrite(before: Snapshot, action: WriteAction): Snapshot {
  if ('settings' in action) return JSON.stringify(settingsFor(action.settings));
  if ('outboxAdd' in action) return JSON.stringify([...outboxIds(before), action.outboxAdd]);
  if ('outboxRemove' in action) {
    const removed = new Set(action.outboxRemove);
    return JSON.stringify(outboxIds(before).filter((id) => !removed.has(id)));
  }
  if ('journalCreate' in action) {
    const chunks = new Array<string | null>(JOURNAL_CHUNKS).fill(null);
    return JSON.stringify({ ...action.journalCreate, chunks });
  }
  if ('journalRemove' in action) return ABSENT;
  const journal = JSON.parse(before) as { fileId: string; chunks: (string | null)[] };
  journal.chunks[action.journalChunk] = chunkHashFor(journal.fileId, action.journalChunk);
  return JSON.stringify(journal);
}

function outboxIds(snapshot: Snapshot): string[] {
  return snapshot === ABSENT ? [] : (JSON.parse(snapshot) as string[]);
}
