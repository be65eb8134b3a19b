/** `unibus invites create`: mints an invite through the signed admin API and prints the join link once. */
import { parseArgs } from 'node:util';
import { ControlPlaneClient } from '../../main/control-plane';
import { loadConnection } from '../../main/profile/connection';
import { UsageError } from '../errors';
import type { Output } from '../output';
import { openProfileIdentity } from '../profile';

export async function invitesCommand(
  args: string[],
  profileDir: string,
  out: Output,
): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'create')
    throw new UsageError(
      'usage: unibus invites create [--role member|admin] [--ttl DURATION] [--uses N]',
    );
  const { values } = parseArgs({
    args: rest,
    options: { role: { type: 'string' }, ttl: { type: 'string' }, uses: { type: 'string' } },
    strict: true,
  });
  const role = values.role ?? 'member';
  if (role !== 'member' && role !== 'admin') throw new UsageError('--role must be member or admin');
  const uses = values.uses === undefined ? 1 : Number(values.uses);
  if (!Number.isInteger(uses) || uses < 1)
    throw new UsageError('--uses must be a whole number ≥ 1');
  const ttlSeconds = values.ttl === undefined ? 7 * 86_400 : parseDuration(values.ttl);

  const [identity, connection] = await Promise.all([
    openProfileIdentity(profileDir),
    loadConnection(profileDir),
  ]);
  const client = new ControlPlaneClient({
    nodeId: connection.node_id,
    urls: connection.control_urls,
    caPem: connection.ca_pem,
    signSeed: identity.keys.signSeed,
  });
  const minted = await client.post<{
    invite: { id: string; expires_at: number; max_uses: number };
    link: string;
  }>('/v1/invites', { role, ttl_seconds: ttlSeconds, max_uses: uses });
  out.result(
    {
      id: minted.invite.id,
      link: minted.link,
      role,
      expires_at: minted.invite.expires_at,
      max_uses: minted.invite.max_uses,
    },
    minted.link,
  );
}

/** `90s`, `30m`, `12h`, `7d` or plain seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (match === null)
    throw new UsageError(`--ttl ${text}: use a number with s, m, h or d (e.g. 7d)`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}
