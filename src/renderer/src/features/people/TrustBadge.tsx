import type { PersonTrust } from '../../../../shared/types/app';
import { TID } from '../../testids';

const BADGES: { readonly [T in PersonTrust]: { text: string; title: string } | null } = {
  me: null,
  unverified: null,
  verified: {
    text: '✓ Verified',
    title: 'You compared safety numbers with this person and marked them verified',
  },
  changed: {
    text: '⚠ New key',
    title: 'Someone with this name had another key here before: compare safety numbers first',
  },
};

/** "Verified" only for a key the user verified; a loud mark for a changed key; else nothing. */
export function TrustBadge({ trust }: { trust: PersonTrust }) {
  const badge = BADGES[trust];
  if (badge === null) return null;
  return (
    <span
      className={`pill trust-${trust}`}
      data-testid={TID.trustBadge}
      data-trust={trust}
      title={badge.title}
    >
      {badge.text}
    </span>
  );
}
