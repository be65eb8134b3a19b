/**
 * The node's TLS material: a private CA and a server certificate it signs (EC P-256, as the seed
 * used). Joiners pin the CA by its SHA-256 fingerprint from the invite link, so the CA never has
 * to be trusted system-wide. Validity follows the seed: CA 3650 days, leaf 825 days.
 *
 * The server certificate covers loopback and exactly the addresses the node advertises; when
 * those change between starts, `reissueServerCertificate` makes a new one under the same CA (the
 * fingerprint in links already sent stays valid).
 */
import {
  X509Certificate as NodeX509Certificate,
  createHash,
  createPrivateKey,
  webcrypto,
} from 'node:crypto';
import { isIP } from 'node:net';
// @peculiar/x509 uses tsyringe, which needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const CA_VALIDITY_DAYS = 3650;
const LEAF_VALIDITY_DAYS = 825;
/** A server certificate closer than this to its end is renewed at the next start. */
const RENEW_BEFORE_DAYS = 30;
const DAY_MS = 86_400_000;

export interface PemKeyPair {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

export interface NodeTlsMaterial {
  readonly ca: PemKeyPair;
  readonly server: PemKeyPair;
  /** Lowercase hex SHA-256 of the CA certificate's DER encoding. */
  readonly caFingerprint: string;
}

export interface NodeTlsOptions {
  /** Host names and IP literals the server certificate must cover, beyond loopback. */
  readonly subjectAltNames: readonly string[];
  readonly commonName?: string;
  readonly now?: Date;
}

/** Loopback names every node certificate covers, so local peers can always connect. */
export const LOOPBACK_ALT_NAMES = ['localhost', '127.0.0.1', '::1'] as const;

export async function generateNodeTlsMaterial(options: NodeTlsOptions): Promise<NodeTlsMaterial> {
  const crypto = webcrypto;
  const now = options.now ?? new Date();
  const caKeys = await crypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']);
  const caCertificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerial(),
      name: `CN=${options.commonName ?? 'unibus'} CA`,
      notBefore: now,
      notAfter: new Date(now.getTime() + CA_VALIDITY_DAYS * DAY_MS),
      signingAlgorithm: EC_P256,
      keys: caKeys,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
          true,
        ),
        await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  return {
    ca: {
      certificatePem: caCertificate.toString('pem'),
      privateKeyPem: await exportPrivateKeyPem(crypto, caKeys.privateKey),
    },
    server: await createServerCertificate(caKeys, caCertificate.subject, { ...options, now }),
    caFingerprint: certificateFingerprint(caCertificate.toString('pem')),
  };
}

/**
 * A new server certificate and key signed by the existing CA, for when the node's addresses
 * changed: the CA, and with it the fingerprint in every invite link already sent, stays.
 */
export async function reissueServerCertificate(
  ca: PemKeyPair,
  options: NodeTlsOptions,
): Promise<PemKeyPair> {
  const crypto = webcrypto;
  const caCertificate = new x509.X509Certificate(ca.certificatePem);
  const caKeys = {
    privateKey: await crypto.subtle.importKey(
      'pkcs8',
      new Uint8Array(createPrivateKey(ca.privateKeyPem).export({ type: 'pkcs8', format: 'der' })),
      EC_P256,
      false,
      ['sign'],
    ),
    publicKey: await caCertificate.publicKey.export(EC_P256, ['verify'], crypto),
  };
  return createServerCertificate(caKeys, caCertificate.subject, {
    ...options,
    now: options.now ?? new Date(),
  });
}

export class ServerCertificateDamagedError extends Error {
  override readonly name = 'ServerCertificateDamagedError';
}

/**
 * Whether `server` is still right for this start: `fits`, or `stale` when its key is not its own
 * (a reissue interrupted between the two writes), it ends within 30 days, or it does not cover
 * exactly loopback plus `subjectAltNames`. Throws ServerCertificateDamagedError when the files
 * are not a certificate and a key, or the CA did not sign it: that is damage, not staleness.
 */
