/**
 * Safety numbers for the renderer (docs/PROTOCOL.md §2.2): digits, words and the QR modules are
 * computed here, in main; the renderer gets those and never a key. Fingerprints cost 5200 SHA-512
 * each, so they are cached per key for the life of the app (and kept in people.json).
 */
import { encodeQR } from '@paulmillr/qr';
import type { PreviousKeyView, SafetyNumberView } from '../../shared/types';
import {
  digitGroups,
  hexDecode,
  identityFingerprint,
  safetyNumber,
  safetyNumberWords,
  shortFingerprint,
} from '../protocol';
import type { PersonTrustInfo } from './people';

const CACHE_LIMIT = 10_000;
const cache = new Map<string, string>();

/** The 30-digit fingerprint of a lowercase-hex signing key. */
export function fingerprintOf(signPubHex: string): string {
  let digits = cache.get(signPubHex);
  if (digits === undefined) {
    const key = hexDecode(signPubHex);
    if (key === undefined || key.length !== 32) throw new TypeError('not a signing key');
    digits = identityFingerprint(key);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(signPubHex, digits);
  }
  return digits;
}

/** First 4 groups of the fingerprint, shown next to a handle. */
export function shortFingerprintOf(signPubHex: string): string {
  return shortFingerprint(fingerprintOf(signPubHex));
}

/** QR modules of the 60 digits (numeric mode, error correction M), `1` = dark, no border. */
export function safetyQr(digits: string): string[] {
  const modules = encodeQR(digits, 'raw', { ecc: 'medium', encoding: 'numeric', border: 0 });
  return modules.map((row) => row.map((dark) => (dark ? '1' : '0')).join(''));
}

export function safetyNumberView(input: {
  readonly endpoint: string;
  readonly handle: string;
  readonly signPub: string;
  readonly mySignPub: string;
  readonly trust: PersonTrustInfo;
  readonly verifiedAt: number | null;
}): SafetyNumberView {
  const theirs = fingerprintOf(input.signPub);
  const mine = fingerprintOf(input.mySignPub);
  const digits = safetyNumber(theirs, mine);
  const previous = input.trust.previous;
  const changedFrom: PreviousKeyView | null =
    previous === null
      ? null
      : {
          handle: previous.handle,
          fingerprint:
            previous.fingerprint ??
            (previous.sign_pub !== null ? shortFingerprintOf(previous.sign_pub) : null),
          wasVerified: previous.verified_at !== null,
        };
  return {
    endpoint: input.endpoint,
    handle: input.handle,
    fingerprint: shortFingerprint(theirs),
    myFingerprint: shortFingerprint(mine),
    groups: digitGroups(digits),
    words: safetyNumberWords(digits),
    qr: safetyQr(digits),
    trust: input.trust.trust,
    verifiedAt: input.verifiedAt,
    changedFrom,
  };
}
