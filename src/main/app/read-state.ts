/**
 * Per-room read markers and rooms this user was removed from, in `read-state.json`. Message ids
 * are ULIDs (time-ordered), so "unread" is "newer than the last id read".
 */
import type { RoomView } from '../../shared/types';
import { JsonFile } from './json-file';

export const READ_STATE_FILE = 'read-state.json';

export interface ReadState {
  readonly lastRead: Readonly<Record<string, string>>;
  /** Snapshots of rooms the user was kicked from, shown until dismissed. */
  readonly removed: Readonly<Record<string, RoomView>>;
}

const EMPTY: ReadState = { lastRead: {}, removed: {} };

function fitReadState(raw: unknown): ReadState | null {
  const r = raw as Partial<ReadState> | null;
  if (typeof r !== 'object' || r === null) return null;
  if (typeof r.lastRead !== 'object' || r.lastRead === null) return null;
  if (typeof r.removed !== 'object' || r.removed === null) return null;
  for (const value of Object.values(r.lastRead)) if (typeof value !== 'string') return null;
  return { lastRead: { ...r.lastRead }, removed: { ...r.removed } };
}

export function openReadState(profileDir: string): Promise<JsonFile<ReadState>> {
  return JsonFile.open(profileDir, READ_STATE_FILE, EMPTY, fitReadState);
}
