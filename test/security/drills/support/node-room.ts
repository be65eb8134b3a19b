/**
 * A real node (`startNode`: supervised nats-server with TLS, nkeys, JetStream at rest and
 * `sync_interval: always`) with one persisted room owned by `alice`, plus raw NATS connections:
 * alice's (her real data-plane permissions) to publish, and the node's own BUS identity to
 * inspect and read the room stream the way an operator could.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nkeyAuthenticator, type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { ControlPlaneClient } from '../../../../src/main/control-plane';
import { nkeyUserSeed } from '../../../../src/main/crypto';
import {
  natsServerUrls,
  type Me,
  type RoomDataPlane,
  type RoomEntry,
} from '../../../../src/main/bus';
import { loadOrCreateNodeState } from '../../../../src/main/node/runtime/node-state';
import { DataPlaneNames } from '../../../../src/main/node/acl/names';
import { decodeFrame, encodeMessageBody, sealFrame } from '../../../../src/main/protocol';
import { payloadFor, type DrillMessage, type SendFn } from './acked-publisher';
import { startNode, type RunningNode } from '../../../../src/main/node/runtime/start-node';
import { newRoomRequest, person, type Person } from '../../../../test-support/node-fixtures';
import { freePort } from './wait';

export interface SupervisorEvent {
  readonly type: string;
  readonly at: number;
  readonly [key: string]: unknown;
}

export interface RoomNode {
  readonly node: RunningNode;
  readonly alice: Person;
  readonly roomId: string;
  readonly room: RoomDataPlane;
  /** The room's stream in the node's BUS account. */
  readonly stream: string;
  /** Message `n` as alice's signed frame for the room (its body text carries payloadFor(n)). */
  frameFor(n: number): DrillMessage;
  /** Sends a frame on alice's connection as a request; the node's receipt back. */
  sendAs(nc: NatsConnection): SendFn;
  /** nats-server supervisor events, as the node logs them, with the time they arrived. */
  readonly supervisorEvents: SupervisorEvent[];
  /** Alice's own NATS connection (her private inbox prefix, reconnecting forever). */
  connectAlice(): Promise<NatsConnection>;
  /** The nats-server config the node wrote and its supervisor (re)starts the server with. */
  serverConfig(): string;
  /** The node's BUS identity: full rights on room streams (test-side inspection only). */
  connectBusAdmin(): Promise<NatsConnection>;
  stop(): Promise<void>;
}

export async function startRoomNode(): Promise<RoomNode> {
  const dataDir = mkdtempSync(join(tmpdir(), 'unibus-drill-node-'));
  const alice = person('alice');
  const supervisorEvents: SupervisorEvent[] = [];
  const connections: NatsConnection[] = [];
  const node = await startNode({
    dataDir,
    httpPort: 0,
    // Fixed, not 0: a supervisor restart must come back where clients reconnect.
    natsPort: await freePort(),
    adminCard: alice.card,
    log: (event, detail) => {
      if (event === 'nats-server') {
        supervisorEvents.push({ ...detail, type: String(detail['type']), at: Date.now() });
      }
    },
  });
  const stop = async () => {
    for (const nc of connections) await nc.close().catch(() => {});
    await node.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const control = new ControlPlaneClient({
      nodeId: node.nodeId,
      urls: node.controlUrls,
      caPem: node.caCertificatePem,
      signSeed: alice.keys.signSeed,
    });
    const { roomId, roomKey, body } = newRoomRequest(alice, { persist: true });
    await control.post('/v1/rooms', body);
    const room = (await control.get<RoomEntry>(`/v1/rooms/${roomId}`)).data_plane!;
    const me = await control.get<Me>('/v1/me');
    const state = await loadOrCreateNodeState(dataDir, { subjectAltNames: [] });

    const open = async (seed: Uint8Array, inboxPrefix?: string) => {
      const nc = await connect({
        servers: natsServerUrls(node.natsUrls),
        tls: { ca: node.caCertificatePem },
        authenticator: nkeyAuthenticator(new TextEncoder().encode(nkeyUserSeed(seed))),
        ...(inboxPrefix ? { inboxPrefix } : {}),
        maxReconnectAttempts: -1,
        reconnectTimeWait: 100,
        // A client back before the node's callout is: refused for a moment, never for good.
        ignoreAuthErrorAbort: true,
        timeout: 5_000,
      });
      connections.push(nc);
      return nc;
    };
    return {
      node,
      alice,
      roomId,
      room,
      stream: new DataPlaneNames(state.subjectKey).roomStream(roomId),
      frameFor: (n) => {
        const text = new TextDecoder().decode(payloadFor(n));
        const data = sealFrame(
          {
            type: 'message',
            roomId,
            epoch: 1,
            plaintext: encodeMessageBody({ type: 'message', text }),
          },
          roomKey,
          alice.keys.signSeed,
        );
        return { id: decodeFrame(data).messageId, data };
      },
      sendAs: (nc) => async (message) => {
        const reply = (await nc.request(room.subject, message.data, { timeout: 1_000 })).json<{
          seq?: number;
          duplicate?: boolean;
          error?: string;
        }>();
        if (typeof reply.seq !== 'number') throw new Error(reply.error ?? 'no receipt');
        return { seq: reply.seq, duplicate: reply.duplicate === true };
      },
      supervisorEvents,
      connectAlice: () => open(alice.keys.signSeed, me.data_plane!.inbox_prefix),
      serverConfig: () => readFileSync(join(dataDir, 'nats', 'nats-server.conf'), 'utf8'),
      connectBusAdmin: () => open(state.internal.busSeed),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
