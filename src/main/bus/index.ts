/**
 * @module bus — the peer core library: connection, join, rooms, messages, invite and kick.
 * Runs in the main process only; the renderer never sees keys or raw frames.
 */
export {
  BusConnection,
  DEFAULT_MAX_PING_OUT,
  DEFAULT_PING_INTERVAL_MS,
  natsServerUrls,
  type BusConnectionOptions,
  type ConnectionState,
} from './connection';
export { JoinError, fetchPinnedCa, joinWithLink, type JoinResult } from './join';
export { FRAME_CACHE_DIR, FrameCache, type CachedFrame } from './frame-cache';
export { OUTBOX_FILE, Outbox, OutboxError, type OutboxEntry } from './outbox';
export {
  BusError,
  BusPeer,
  DEFAULT_POLL_INTERVAL_MS,
  isControlPlaneForbidden,
  type BusPeerEvents,
  type BusPeerOptions,
  type Me,
  type MeDataPlane,
} from './peer';
export type * from './types';
