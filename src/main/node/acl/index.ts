/**
 * @module node/acl — compile membership state into per-user nats-server permissions.
 * PURE: no I/O, no `node:` imports.
 */
export * from './subjects.js';
export * from './compile.js';
export { DataPlaneNames, type RoomDataPlane, type UserDataPlane } from './names.js';
