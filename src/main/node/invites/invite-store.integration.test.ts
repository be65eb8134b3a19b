import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestNatsServer } from '../../../../test-support/nats-server';
import { InviteStore } from './invite-store';
import { InviteKeyRing } from './key-ring';
import { InviteTokenError, mintInviteToken, type InviteRole } from './token';

const NOW = Math.floor(Date.now() / 1000);

describe('invites - store against a real nats-server', () => {
  let server: TestNatsServer;
  let nc: NatsConnection;
  let store: InviteStore;
  const ring = InviteKeyRing.generate();

  async function mint(uses: number, role: InviteRole = 'member', ttl = 3600) {
    const minted = mintInviteToken(ring.primary, { nodeId: 'n1', role, expiresAt: NOW + ttl });
    const listed = await store.add(minted.payload, minted.token, {
      maxUses: uses,
      createdBy: 'admin-ep',
      now: NOW,
    });
    return { ...minted, listed };
  }

  beforeAll(async () => {
    server = await TestNatsServer.start({ jetstream: true });
    nc = await connect({ servers: server.url });
    store = await InviteStore.open(nc, { replicas: 1, timeoutMs: 2_000 });
  });

  afterAll(async () => {
    await nc?.close().catch(() => {});
    await server?.stop();
  });

  it('never lists the token or anything derived from its secret (P-01/P-02)', async () => {
    const { token, payload, listed } = await mint(1);
    expect(listed).not.toHaveProperty('token_sha256');
    const listing = JSON.stringify(await store.list());
    expect(listing).toContain(payload.id);
    expect(listing).not.toContain(token);
    expect(listing).not.toContain(token.split('.')[1]!);
    expect(listing).not.toContain(payload.s);
  });

  it('spends a single-use invite once: the second redeem fails', async () => {
    const { token, payload } = await mint(1);
    expect((await store.redeem(payload, token, NOW)).used).toBe(1);
    await expect(store.redeem(payload, token, NOW)).rejects.toThrow('invite already used');
  });

  it('allows exactly N concurrent redeems of an N-use invite', async () => {
    const { token, payload } = await mint(3);
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => store.redeem(payload, token, NOW)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(InviteTokenError);
    }
  });

  it('refuses a revoked invite and reports revocation states', async () => {
    const { token, payload } = await mint(5);
    expect(await store.revoke(payload.id, NOW)).toBe('revoked');
    expect(await store.revoke(payload.id, NOW)).toBe('already-revoked');
    expect(await store.revoke('x'.repeat(22), NOW)).toBe('not-found');
    await expect(store.redeem(payload, token, NOW)).rejects.toThrow('invite revoked');
  });

  it('refuses an expired invite and a token whose secret does not match the record', async () => {
    const expired = await mint(5, 'member', 10);
    await expect(store.redeem(expired.payload, expired.token, NOW + 11)).rejects.toThrow(
      'invite expired',
    );
    const real = await mint(5);
    const forged = `${real.token.slice(0, -3)}AAA`;
    await expect(store.redeem(real.payload, forged, NOW)).rejects.toThrow('unknown invite');
  });
});
