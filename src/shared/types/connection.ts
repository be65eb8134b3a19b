/**
 * The peer's bus connection as the UI sees it. Data only. `removed`: an admin revoked this
 * identity; final (the app stops reconnecting).
 */
export const CONNECTION_STATUSES = [
  'offline',
  'connecting',
  'online',
  'reconnecting',
  'removed',
] as const;

export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

export interface ConnectionState {
  readonly status: ConnectionStatus;
  /** Unix time in milliseconds when `status` last changed. */
  readonly since: number;
}
