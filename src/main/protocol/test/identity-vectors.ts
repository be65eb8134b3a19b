/**
 * Vectors of docs/PROTOCOL.md §2.1 (look-alike handles) and §2.2 (safety numbers), recomputed by
 * protocol-doc.test.ts like every other vector block. Handles are given as UTF-8 hex so the
 * document shows which code points they are (a fullwidth or Cyrillic letter looks the same).
 */
import { ed25519PublicKey, endpointId, sha512 } from '../../crypto/index.js';
import { base64urlDecode, concatBytes, hexDecode, hexEncode, utf8Encode } from '../encoding.js';
import { handlesLookAlike, lookAlikeKeys } from '../handle-skeleton.js';
import {
  digitGroups,
  identityFingerprint,
  safetyNumber,
  safetyNumberWords,
  shortFingerprint,
} from '../safety-number.js';

type Fields = ReadonlyMap<string, string>;
interface Result {
  readonly inputs: readonly string[];
  readonly outputs: Record<string, string>;
}

function input(f: Fields, key: string): string {
  const value = f.get(key);
  if (value === undefined) throw new Error(`missing input ${key}`);
  return value;
}

function bytes(f: Fields, key: string): Uint8Array {
  const value = hexDecode(input(f, key));
  if (!value) throw new Error(`${key} is not lowercase hex`);
  return value;
}

export const HANDLE_PAIRS = 8;

function handleLookAlike(f: Fields): Result {
  const inputs: string[] = [];
  const outputs: Record<string, string> = {};
  for (let i = 1; i <= HANDLE_PAIRS; i++) {
    const [a, b] = (['a', 'b'] as const).map((side) => {
      inputs.push(`pair_${i}_${side}_utf8_hex`);
      return new TextDecoder('utf-8', { fatal: true }).decode(
        bytes(f, `pair_${i}_${side}_utf8_hex`),
      );
    }) as [string, string];
    const [ka, kb] = [lookAlikeKeys(a), lookAlikeKeys(b)];
    outputs[`pair_${i}_handles`] = `${a} ${b}`;
    outputs[`pair_${i}_case_keys`] = `${ka.caseKey} ${kb.caseKey}`;
    outputs[`pair_${i}_shape_keys`] = `${ka.shapeKey} ${kb.shapeKey}`;
    outputs[`pair_${i}_look_alike`] = handlesLookAlike(a, b) ? 'yes' : 'no';
  }
  return { inputs, outputs };
}

function safetyNumberVector(f: Fields): Result {
  const alice = ed25519PublicKey(bytes(f, 'alice_sign_seed_hex'));
  const bob = ed25519PublicKey(bytes(f, 'bob_sign_seed_hex'));
  const h0 = concatBytes(
    utf8Encode('unibus:v1:safety\0'),
    alice,
    base64urlDecode(endpointId(alice))!,
  );
  const [fa, fb] = [identityFingerprint(alice), identityFingerprint(bob)];
  const number = safetyNumber(fa, fb);
  return {
    inputs: ['alice_sign_seed_hex', 'bob_sign_seed_hex'],
    outputs: {
      alice_sign_pub_hex: hexEncode(alice),
      alice_h0_hex: hexEncode(h0),
      alice_h1_hex: hexEncode(sha512(concatBytes(h0, alice))),
      alice_fingerprint: digitGroups(fa).join(' '),
      bob_fingerprint: digitGroups(fb).join(' '),
      safety_number: digitGroups(number).join(' '),
      words: safetyNumberWords(number).join(' '),
      alice_short_fingerprint: shortFingerprint(fa),
      qr_payload: number,
    },
  };
}

export const IDENTITY_VECTORS: Record<string, (f: Fields) => Result> = {
  'handle-look-alike': handleLookAlike,
  'safety-number': safetyNumberVector,
};
