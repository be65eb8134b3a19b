import { X509Certificate, createPrivateKey } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:tls';
import { describe, expect, it } from 'vitest';
import {
  certificateAltNames,
  certificateFingerprint,
  generateNodeTlsMaterial,
  reissueServerCertificate,
  ServerCertificateDamagedError,
  serverCertificateState,
} from './certificates';

describe('node tls - generated CA and server certificate', () => {
  it('issues an EC P-256 server certificate for loopback and the given names, signed by the CA', async () => {
    const material = await generateNodeTlsMaterial({
      subjectAltNames: ['node.example', '10.1.2.3'],
    });
    const ca = new X509Certificate(material.ca.certificatePem);
    const server = new X509Certificate(material.server.certificatePem);
    expect(ca.ca).toBe(true);
    expect(server.ca).toBe(false);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(server.subjectAltName).toContain('DNS:localhost');
    expect(server.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(server.subjectAltName).toContain('DNS:node.example');
    expect(server.subjectAltName).toContain('IP Address:10.1.2.3');
    expect(server.checkPrivateKey(createPrivateKey(material.server.privateKeyPem))).toBe(true);
    expect(material.caFingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(certificateFingerprint(material.ca.certificatePem)).toBe(material.caFingerprint);
    expect(ca.fingerprint256.replaceAll(':', '').toLowerCase()).toBe(material.caFingerprint);
  });

  it('serves TLS that a client pinning the CA accepts and a client without it refuses', async () => {
    const material = await generateNodeTlsMaterial({ subjectAltNames: [] });
    const server = createServer(
      { key: material.server.privateKeyPem, cert: material.server.certificatePem },
      (_req, res) => res.end('ok'),
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      const pinned = connect({ host: '127.0.0.1', port, ca: material.ca.certificatePem });
      await once(pinned, 'secureConnect');
      expect(pinned.authorized).toBe(true);
      pinned.destroy();

      const unpinned = connect({ host: '127.0.0.1', port });
      const [error] = (await once(unpinned, 'error')) as [Error & { code?: string }];
      expect(error.code).toMatch(/SELF_SIGNED|UNABLE_TO_GET_ISSUER|UNABLE_TO_VERIFY/);
    } finally {
      server.close();
    }
  });
});

describe('node tls - reissuing the server certificate under the same CA', () => {
  it('a new server certificate for new names verifies under the unchanged CA', async () => {
    const material = await generateNodeTlsMaterial({ subjectAltNames: ['10.0.0.1'] });
    expect(serverCertificateState(material.server, material.ca, ['10.0.0.1'])).toBe('fits');
    expect(serverCertificateState(material.server, material.ca, ['10.0.0.2'])).toBe('stale');
    expect(serverCertificateState(material.server, material.ca, [])).toBe('stale');

    const server = await reissueServerCertificate(material.ca, {
      subjectAltNames: ['10.0.0.2', 'team.example', 'fd00::2'],
    });
    const certificate = new X509Certificate(server.certificatePem);
    expect(certificate.verify(new X509Certificate(material.ca.certificatePem).publicKey)).toBe(
      true,
    );
    expect(certificate.checkPrivateKey(createPrivateKey(server.privateKeyPem))).toBe(true);
    expect(certificateAltNames(server.certificatePem).sort()).toEqual(
      [
        'localhost',
        '127.0.0.1',
        '0:0:0:0:0:0:0:1',
        '10.0.0.2',
        'team.example',
        'fd00:0:0:0:0:0:0:2',
      ].sort(),
    );
    // IPv6 spelled either way is the same name.
    expect(
      serverCertificateState(server, material.ca, ['team.example', 'fd00:0::2', '10.0.0.2']),
    ).toBe('fits');
  });

  it('is stale when the key is not its own or it is about to end; damaged when unreadable or not ours', async () => {
    const material = await generateNodeTlsMaterial({ subjectAltNames: [] });
    const other = await generateNodeTlsMaterial({ subjectAltNames: [] });
    const mixed = { ...material.server, privateKeyPem: other.server.privateKeyPem };
    expect(serverCertificateState(mixed, material.ca, [])).toBe('stale');
    const nearEnd = new Date(Date.now() + 820 * 86_400_000);
    expect(serverCertificateState(material.server, material.ca, [], nearEnd)).toBe('stale');
    expect(() => serverCertificateState(other.server, material.ca, [])).toThrow(
      ServerCertificateDamagedError,
    );
    const notPem = { ...material.server, privateKeyPem: 'not a pem' };
    expect(() => serverCertificateState(notPem, material.ca, [])).toThrow(
      ServerCertificateDamagedError,
    );
  });
});
