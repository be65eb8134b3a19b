/**
 * The M1 baselines: native Ed25519 verifications per second over 256-byte messages (the
 * project's crypto module, which caches KeyObjects), on one core and on all cores at once
 * (one worker thread per core, all verifying for the same second).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ed25519PublicKey, ed25519Sign, ed25519Verify, randomBytes } from '../../src/main/crypto';

export function verifyPerSecond(ms = 1000): number {
  const seed = randomBytes(32);
  const pub = ed25519PublicKey(seed);
  const message = randomBytes(256);
  const signature = ed25519Sign(seed, message);
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    for (let i = 0; i < 100; i++) ed25519Verify(pub, message, signature);
    n += 100;
  }
  return (n * 1000) / (performance.now() - start);
}

// Plain node:crypto in the workers: the same native primitive, without loading TypeScript there.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { generateKeyPairSync, sign, verify, randomBytes } = require('node:crypto');
const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const message = randomBytes(256);
const signature = sign(null, message, privateKey);
parentPort.once('message', () => {
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < workerData.ms) {
    for (let i = 0; i < 100; i++) verify(null, message, publicKey, signature);
    n += 100;
  }
  parentPort.postMessage((n * 1000) / (performance.now() - start));
});
parentPort.postMessage('ready');
`;

/** Sum over one worker per core, started together once all are ready. */
export async function verifyPerSecondAllCores(ms = 1000): Promise<{ cores: number; rate: number }> {
  const cores = availableParallelism();
  const workers = Array.from(
    { length: cores },
    () => new Worker(WORKER_SOURCE, { eval: true, workerData: { ms } }),
  );
  try {
    await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))));
    const rates = await Promise.all(
      workers.map(
        (w) =>
          new Promise<number>((resolve, reject) => {
            w.once('message', resolve);
            w.once('error', reject);
            w.postMessage('go');
          }),
      ),
    );
    return { cores, rate: rates.reduce((a, b) => a + b, 0) };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
