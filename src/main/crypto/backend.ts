/**
 * Backend selection. The runtime is probed once, lazily: each native primitive must
 * reproduce a known answer (computed with both @noble and OpenSSL, see `probe` below) before it is
 * used, so a runtime that lacks a primitive (Electron's BoringSSL has no chacha20-poly1305)
 * or mis-implements it silently falls back to @noble for that primitive only.
 *
 * Tests force a backend with `useCryptoBackend('native' | 'noble')`, and simulate a runtime
 * without some primitive with `useCryptoBackend('native', { withoutNative: ['chacha20poly1305'] })`.
 */
import { asciiBytes, constantTimeEqual } from './bytes.js';
import { nativePrimitives } from './native-primitives.js';
import { noblePrimitives } from './noble-primitives.js';
import { PRIMITIVE_NAMES, type PrimitiveName, type PrimitiveSet } from './primitive-set.js';

export type CryptoBackendName = 'native' | 'noble';
export type CryptoBackendChoice = CryptoBackendName | 'auto';
export type CryptoCapabilities = Readonly<Record<PrimitiveName, boolean>>;
export type CryptoImplementations = Readonly<Record<PrimitiveName, CryptoBackendName>>;

export interface CryptoBackendOptions {
  /** Treat these primitives as missing from the runtime (to exercise the fallback path). */
  readonly withoutNative?: readonly PrimitiveName[];
}

const fromHex = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));
const sequence = (length: number, start: number): Uint8Array =>
  Uint8Array.from({ length }, (_, i) => (start + i) & 0xff);

/** Runs `check`; any exception (missing cipher, unsupported key type) means "not available". */
function passes(check: () => boolean): boolean {
  try {
    return check();
  } catch {
    return false;
  }
}

function probe(): CryptoCapabilities {
  const n = nativePrimitives;
  const message = asciiBytes('unibus crypto probe');
  const key = sequence(32, 1);
  const nonce = sequence(12, 0x40);
  const aad = sequence(5, 9);
  const same = (actual: Uint8Array, expectedHex: string): boolean =>
    constantTimeEqual(actual, fromHex(expectedHex));
  // Known answers below were produced identically by @noble and Node 20's OpenSSL.
  return {
    randomBytes: passes(() => n.randomBytes.generate(16).length === 16),
    sha256: passes(() =>
      same(
        n.sha256.digest(message),
        '7bca19a4d1e3ad31d01b06dc2f4001ba5c2c9fdc274ea60a3a3db8ae0c6dbba5',
      ),
    ),
    sha512: passes(() =>
      same(
        n.sha512.digest(message),
        '11c001757330ab16b0144ed599e6fc7870c98e63d68f8ed526820da61fc2d37e' +
          '27064cf1091f53504b336a7bad5d196d055894580eea46280dd1c25987d047a2',
      ),
    ),
    ed25519: passes(() => {
      const publicKey = n.ed25519.publicKey(key);
      const signature = n.ed25519.sign(key, message);
      return (
        same(publicKey, '79b5562e8fe654f94078b112e8a98ba7901f853ae695bed7e0e3910bad049664') &&
        same(
          signature,
          'b254a7079bac8e8923d6629255e41523186c2bfc2b856c1afaac46b276758b14' +
            '074ef5448af77c4314f1af312594cdfd4b88f52832cb3c4d8ddceb28c193910e',
        ) &&
        n.ed25519.verify(publicKey, message, signature)
      );
    }),
    x25519: passes(() => {
      const peerPrivate = sequence(32, 0x80);
      const peer = n.x25519.publicKey(peerPrivate);
      // The ephemeral path generates its key inside the runtime: check it agrees with us.
      const ephemeral = n.x25519.ephemeralAgreement(peer);
      return (
        same(peer, '493e82fc74464a59268817623d2053c5eb8e2cc4a988b4fee179ec6b010d531d') &&
        same(
          n.x25519.sharedSecret(key, peer),
          '5266019be756db8c25a94f398234f82d8fc04c95ca6375587edaf39ce04cc631',
        ) &&
        constantTimeEqual(
          ephemeral.sharedSecret,
          n.x25519.sharedSecret(peerPrivate, ephemeral.ephemeralPublic),
        )
      );
    }),
    chacha20poly1305: passes(() => {
      const expected = 'b2b30cd01d2a33e9b5fbdc1eafe58e687813a4cff6b6aa2b7063670ff81d2d4b442a25';
      const sealed = n.chacha20poly1305.seal(key, nonce, message, aad);
      return (
        same(sealed, expected) &&
        same(n.chacha20poly1305.open(key, nonce, sealed, aad), Buffer.from(message).toString('hex'))
      );
    }),
    aes256gcm: passes(() => {
      const expected = 'affab5131a3c2cfdcee412d17b566871d71b54d1910abfb1cd4d63f362daca0c10c285';
      const sealed = n.aes256gcm.seal(key, nonce, message, aad);
      return (
        same(sealed, expected) &&
        same(n.aes256gcm.open(key, nonce, sealed, aad), Buffer.from(message).toString('hex'))
      );
    }),
    scrypt: passes(() =>
      same(
        n.scrypt.derive(message, sequence(16, 3), { N: 16, r: 1, p: 1 }, 32),
        '8d9b2402113f2a928e404ebf632c1d5cac4e1017009c649fe0f4eaebdb3dc7fb',
      ),
    ),
  };
}

