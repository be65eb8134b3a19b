/**
 * The attacker toolkit (threat catalog §2.0): raw HTTPS, raw TLS and raw nats.js with its own
 * nkey. It implements the wire protocol from docs/PROTOCOL.md and imports nothing from the
 * project's peer, protocol or crypto code, so a regression there cannot hide itself here.
 * Only node-under-test.ts imports the system under test (startNode).
 */
export * from './bytes';
export * from './expectations';
export * from './frames';
export * from './identity';
export * from './invites';
export * from './nats-wire';
export * from './node-under-test';
export * from './probes';
export * from './raw-nats';
export * from './raw-upload';
export * from './rooms';
export * from './signed-http';
