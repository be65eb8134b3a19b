/**
 * Child process for the memory test and the bench: uploads `<dir>/big.bin` (written by the
 * parent) as one peer and downloads it as another, and reports peak RSS growth over the
 * baseline taken before the transfer, plus timings, as one JSON line:
 *   {"type":"done","bytes","outSha","uploadMs","downloadMs","baselineRss",
 *    "peakRssSampled","peakRssMax","growthBytes","stats":{...}}
 * Input: UNIBUS_FILES_CHILD (JSON: uploader, downloader, roomId, dir, mib, parallel?).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { downloadFile, uploadFile } from '../index';
import { blobClientFor, type PeerConfig } from './node-fixture';

interface ChildInput {
  readonly uploader: PeerConfig;
  readonly downloader: PeerConfig;
  readonly roomId: string;
  readonly dir: string;
  readonly mib: number;
  readonly parallel?: number;
  /** Leave `big.bin` in place (the bench uploads it again). */
  readonly keepSource?: boolean;
}

const input = JSON.parse(process.env['UNIBUS_FILES_CHILD'] ?? '{}') as ChildInput;
const source = join(input.dir, 'big.bin');
const out = join(input.dir, 'big.out');

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

// The parent wrote the file, so this process starts clean: its baseline is the loaded peer.
(globalThis as { gc?: () => void }).gc?.();
await new Promise((r) => setTimeout(r, 200));
const baselineRss = process.memoryUsage.rss();
const baselineArrayBuffers = process.memoryUsage().arrayBuffers;
let peakRssSampled = baselineRss;
let peakArrayBuffers = baselineArrayBuffers;
const sampler = setInterval(() => {
  const usage = process.memoryUsage();
  peakRssSampled = Math.max(peakRssSampled, usage.rss);
  peakArrayBuffers = Math.max(peakArrayBuffers, usage.arrayBuffers);
}, 20);

const up = blobClientFor(input.uploader);
const down = blobClientFor(input.downloader);
const parallel = input.parallel ?? 3;
const t0 = performance.now();
const manifest = await uploadFile({
  blobs: up,
  roomId: input.roomId,
  path: source,
  journalDir: join(input.dir, 'journal'),
  parallel,
});
const t1 = performance.now();
const peakUpload = peakRssSampled;
await downloadFile({
  blobs: down,
  roomId: input.roomId,
  manifest,
  outPath: out,
  parallel,
});
const t2 = performance.now();
clearInterval(sampler);
peakRssSampled = Math.max(peakRssSampled, process.memoryUsage.rss());
const peakRssMax = process.resourceUsage().maxRSS * 1024;
const outSha = await hashFile(out);
up.close();
down.close();
if (input.keepSource !== true) await rm(source, { force: true });
await rm(out, { force: true });
process.stdout.write(
  `${JSON.stringify({
    type: 'done',
    bytes: input.mib * 1024 * 1024,
    outSha,
    uploadMs: t1 - t0,
    downloadMs: t2 - t1,
    baselineRss,
    peakRssSampled,
    peakRssMax,
    growthBytes: Math.max(peakRssSampled, peakRssMax) - baselineRss,
    uploadGrowthBytes: peakUpload - baselineRss,
    /** Peak growth of memory held by ArrayBuffers (live or awaiting GC): the V8-visible part. */
    arrayBufferGrowthBytes: peakArrayBuffers - baselineArrayBuffers,
    stats: { upload: up.stats, download: down.stats },
  })}\n`,
);
