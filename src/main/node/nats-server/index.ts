/** @module node/nats-server — the managed nats-server: version gate, config, supervision. */
export * from './version.js';
export * from './binary.js';
export * from './resolve.js';
export { printBuildProgress, NatsServerBuildError, type BuildProgress } from './go-build.js';
export * from './inspect.js';
export * from './config.js';
export * from './supervisor.js';
export { writeFileAtomic } from './atomic-file.js';
