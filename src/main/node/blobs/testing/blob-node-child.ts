/**
 * A node hosting the blob routes in its own process, for measuring the node's memory apart
 * from the client's (api/blob-routes.memory.test.ts). Run with
 * `node --expose-gc --import tsx blob-node-child.ts <file|object-store>` and an IPC channel.
 *
 * IPC: sends `{ type: 'ready', port, ca, roomId, signSeed (base64) }` once listening; answers
 * `{ type: 'stats', reset? }` with `{ type: 'stats', rss, peak }` where `rss` is measured after
 * a forced GC and `peak` is the highest RSS sampled every 10 ms since the last reset; stops
 * (with its nats-server) on `{ type: 'stop' }` or when the channel closes.
 */
import { BlobApiHarness } from './blob-api-harness';

const backend = process.argv[2] === 'object-store' ? 'object-store' : 'file';
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined || process.send === undefined) {
  throw new Error('run with --expose-gc and an IPC channel');
}

const harness = await BlobApiHarness.start({ backend });
const alice = await harness.user('alice');
const roomId = await harness.room(alice);

let peak = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 10);

function stop(): void {
  clearInterval(sampler);
  void harness.stop().finally(() => process.exit(0));
}
// The test process went away without saying stop: do not leave this node (and its
// nats-server) behind.
process.on('disconnect', stop);

process.on('message', (message: { type: string; reset?: boolean }) => {
  if (message.type === 'stats') {
    gc();
    gc();
    const rss = process.memoryUsage().rss;
    peak = Math.max(peak, rss);
    process.send!({ type: 'stats', rss, peak });
    if (message.reset === true) peak = rss;
  } else if (message.type === 'stop') {
    process.off('disconnect', stop);
    stop();
  }
});

process.send({
  type: 'ready',
  port: harness.port,
  ca: harness.tls.ca.certificatePem,
  roomId,
  signSeed: Buffer.from(alice.keys.signSeed).toString('base64'),
});
