/**
 * Look-alike handle claims on a real nats-server (PROTOCOL.md §2.1): a claim whose user never
 * appeared (a crash mid-join) blocks the name for one minute only; a revoked holder frees it;
 * users that predate the claims bucket are still found.
 */
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestNatsServer } from '../../../../test-support/nats-server';
import { HANDLES_BUCKET, HandleInUseError, ORPHAN_CLAIM_MS, claimKeys } from './handle-claims';
import { BUCKETS, NodeStore } from './node-store';

const user = (n: number, handle: string) => ({
  signPubHex: String(n).repeat(64).slice(0, 64),
  endpoint: `ep-${n}`,
  kexPub: 'a2V4',
  handle,
  role: 'member' as const,
});

describe('handle claims (real JetStream KV)', () => {
  let server: TestNatsServer;
  let nc: NatsConnection;
  let store: NodeStore;

  beforeAll(async () => {
    server = await TestNatsServer.start({ jetstream: true });
    nc = await connect({ servers: server.url });
    store = await NodeStore.open(nc, { replicas: 1, timeoutMs: 2_000 });
  });
  afterAll(async () => {
    await nc?.close().catch(() => {});
    await server?.stop();
  });

  it('an orphaned claim blocks the name for one minute, then lapses', async () => {
    const kv = await new Kvm(nc).open(HANDLES_BUCKET);
    const [caseKey] = claimKeys('dora');
    await kv.create(caseKey!, JSON.stringify({ sign_pub: 'f'.repeat(64), claimed_at: 1_000 }));
    await expect(store.addUser(user(1, 'Dora'), 1_000 + ORPHAN_CLAIM_MS - 1)).rejects.toThrow(
      HandleInUseError,
    );
    const added = await store.addUser(user(1, 'Dora'), 1_000 + ORPHAN_CLAIM_MS + 1);
    expect(added.handle).toBe('Dora');
    await expect(store.addUser(user(2, 'dora'))).rejects.toThrow(
      "looks like 'Dora'. Choose another name",
    );
  });

  it('a revoked holder frees the name; the new holder then keeps it', async () => {
    await store.addUser(user(3, 'erin'));
    await store.revokeUser(user(3, 'erin').signPubHex);
    await store.checkHandle(user(4, 'Erin').signPubHex, 'Erin');
    await store.addUser(user(4, 'Erin'));
    await expect(store.checkHandle(user(5, 'ERIN').signPubHex, 'ERIN')).rejects.toThrow(
      HandleInUseError,
    );
  });

  it('a user written before the claims bucket existed is still found (scan)', async () => {
    const users = await new Kvm(nc).open(BUCKETS.users);
    const legacy = user(6, 'frank');
    await users.put(
      legacy.signPubHex,
      JSON.stringify({
        sign_pub: legacy.signPubHex,
        endpoint: legacy.endpoint,
        kex_pub: legacy.kexPub,
        handle: 'frank',
        role: 'member',
        status: 'active',
        created_at: 1,
        revoked_at: null,
      }),
    );
    await expect(store.addUser(user(7, 'FRANK'))).rejects.toThrow(HandleInUseError);
  });
});
