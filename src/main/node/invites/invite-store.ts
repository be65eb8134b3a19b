/**
 * Invites on JetStream KV. The record never holds the token, only its SHA-256, so listing
 * cannot leak it (P-01/P-02). Redeeming is a compare-and-set on the use counter, so two
 * concurrent redeems of a single-use invite cannot both succeed. Revocation keeps the record
 * with `revoked_at` set: the denylist lives with the invite and replicates with it.
 */
import type { NatsConnection } from '@nats-io/nats-core';
import { constantTimeEqual } from '../../crypto';
import { StoreConflictError } from '../store/errors';
import { KvTable } from '../store/kv-table';
import { InviteTokenError, inviteTokenHash, type InvitePayload, type InviteRole } from './token';

export const INVITES_BUCKET = 'UNIBUS_invites';
const REDEEM_ATTEMPTS = 5;

export interface InviteRecord {
  readonly id: string;
  readonly kid: string;
  readonly role: InviteRole;
  readonly created_at: number;
  /** Unix seconds. */
  readonly expires_at: number;
  readonly max_uses: number;
  readonly used: number;
  /** Endpoint of the admin who minted it. */
  readonly created_by: string;
  readonly revoked_at: number | null;
  readonly token_sha256: string;
}

/** What listing shows: everything but the token hash. */
export type PublicInvite = Omit<InviteRecord, 'token_sha256'>;

export class InviteStore {
  private constructor(private readonly table: KvTable<InviteRecord>) {}

  static async open(
    nc: NatsConnection,
    options: { replicas: 1 | 3; timeoutMs: number },
  ): Promise<InviteStore> {
    return new InviteStore(await KvTable.open(nc, INVITES_BUCKET, isInviteRecord, options));
  }

  async add(
    payload: InvitePayload,
    token: string,
    fields: { maxUses: number; createdBy: string; now: number },
  ): Promise<PublicInvite> {
    const record: InviteRecord = {
      id: payload.id,
      kid: payload.kid,
      role: payload.role,
      created_at: fields.now,
      expires_at: payload.exp,
      max_uses: fields.maxUses,
      used: 0,
      created_by: fields.createdBy,
      revoked_at: null,
      token_sha256: inviteTokenHash(token),
    };
    await this.table.create(record.id, record);
    return toPublic(record);
  }

  async list(): Promise<PublicInvite[]> {
    const keys = await this.table.keys('>');
    const records = await Promise.all(keys.map(async (key) => (await this.table.get(key))?.value));
    return records
      .filter((r): r is InviteRecord => r !== undefined)
      .map(toPublic)
      .sort((a, b) => a.created_at - b.created_at);
  }

  async revoke(id: string, now: number): Promise<'revoked' | 'not-found' | 'already-revoked'> {
    for (let attempt = 0; attempt < REDEEM_ATTEMPTS; attempt++) {
      const current = await this.table.get(id);
      if (current === null) return 'not-found';
      if (current.value.revoked_at !== null) return 'already-revoked';
      try {
        await this.table.update(id, { ...current.value, revoked_at: now }, current.revision);
        return 'revoked';
      } catch (error) {
        if (!(error instanceof StoreConflictError)) throw error;
      }
    }
    throw new StoreConflictError('invite revoke kept conflicting');
  }

  /**
   * Spends one use of a verified token. Throws InviteTokenError with the reason the newcomer
   * sees; store failures propagate (the caller answers 503, never a success).
   */
  async redeem(payload: InvitePayload, token: string, nowSeconds: number): Promise<PublicInvite> {
    const presented = new TextEncoder().encode(inviteTokenHash(token));
    for (let attempt = 0; attempt < REDEEM_ATTEMPTS; attempt++) {
      const current = await this.table.get(payload.id);
      const record = current?.value;
      if (
        current === null ||
        record === undefined ||
        !constantTimeEqual(new TextEncoder().encode(record.token_sha256), presented)
      ) {
        throw new InviteTokenError('unknown invite');
      }
      if (record.revoked_at !== null) throw new InviteTokenError('invite revoked');
      if (record.expires_at <= nowSeconds) throw new InviteTokenError('invite expired');
      if (record.used >= record.max_uses) throw new InviteTokenError('invite already used');
      try {
        const spent = { ...record, used: record.used + 1 };
        await this.table.update(record.id, spent, current.revision);
        return toPublic(spent);
      } catch (error) {
        if (!(error instanceof StoreConflictError)) throw error;
      }
    }
    throw new InviteTokenError('invite is busy, try again');
  }
}

function toPublic(record: InviteRecord): PublicInvite {
  const { token_sha256: _hidden, ...rest } = record;
  return rest;
}

function isInviteRecord(value: unknown): value is InviteRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return (
    typeof r.id === 'string' &&
    typeof r.kid === 'string' &&
    (r.role === 'member' || r.role === 'admin') &&
    Number.isSafeInteger(r.created_at) &&
    Number.isSafeInteger(r.expires_at) &&
    Number.isSafeInteger(r.max_uses) &&
    (r.max_uses as number) >= 1 &&
    Number.isSafeInteger(r.used) &&
    typeof r.created_by === 'string' &&
    (r.revoked_at === null || Number.isSafeInteger(r.revoked_at)) &&
    typeof r.token_sha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(r.token_sha256)
  );
}
