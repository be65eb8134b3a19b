/**
 * Fixtures for tests that talk to a node from outside: people with real identities and cards,
 * a raw signed HTTPS client that sends exact URIs (never the project's peer library), sealed
 * room-key grants and room-creation bodies.
 */
import { request } from 'node:https';
import { generateIdentityKeyPairs, type IdentityKeyPairs } from '../src/main/crypto';
import {
  base64urlEncode,
  createRoomKeyGrant,
  encodeIdentityCard,
  hexEncode,
  newRoomKey,
  newUlid,
  roomKeyGrantToJson,
  sealRoomMeta,
  signRequest,
} from '../src/main/protocol';

export interface Person {
  readonly keys: IdentityKeyPairs;
  readonly handle: string;
  /** Identity card JSON, as pasted or sent to `POST /v1/users` and `/v1/join`. */
  readonly card: string;
  readonly endpoint: string;
  readonly signPubHex: string;
}

export function person(handle: string): Person {
  const keys = generateIdentityKeyPairs();
  const card = encodeIdentityCard({
    handle,
    signPublic: keys.signPublic,
    kexPublic: keys.kexPublic,
  });
  return {
    keys,
    handle,
    card,
    endpoint: JSON.parse(card).id as string,
    signPubHex: hexEncode(keys.signPublic),
  };
}

/** Where a node's control plane listens and what a client must pin. */
export interface NodeTarget {
  readonly host: string;
  readonly port: number;
  readonly caPem: string;
  readonly nodeId: string;
}

export interface JsonReply {
  readonly status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests inspect replies ad hoc
  readonly body: any;
  readonly text: string;
}

/** One signed request with an optional JSON body; the reply parsed when it is JSON. */
export function signedCall(
  target: NodeTarget,
  who: Person,
  method: string,
  path: string,
  json?: unknown,
): Promise<JsonReply> {
  const body =
    json === undefined ? new Uint8Array(0) : new TextEncoder().encode(JSON.stringify(json));
  const headers = signRequest({
    nodeId: target.nodeId,
    method,
    path,
    body,
    signSeed: who.keys.signSeed,
  });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.host,
        port: target.port,
        method,
        path,
        ca: target.caPem,
        agent: false,
        headers: {
          ...headers,
          'Content-Type': 'application/json',
          'Content-Length': String(body.length),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let parsed: unknown = null;
          try {
            parsed = text === '' ? null : JSON.parse(text);
          } catch {
            parsed = null;
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, text });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A room key for `member`, sealed and signed by `granter`, as the node stores it. */
export function grant(
  granter: Person,
  roomId: string,
  epoch: number,
  roomKey: Uint8Array,
  member: Person,
) {
  return roomKeyGrantToJson(
    createRoomKeyGrant(
      {
        roomId,
        epoch,
        roomKey,
        member: { endpoint: member.endpoint, kexPublic: member.keys.kexPublic },
      },
      granter.keys.signSeed,
    ),
  );
}

/** A fresh room id and key and the `POST /v1/rooms` body that creates it with `owner`. */
export function newRoomRequest(
  owner: Person,
  options: { name?: string; history?: 'all' | 'since-join'; persist?: boolean } = {},
) {
  const roomId = newUlid();
  const roomKey = newRoomKey();
  const meta = base64urlEncode(
    sealRoomMeta({ roomId, epoch: 1, meta: { name: options.name ?? 'room', topic: '' } }, roomKey),
  );
  const body = {
    room_id: roomId,
    policy: { persist: options.persist ?? true, history: options.history ?? 'all' },
    meta,
    owner_key: grant(owner, roomId, 1, roomKey, owner),
  };
  return { roomId, roomKey, body };
}
