import { describe, expect, it } from 'vitest';
import { base64urlDecode, base64urlEncode } from '../../protocol';
import { formatJoinLink, parseJoinLink } from './join-link';
import { InviteKeyRing } from './key-ring';
import { InviteTokenError, mintInviteToken, verifyInviteToken } from './token';

const NODE = 'node-1';
const NOW = 1_800_000_000;

function verify(ring: InviteKeyRing, token: string, nodeId = NODE, nowSeconds = NOW) {
  return verifyInviteToken(token, {
    nodeId,
    publicKeyFor: (kid) => ring.publicKeyFor(kid),
    nowSeconds,
  });
}

function reencode(token: string, edit: (payload: Record<string, unknown>) => void): string {
  const [prefix, payload, sig] = token.split('.') as [string, string, string];
  const value = JSON.parse(new TextDecoder().decode(base64urlDecode(payload)!)) as Record<
    string,
    unknown
  >;
  edit(value);
  return `${prefix}.${base64urlEncode(new TextEncoder().encode(JSON.stringify(value)))}.${sig}`;
}

describe('invites - signed tokens', () => {
  const ring = InviteKeyRing.generate();

  it('verifies a fresh token and returns its payload', () => {
    const { token, payload } = mintInviteToken(ring.primary, {
      nodeId: NODE,
      role: 'member',
      expiresAt: NOW + 60,
    });
    expect(verify(ring, token)).toEqual(payload);
    expect(payload.id).toHaveLength(22);
    expect(payload.s).not.toBe(payload.id);
  });

  it('refuses expired, foreign-node, tampered, re-signed and malformed tokens with a typed error', () => {
    const { token } = mintInviteToken(ring.primary, {
      nodeId: NODE,
      role: 'member',
      expiresAt: NOW + 60,
    });
    expect(() => verify(ring, token, NODE, NOW + 60)).toThrow('invite expired');
    expect(() => verify(ring, token, 'node-2')).toThrow('invite is for another node');
    expect(() =>
      verify(
        ring,
        reencode(token, (p) => (p.role = 'admin')),
      ),
    ).toThrow('invalid invite signature');
    expect(() =>
      verify(
        ring,
        reencode(token, (p) => (p.exp = NOW + 10_000)),
      ),
    ).toThrow('invalid invite signature');
    for (const bad of [
      '',
      'ubi1',
      'ubi1..',
      'ubi2.a.b',
      `${token}.x`,
      token.slice(0, -2),
      42,
      null,
    ]) {
      expect(() => verify(ring, bad as string)).toThrow(InviteTokenError);
    }
  });

  it('needs the kid it names (P-18): missing, unknown or another key id fails, never tries every key', () => {
    const other = InviteKeyRing.generate();
    const { token } = mintInviteToken(other.primary, {
      nodeId: NODE,
      role: 'member',
      expiresAt: NOW + 60,
    });
    expect(() => verify(ring, token)).toThrow('unknown invite key');
    const renamed = reencode(token, (p) => (p.kid = ring.primaryKid));
    expect(() => verify(ring, renamed)).toThrow('invalid invite signature');
    const noKid = reencode(token, (p) => delete p.kid);
    expect(() => verify(ring, noKid)).toThrow('malformed invite');
  });

  it('rotates (P-20): old tokens verify until their key is retired, new ones use the new kid', () => {
    const old = mintInviteToken(ring.primary, {
      nodeId: NODE,
      role: 'member',
      expiresAt: NOW + 60,
    });
    const rotated = ring.rotate();
    const fresh = mintInviteToken(rotated.primary, {
      nodeId: NODE,
      role: 'member',
      expiresAt: NOW + 60,
    });
    expect(fresh.payload.kid).toBe(rotated.primaryKid);
    expect(fresh.payload.kid).not.toBe(ring.primaryKid);
    expect(verify(rotated, old.token).id).toBe(old.payload.id);
    const retired = rotated.retire(ring.primaryKid);
    expect(() => verify(retired, old.token)).toThrow('unknown invite key');
    expect(verify(retired, fresh.token).id).toBe(fresh.payload.id);
    expect(() => retired.retire(retired.primaryKid)).toThrow(InviteTokenError);
  });
});

describe('invites - join link', () => {
  const link = {
    nodeId: 'node-1',
    caFingerprint: 'ab'.repeat(32),
    controlUrls: ['https://127.0.0.1:8470', 'https://[::1]:8470'],
    natsUrls: ['tls://127.0.0.1:4250'],
    token: 'ubi1.abc.def',
  };

  it('round-trips every address, the fingerprint and the token', () => {
    expect(parseJoinLink(formatJoinLink(link))).toEqual(link);
  });

  it('refuses links without a pin, with plain http or without addresses', () => {
    const text = formatJoinLink(link);
    expect(() => parseJoinLink(text.replace(/ca=[0-9a-f]+/, 'ca=zz'))).toThrow(InviteTokenError);
    expect(() => parseJoinLink(text.replaceAll('https%3A', 'http%3A'))).toThrow('https');
    expect(() => parseJoinLink(formatJoinLink({ ...link, natsUrls: [] }))).toThrow('tls');
    expect(() => parseJoinLink('https://example.com/join?v=1')).toThrow('not a unibus join link');
  });
});
