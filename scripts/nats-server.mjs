#!/usr/bin/env node
// `node scripts/nats-server.mjs`: finds the pinned nats-server the way the node does
// (src/main/node/nats-server/resolve.ts), building it once with Go into the user's cache when it
// is missing, and prints its path on stdout. Where Go is missing it says in one sentence what to
// install, and exits 2. Used by .ci/run; needs `npm ci` first (tsx).
import { register } from 'tsx/esm/api';

register();
const { ensureNatsServer, NatsServerMissingError } =
  await import('../src/main/node/nats-server/resolve.ts');
const { printBuildProgress } = await import('../src/main/node/nats-server/go-build.ts');

try {
  const found = await ensureNatsServer({ onProgress: printBuildProgress(process.stderr) });
  for (const note of found.notes) process.stderr.write(`nats-server: not using ${note}\n`);
  process.stderr.write(`nats-server: ${found.path} (${found.source})\n`);
  process.stdout.write(`${found.path}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof NatsServerMissingError ? 2 : 1);
}
