/**
 * The node's TLS material: a private CA and a server certificate it signs (EC P-256, as the seed
 * used). Joiners pin the CA by its SHA-256 fingerprint from the invite link, so the CA never has
 * to be trusted system-wide. Validity follows the seed: CA 3650 days, leaf 825 days.
 */
import { createHash, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
// @peculiar/x509 uses tsyringe, which needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const CA_VALIDITY_DAYS = 3650;
const LEAF_VALIDITY_DAYS = 825;
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

  const serverKeys = await crypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']);
  const altNames = uniqueAltNames([...LOOPBACK_ALT_NAMES, ...options.subjectAltNames]);
  const serverCertificate = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerial(),
      subject: `CN=${options.commonName ?? 'unibus'} node`,
      issuer: caCertificate.subject,
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
          altNames.map((name) => ({ type: isIP(name) ? 'ip' : 'dns', value: name })),
        ),
        await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey, false, crypto),
        await x509.SubjectKeyIdentifierExtension.create(serverKeys.publicKey, false, crypto),
      ],
    },
    crypto,
  );

  return {
    ca: {
      certificatePem: caCertificate.toString('pem'),
      privateKeyPem: await exportPrivateKeyPem(crypto, caKeys.privateKey),
    },
    server: {
      certificatePem: serverCertificate.toString('pem'),
      privateKeyPem: await exportPrivateKeyPem(crypto, serverKeys.privateKey),
    },
    caFingerprint: certificateFingerprint(caCertificate.toString('pem')),
  };
}

/** SHA-256 over the DER bytes of the first certificate in `pem`, lowercase hex. */
export function certificateFingerprint(pem: string): string {
  const der = new x509.X509Certificate(pem).rawData;
  return createHash('sha256').update(new Uint8Array(der)).digest('hex');
}

function uniqueAltNames(names: readonly string[]): string[] {
  return [...new Set(names.map((name) => name.trim().toLowerCase()).filter((n) => n !== ''))];
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
