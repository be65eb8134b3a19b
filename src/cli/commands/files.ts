/**
 * `unibus send-file ROOM PATH` (progress on stderr, message id on stdout) and
 * `unibus fetch-file ROOM MSGID OUTPATH`. Uploads resume from a journal in the profile after a
 * dropped connection or a restart: running the same send-file again continues where it stopped.
 */
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { BusPeer } from '../../main/bus';
import { BlobClient, downloadFile, uploadFile, type TransferProgress } from '../../main/files';
import { loadConnection } from '../../main/profile/connection';
import { UsageError } from '../errors';
import type { Output } from '../output';
import { openProfileIdentity } from '../profile';
import { resolveRoom, withPeer } from './rooms';

export async function sendFileCommand(
  args: string[],
  profileDir: string,
  out: Output,
): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: { mime: { type: 'string' }, name: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const [roomText, path, ...extra] = positionals;
  if (roomText === undefined || path === undefined || extra.length > 0) {
    throw new UsageError('usage: unibus send-file ROOM PATH [--name NAME] [--mime TYPE]');
  }
  await withPeer(profileDir, async (peer) => {
    const room = await resolveRoom(peer, roomText);
    const blobs = await blobClient(profileDir);
    const manifest = await uploadFile({
      blobs,
      roomId: room.id,
      path: resolve(path),
      name: values.name ?? basename(path),
      ...(values.mime !== undefined ? { mime: values.mime } : {}),
      journalDir: join(profileDir, 'transfers'),
      onProgress: (p) => out.info(progressLine('upload', p)),
    });
    const status = await peer.sendBody(room.id, { type: 'message', file: manifest });
    const settled = await waitStored(peer, status.id);
    out.result(
      {
        id: settled.id,
        room_id: room.id,
        name: manifest.name,
        size: manifest.size,
        state: settled.state,
      },
      settled.id,
    );
  });
}

export async function fetchFileCommand(
  args: string[],
  profileDir: string,
  out: Output,
): Promise<void> {
  const { positionals } = parseArgs({ args, allowPositionals: true, strict: true });
  const [roomText, messageId, outPath, ...extra] = positionals;
  if (
    roomText === undefined ||
    messageId === undefined ||
    outPath === undefined ||
    extra.length > 0
  ) {
    throw new UsageError('usage: unibus fetch-file ROOM MSGID OUTPATH');
  }
  await withPeer(profileDir, async (peer) => {
    const room = await resolveRoom(peer, roomText);
    const message = (await peer.history(room.id, { timeoutMs: 30_000 })).find(
      (m) => m.id === messageId,
    );
    if (message === undefined)
      throw new Error(`no message ${messageId} in ${room.name ?? room.id}`);
    if (message.file === undefined) throw new Error(`message ${messageId} carries no file`);
    const result = await downloadFile({
      blobs: await blobClient(profileDir),
      roomId: room.id,
      manifest: message.file,
      outPath: resolve(outPath),
      onProgress: (p) => out.info(progressLine('download', p)),
    });
    out.result(
      { id: messageId, path: result.path, size: result.size, sha256: result.digest },
      `saved ${result.path} (${result.size} bytes)`,
    );
  });
}

async function blobClient(profileDir: string): Promise<BlobClient> {
  const [identity, connection] = await Promise.all([
    openProfileIdentity(profileDir),
    loadConnection(profileDir),
  ]);
  return new BlobClient({
    nodeId: connection.node_id,
    urls: connection.control_urls,
    caPem: connection.ca_pem,
    signSeed: identity.keys.signSeed,
  });
}

/** The message's final state: stored on the node, or failed with the reason. */
async function waitStored(peer: BusPeer, messageId: string) {
  const status = await peer.waitForStatus(messageId, 30_000);
  if (status.state === 'failed') {
    throw new Error(`file message failed: ${status.reason ?? 'unknown reason'}`);
  }
  return status;
}

function progressLine(direction: string, p: TransferProgress): string {
  const percent = p.bytesTotal === 0 ? 100 : Math.floor((p.bytesDone / p.bytesTotal) * 100);
  return `${direction} ${percent}% (${p.chunksDone}/${p.chunksTotal} chunks)`;
}