let probed: CryptoCapabilities | undefined;
let choice: CryptoBackendChoice = 'auto';
let withoutNative: ReadonlySet<PrimitiveName> = new Set();
let selected: { primitives: PrimitiveSet; implementations: CryptoImplementations } | undefined;

/** Which primitives this runtime's `node:crypto` provides correctly. Probed once, then cached. */
export function probeCryptoCapabilities(): CryptoCapabilities {
  probed ??= Object.freeze(probe());
  return probed;
}

function select(): NonNullable<typeof selected> {
  const capabilities = probeCryptoCapabilities();
  const implementations = {} as Record<PrimitiveName, CryptoBackendName>;
  const primitives = {} as Record<PrimitiveName, unknown>;
  for (const name of PRIMITIVE_NAMES) {
    const useNative = choice !== 'noble' && capabilities[name] && !withoutNative.has(name);
    implementations[name] = useNative ? 'native' : 'noble';
    primitives[name] = (useNative ? nativePrimitives : noblePrimitives)[name];
  }
  return {
    primitives: Object.freeze(primitives) as PrimitiveSet,
    implementations: Object.freeze(implementations),
  };
}

/** The primitives in force. Internal to the crypto module; callers use the functions in index.ts. */
export function primitives(): PrimitiveSet {
  selected ??= select();
  return selected.primitives;
}

/**
 * Chooses the backend. 'auto' (the default) and 'native' both use every native primitive the
 * probe found and @noble for the rest; 'noble' uses @noble for everything. Meant for tests and
 * benchmarks: production code never calls this.
 */
export function useCryptoBackend(
  backend: CryptoBackendChoice,
  options: CryptoBackendOptions = {},
): void {
  if (backend !== 'auto' && backend !== 'native' && backend !== 'noble') {
    throw new RangeError(`useCryptoBackend: unknown backend ${String(backend)}`);
  }
  choice = backend;
  withoutNative = new Set(options.withoutNative ?? []);
  selected = undefined;
}

/** 'native' when at least one primitive runs natively, else 'noble'. */
export function cryptoBackend(): CryptoBackendName {
  return Object.values(cryptoImplementations()).includes('native') ? 'native' : 'noble';
}

/** Which implementation each primitive currently uses (for diagnostics, posture and tests). */
export function cryptoImplementations(): CryptoImplementations {
  selected ??= select();
  return selected.implementations;
}
