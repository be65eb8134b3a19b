/**
 * `unibus invites create`: mints an invite through the signed admin API and prints the join link
 * once. `unibus invites rotate-key [--grace DURATION]`: replaces the invite signing key (links
 * signed by the old one keep working for the grace period, default 1d). `unibus invites keys`.
 */
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
  if (sub === 'rotate-key') return rotateKeyCommand(rest, profileDir, out);
  if (sub === 'keys') return keysCommand(rest, profileDir, out);
  if (sub !== 'create')
    throw new UsageError(
      'usage: unibus invites create [--role member|admin] [--ttl DURATION] [--uses N]\n' +
        '       unibus invites keys | unibus invites rotate-key [--grace DURATION]',
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

  const client = await adminClient(profileDir);
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

interface KeyView {
  kid: string;
  primary: boolean;
  retires_at: number | null;
}

async function rotateKeyCommand(args: string[], profileDir: string, out: Output): Promise<void> {
  const { values } = parseArgs({ args, options: { grace: { type: 'string' } }, strict: true });
  const graceSeconds = values.grace === undefined ? 86_400 : parseDuration(values.grace, '--grace');
  const client = await adminClient(profileDir);
  const rotated = await client.post<{ kid: string; keys: KeyView[] }>('/v1/invite-keys/rotate', {
    grace_seconds: graceSeconds,
  });
  const retiring = rotated.keys.filter((k) => !k.primary && k.retires_at !== null);
  const until = retiring.map((k) => new Date(k.retires_at! * 1000).toISOString());
  out.result(
    { id: rotated.kid, kid: rotated.kid, keys: rotated.keys },
    `new invite links are signed by key ${rotated.kid}` +
      (until.length > 0
        ? `; links made before keep working until ${until.join(', ')}`
        : '; links made before no longer work'),
  );
}

async function keysCommand(args: string[], profileDir: string, out: Output): Promise<void> {
  if (args.length > 0) throw new UsageError('usage: unibus invites keys');
  const client = await adminClient(profileDir);
  const { keys } = await client.get<{ keys: KeyView[] }>('/v1/invite-keys');
  const now = Date.now() / 1000;
  const line = (k: KeyView) =>
    `${k.kid}  ${
      k.primary
        ? 'signs new links'
        : k.retires_at !== null && k.retires_at <= now
          ? 'retired'
          : `retires ${new Date(k.retires_at! * 1000).toISOString()}`
    }`;
  out.result({ keys }, keys.map(line).join('\n'));
}

async function adminClient(profileDir: string): Promise<ControlPlaneClient> {
  const [identity, connection] = await Promise.all([
    openProfileIdentity(profileDir),
    loadConnection(profileDir),
  ]);
  return new ControlPlaneClient({
    nodeId: connection.node_id,
    urls: connection.control_urls,
    caPem: connection.ca_pem,
    signSeed: identity.keys.signSeed,
  });
}

/** `90s`, `30m`, `12h`, `7d` or plain seconds. */
export function parseDuration(text: string, option = '--ttl'): number {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (match === null)
    throw new UsageError(`${option} ${text}: use a number with s, m, h or d (e.g. 7d)`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}
