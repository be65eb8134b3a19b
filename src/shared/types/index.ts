export type { Brand, EndpointId, RoomId } from './brand';
export { CONNECTION_STATUSES } from './connection';
export type { ConnectionState, ConnectionStatus } from './connection';
export type * from './app';
