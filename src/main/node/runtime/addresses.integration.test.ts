/**
 * A node whose addresses change between starts (another network, a new public name): its server
 * certificate is reissued to cover exactly the new set, under the same CA, so the fingerprint in
 * invite links already sent stays valid. Both planes serve the new certificate.
 */
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { connect as natsConnect } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { generateIdentityKeyPairs } from '../../crypto';
import { encodeIdentityCard } from '../../protocol';
import { certificateAltNames, generateNodeTlsMaterial } from '../tls/certificates';
import { startNode, type RunningNode } from './start-node';

const root = mkdtempSync(join(tmpdir(), 'unibus-addresses-'));
const dataDir = join(root, 'node');
const keys = generateIdentityKeyPairs();
const adminCard = encodeIdentityCard({
  handle: 'host',
  signPublic: keys.signPublic,
  kexPublic: keys.kexPublic,
});
let node: RunningNode | undefined;

async function start(advertise: string[]): Promise<RunningNode> {
  node = await startNode({
    dataDir,
    bind: '127.0.0.1',
    httpPort: 0,
    natsPort: 0,
    advertise,
    adminCard,
  });
  return node;
}

async function stop(): Promise<void> {
  await node?.stop();
  node = undefined;
}

const serverCertificate = () => readFileSync(join(dataDir, 'tls', 'server.crt'), 'utf8');

/** The control plane's TLS handshake as a client checking `servername` against the pinned CA. */
async function controlPlaneAccepts(n: RunningNode, servername: string): Promise<boolean> {
  const socket = tlsConnect({
    host: '127.0.0.1',
    port: Number(new URL(n.controlUrls[0]!).port),
    servername,
    ca: n.caCertificatePem,
  });
  // `once` rejects on 'error': a refused certificate lands there.
  const accepted = await once(socket, 'secureConnect').then(
    () => true,
    () => false,
  );
  socket.destroy();
  return accepted;
}

/** The NATS TLS upgrade for `servername`: a certificate error, or on to authentication. */
async function natsTlsError(n: RunningNode, servername: string): Promise<string> {
  const port = new URL(n.natsUrls[0]!.replace(/^tls:/, 'nats:')).port;
  const failure = await natsConnect({
    servers: `nats://127.0.0.1:${port}`,
    // nats.js hands its tls options to tls.connect as they are; its type just omits servername.
    tls: { ca: n.caCertificatePem, servername } as { ca: string },
    reconnect: false,
  }).then(
    (nc) => nc.close().then(() => 'connected without credentials'),
    (error: unknown) => String((error as Error & { cause?: unknown }).cause ?? error),
  );
  return failure;
}

afterAll(async () => {
  await stop();
  rmSync(root, { recursive: true, force: true });
}, 30_000);

describe('node - addresses that change between starts', () => {
  it('reissues the server certificate for the new names, never the CA', async () => {
    const first = await start(['old.example']);
    const fingerprint = first.caFingerprint;
    expect(first.controlUrls[0]).toMatch(/^https:\/\/old\.example:\d+$/);
    expect(first.natsUrls[0]).toMatch(/^tls:\/\/old\.example:\d+$/);
    expect(first.localControlUrls[0]).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(await controlPlaneAccepts(first, 'old.example')).toBe(true);
    await stop();
    expect(certificateAltNames(serverCertificate())).toContain('old.example');

    const second = await start(['new.example']);
    expect(second.caFingerprint).toBe(fingerprint);
    expect(second.controlUrls[0]).toMatch(/^https:\/\/new\.example:\d+$/);
    const names = certificateAltNames(serverCertificate());
    expect(names).toContain('new.example');
    expect(names).not.toContain('old.example');
    // Both planes serve it: the new name is accepted, the old one refused.
    expect(await controlPlaneAccepts(second, 'new.example')).toBe(true);
    expect(await controlPlaneAccepts(second, 'old.example')).toBe(false);
    expect(await natsTlsError(second, 'old.example')).toMatch(/altnames|does not match/i);
    expect(await natsTlsError(second, 'new.example')).toMatch(/authori[sz]ation/i);
    const issued = serverCertificate();
    await stop();

    // The same names again: the certificate is kept as it is.
    const third = await start(['new.example']);
    expect(third.caFingerprint).toBe(fingerprint);
    expect(serverCertificate()).toBe(issued);
    await stop();

    // A reissue cut short between its two writes (a new key, the old certificate) is repaired.
    const other = await generateNodeTlsMaterial({ subjectAltNames: [] });
    writeFileSync(join(dataDir, 'tls', 'server.key'), other.server.privateKeyPem, { mode: 0o600 });
    const fourth = await start(['new.example']);
    expect(fourth.caFingerprint).toBe(fingerprint);
    expect(serverCertificate()).not.toBe(issued);
    expect(await controlPlaneAccepts(fourth, 'new.example')).toBe(true);
  }, 120_000);
});
