/**
 * Ciphertext chunks per room (seed H9, threat X-12). A chunk is addressed by the SHA-256 of its
 * sealed bytes and readable only through a room that references it, by that room's members:
 * knowing a hash from elsewhere grants nothing. Uploads are charged to the uploader's quota by
 * compare-and-set, the reference is recorded before the bytes are written (so GC never deletes
 * a referenced chunk), and one chunk (≤ `blob_chunk_bytes`) is the most held in memory.
 */
import { blobHash, isBlobHash, type BlobStore } from '../blobs/blob-store';
import { BlobQuotaExceededError, type BlobRefs } from '../blobs/blob-refs';
import { HttpError } from '../control-plane/http-error';
import type { Route, RouteContext, RouteReply } from '../control-plane/routes';
import { requireMember } from './guards';
import { parseJsonObject } from './json-body';
import type { NodeServices } from './services';

/** AES-256-GCM output is at least its 16-byte tag (an empty file is one sealed empty chunk). */
export const BLOB_MIN_BYTES = 16;
const HAVE_CONCURRENCY = 32;
const NOT_FOUND = 'no such blob in this room';

export function blobRoutes(
  services: NodeServices & { readonly blobs: BlobStore; readonly blobRefs: BlobRefs },
): Route[] {
  const { store, blobs, blobRefs, limits } = services;
  const quota = { bytes: limits.quota_bytes_per_user, count: limits.quota_blobs_per_user };

  async function read({ signer, params }: RouteContext): Promise<RouteReply> {
    const hash = requireHashParam(params.hash);
    const { room } = await requireMember(store, params.roomId!, signer);
    // The room must reference the chunk; the same answer whether or not it exists elsewhere.
    if ((await blobRefs.get(room.room_id, hash)) === null) throw new HttpError(404, NOT_FOUND);
    const bytes = await blobs.get(hash);
    if (bytes === null) throw new HttpError(404, NOT_FOUND);
    return { status: 200, bytes, contentType: 'application/octet-stream' };
  }

  return [
    {
      method: 'PUT',
      path: '/v1/rooms/:roomId/blobs/:hash',
      auth: 'signed',
      maxBodyBytes: limits.blob_chunk_bytes,
      handle: async ({ signer, params, body }) => {
        const hash = requireHashParam(params.hash);
        const { caller, room } = await requireMember(store, params.roomId!, signer);
        if (body.length < BLOB_MIN_BYTES) {
          throw new HttpError(400, `a sealed chunk has at least ${BLOB_MIN_BYTES} bytes`);
        }
        if (blobHash(body) !== hash) throw new HttpError(400, 'body does not match its hash');
        return blobRefs.withHashLock(hash, async () => {
          let reference: 'created' | 'exists';
          try {
            reference = await blobRefs.addReference(
              { roomId: room.room_id, hash, size: body.length, uploader: caller.endpoint },
              quota,
            );
          } catch (error) {
            if (error instanceof BlobQuotaExceededError) {
              throw new HttpError(413, quotaMessage(error));
            }
            throw error;
          }
          // Reference first, bytes second: see gc.ts. A put of an intact chunk writes nothing.
          const wrote = await blobs.put(hash, body);
          // 200 only when this room already had the chunk intact; never says whether another
          // room holds it.
          const status = reference === 'exists' && !wrote ? 200 : 201;
          return { status, json: { room_id: room.room_id, hash, size: body.length } };
        });
      },
    },
    {
      method: 'GET',
      path: '/v1/rooms/:roomId/blobs/:hash',
      auth: 'signed',
      maxBodyBytes: 0,
      handle: read,
    },
    {
      // Same checks and Content-Length as GET (the chunk is read and verified), no body.
      method: 'HEAD',
      path: '/v1/rooms/:roomId/blobs/:hash',
      auth: 'signed',
      maxBodyBytes: 0,
      handle: read,
    },
    {
      method: 'POST',
      path: '/v1/rooms/:roomId/blobs/have',
      auth: 'signed',
      maxBodyBytes: limits.json_body_bytes,
      handle: async ({ signer, params, body }) => {
        const { room } = await requireMember(store, params.roomId!, signer);
        const input = parseJsonObject(body, ['hashes']);
        const max = limits.blob_have_max_hashes;
        if (!Array.isArray(input.hashes) || input.hashes.length > max) {
          throw new HttpError(400, `hashes must be an array of at most ${max} hashes`);
        }
        if (!input.hashes.every(isBlobHash)) {
          throw new HttpError(400, 'hashes must be 64 lowercase hex SHA-256 digests');
        }
        const unique = [...new Set(input.hashes)];
        const present = await mapBounded(
          unique,
          HAVE_CONCURRENCY,
          async (hash) =>
            (await blobRefs.get(room.room_id, hash)) !== null && (await blobs.has(hash)),
        );
        return { status: 200, json: { have: unique.filter((_, i) => present[i]) } };
      },
    },
  ];
}

/** The router already refused anything but `[A-Za-z0-9_-]`; this narrows to a SHA-256 hex. */
function requireHashParam(value: string | undefined): string {
  if (!isBlobHash(value)) throw new HttpError(400, 'hash must be 64 lowercase hex');
  return value;
}

function quotaMessage(error: BlobQuotaExceededError): string {
  const { usage, quota } = error;
  return (
    `upload quota exceeded: ${usage.bytes} of ${quota.bytes} bytes and ` +
    `${usage.count} of ${quota.count} chunks used`
  );
}

async function mapBounded<T, R>(
  items: readonly T[],
  concurrency: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!);
    }
  });
  await Promise.all(workers);
  return results;
}
