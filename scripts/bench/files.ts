/**
 * PERF.md F1-F3 for encrypted files, against a real node started in this process:
 *   F1 upload and download throughput of a 1 GiB file (peer A up, peer B down, decrypted to disk,
 *      byte-identical) vs raw loopback TCP throughput measured in the same run;
 *   F2 peak RSS growth of the peer (a child process) and of the node (this process);
 *   F3 kill the uploader with SIGKILL at 50%, restart: chunks re-sent, total time vs uninterrupted.
 * Prints a table and then one JSON object. Usage: node --import tsx scripts/bench/files.ts
 * (BENCH_FILES_MIB=64 for a quick run).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFilesChild } from '../../src/main/files/testing/child-runner';
import { startFilesNode } from '../../src/main/files/testing/node-fixture';
import { writeRandomFile } from '../../src/main/files/testing/random-file';
import { formatTable, type Row } from './row';

const MIB = 1024 * 1024;
const mib = Number(process.env['BENCH_FILES_MIB'] ?? 1024);
const bytes = mib * MIB;
const parallel = Number(process.env['BENCH_FILES_PARALLEL'] ?? 3);

/** Raw loopback TCP: one connection, `total` bytes of a reused 1 MiB buffer, sink discards. */
async function loopbackTcpBytesPerSecond(total: number): Promise<number> {
  const server = createServer((socket) => socket.resume());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  const block = Buffer.alloc(MIB, 1);
  const started = performance.now();
  for (let sent = 0; sent < total; sent += MIB) {
    if (!socket.write(block)) await new Promise((resolve) => socket.once('drain', resolve));
  }
  await new Promise<void>((resolve) => socket.end(resolve));
  const seconds = (performance.now() - started) / 1000;
  socket.destroy();
  await new Promise((resolve) => server.close(resolve));
  return total / seconds;
}

function sampler() {
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss()) - baseline;
    },
  };
}

const f = await startFilesNode();
const work = mkdtempSync(join(tmpdir(), 'unibus-bench-files-'));
try {
  const source = join(work, 'big.bin');
  const sourceSha = await writeRandomFile(source, bytes);
  const tcp = await loopbackTcpBytesPerSecond(bytes);

  // F1 + F2: one child uploads as alice and downloads as bob; this process is the node.
  const nodeMemory = sampler();
  const big = await runFilesChild('bigfile-child.ts', {
    uploader: f.alice,
    downloader: f.bob,
    roomId: f.roomId,
    dir: work,
    mib,
    parallel,
    keepSource: true,
  }).done;
  const nodeGrowth = nodeMemory.stop();
  const r = big.lines.find((l) => l['type'] === 'done');
  if (big.code !== 0 || r === undefined) throw new Error(`bigfile child failed: ${big.stderr}`);
  if (r['outSha'] !== sourceSha) throw new Error('downloaded file differs from the source');
  const upRate = bytes / ((r['uploadMs'] as number) / 1000);
  const downRate = bytes / ((r['downloadMs'] as number) / 1000);
  const peerGrowth = r['growthBytes'] as number;

  // F3: a new upload of the same file (new file key), killed at 50%, then restarted.
  const input = {
    peer: f.alice,
    roomId: f.roomId,
    path: source,
    journalDir: join(work, 'journal'),
    parallel,
  };
  // The uninterrupted reference for F3: the same child, a fresh upload (new key), start to end.
  const tRef = performance.now();
  const reference = await runFilesChild('upload-child.ts', {
    ...input,
    journalDir: join(work, 'journal-ref'),
  }).done;
  if (reference.code !== 0) throw new Error(`reference upload failed: ${reference.stderr}`);
  const uninterruptedMs = performance.now() - tRef;
  const chunks = Math.max(1, Math.ceil(bytes / (4 * MIB)));
  const t0 = performance.now();
  let killedAt = 0;
  const first = runFilesChild('upload-child.ts', input, (line, child) => {
    if (line['type'] === 'progress' && killedAt === 0) {
      const done = line['chunksDone'] as number;
      if (done >= chunks / 2) {
        killedAt = done;
        child.kill('SIGKILL');
      }
    }
  });
  await first.done;
  const second = await runFilesChild('upload-child.ts', input).done;
  const resumeMs = performance.now() - t0;
  const done = second.lines.find((l) => l['type'] === 'done');
  if (second.code !== 0 || done === undefined) throw new Error(`resume failed: ${second.stderr}`);
  const stats = done['stats'] as { putCreated: number; putExisted: number };

  const MiBps = (v: number) => v / MIB;
  const rows: Row[] = [
    {
      id: 'F1',
      metric: `upload ${mib} MiB (MiB/s)`,
      value: MiBps(upRate),
      baseline: MiBps(tcp),
      ratio: upRate / tcp,
      target: '>= 0.33 of loopback TCP',
      pass: upRate / tcp >= 0.33,
    },
    {
      id: 'F1',
      metric: `download ${mib} MiB (MiB/s)`,
      value: MiBps(downRate),
      baseline: MiBps(tcp),
      ratio: downRate / tcp,
      target: '>= 0.33 of loopback TCP',
      pass: downRate / tcp >= 0.33,
    },
    {
      id: 'F2',
      metric: 'peer peak RSS growth (MiB)',
      value: MiBps(peerGrowth),
      baseline: null,
      ratio: null,
      target: '< 48 MiB',
      pass: peerGrowth < 48 * MIB,
    },
    {
      id: 'F2',
      metric: 'node peak RSS growth (MiB)',
      value: MiBps(nodeGrowth),
      baseline: null,
      ratio: null,
      target: '< 48 MiB',
      pass: nodeGrowth < 48 * MIB,
    },
    {
      id: 'F3',
      metric: `chunks re-sent after SIGKILL at ${killedAt}/${chunks}`,
      value: stats.putExisted,
      baseline: null,
      ratio: null,
      target: '<= 1',
      pass: stats.putExisted <= 1,
    },
    {
      id: 'F3',
      metric: 'kill + resume time / uninterrupted (s)',
      value: resumeMs / 1000,
      baseline: uninterruptedMs / 1000,
      ratio: resumeMs / uninterruptedMs,
      target: '<= 1.2x',
      pass: resumeMs / uninterruptedMs <= 1.2,
    },
  ];
  console.log(formatTable(rows));
  console.log(
    JSON.stringify({
      bench: 'files',
      file_mib: mib,
      parallel,
      loopback_tcp_mib_s: MiBps(tcp),
      resume: {
        killed_at: killedAt,
        chunks,
        put_created: stats.putCreated,
        put_existed: stats.putExisted,
      },
      rows,
    }),
  );
} finally {
  await f.stop();
  rmSync(work, { recursive: true, force: true });
}
