export {
  BUCKETS,
  DEFAULT_STORE_TIMEOUT_MS,
  NodeStore,
  type NewUser,
  type NodeStoreOptions,
} from './node-store';
export { StoreConflictError, StoreCorruptError, StoreUnavailableError } from './errors';
export { HANDLES_BUCKET, HandleInUseError } from './handle-claims';
export type {
  MemberRecord,
  MemberRole,
  RoomPolicy,
  RoomRecord,
  SealedKeyRecord,
  UserRecord,
  UserRole,
} from './records';