export function serverCertificateState(
  server: PemKeyPair,
  ca: PemKeyPair,
  subjectAltNames: readonly string[],
  now: Date = new Date(),
): 'fits' | 'stale' {
  let certificate: NodeX509Certificate;
  let key: ReturnType<typeof createPrivateKey>;
  try {
    certificate = new NodeX509Certificate(server.certificatePem);
    key = createPrivateKey(server.privateKeyPem);
  } catch {
    throw new ServerCertificateDamagedError('tls/server.crt or tls/server.key is damaged');
  }
  if (!certificate.verify(new NodeX509Certificate(ca.certificatePem).publicKey))
    throw new ServerCertificateDamagedError("tls/server.crt was not issued by this node's CA");
  if (!certificate.checkPrivateKey(key)) return 'stale';
  if (new Date(certificate.validTo).getTime() - now.getTime() < RENEW_BEFORE_DAYS * DAY_MS)
    return 'stale';
  const wanted = new Set(altNamesFor(subjectAltNames).map(canonicalName));
  const actual = new Set(certificateAltNames(server.certificatePem).map(canonicalName));
  const same = wanted.size === actual.size && [...wanted].every((name) => actual.has(name));
  return same ? 'fits' : 'stale';
}

/** The DNS names and IP addresses in a certificate's subjectAltName, lowercase. */
export function certificateAltNames(pem: string): string[] {
  const text = new NodeX509Certificate(pem).subjectAltName ?? '';
  return text
    .split(', ')
    .map((entry) => /^(?:DNS|IP Address):(.+)$/.exec(entry)?.[1])
    .filter((name): name is string => name !== undefined)
    .map((name) => name.toLowerCase());
}

/** SHA-256 over the DER bytes of the first certificate in `pem`, lowercase hex. */
export function certificateFingerprint(pem: string): string {
  const der = new x509.X509Certificate(pem).rawData;
  return createHash('sha256').update(new Uint8Array(der)).digest('hex');
}

async function createServerCertificate(
  caKeys: { readonly privateKey: webcrypto.CryptoKey; readonly publicKey: webcrypto.CryptoKey },
  caSubject: string,
  options: NodeTlsOptions & { readonly now: Date },
): Promise<PemKeyPair> {
  const crypto = webcrypto;
  const { now } = options;
  const serverKeys = await crypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']);
  const certificate = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerial(),
      subject: `CN=${options.commonName ?? 'unibus'} node`,
      issuer: caSubject,
      notBefore: now,
      notAfter: new Date(now.getTime() + LEAF_VALIDITY_DAYS * DAY_MS),
      signingAlgorithm: EC_P256,
      publicKey: serverKeys.publicKey,
      signingKey: caKeys.privateKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(
          altNamesFor(options.subjectAltNames).map((name) => ({
            type: isIP(name) ? 'ip' : 'dns',
            value: name,
          })),
        ),
        await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey, false, crypto),
        await x509.SubjectKeyIdentifierExtension.create(serverKeys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  return {
    certificatePem: certificate.toString('pem'),
    privateKeyPem: await exportPrivateKeyPem(crypto, serverKeys.privateKey),
  };
}

function altNamesFor(names: readonly string[]): string[] {
  return [
    ...new Set(
      [...LOOPBACK_ALT_NAMES, ...names].map((name) => name.trim().toLowerCase()).filter(Boolean),
    ),
  ];
}

/** One spelling per IPv6 address (a certificate prints `0:0:0:0:0:0:0:1` for `::1`). */
function canonicalName(name: string): string {
  return isIP(name) === 6 ? new URL(`http://[${name}]`).hostname : name;
}

function randomSerial(): string {
  // Positive 16-byte serial (RFC 5280 §4.1.2.2 allows up to 20 octets).
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = bytes[0]! & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

async function exportPrivateKeyPem(
  crypto: webcrypto.Crypto,
  key: webcrypto.CryptoKey,
): Promise<string> {
  const pkcs8 = Buffer.from(await crypto.subtle.exportKey('pkcs8', key)).toString('base64');
  const lines = pkcs8.match(/.{1,64}/g) ?? [];
  return `-----BEGIN PRIVATE KEY-----\n${lines.join('\n')}\n-----END PRIVATE KEY-----\n`;
}
