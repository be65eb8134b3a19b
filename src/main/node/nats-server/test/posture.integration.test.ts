/**
 * Goal N2 (reliability-anchors §4.6): the generated config has no no_auth_user, no leafnode
 * listener, monitoring on 127.0.0.1 only, sync_interval always; and the RUNNING server agrees
 * (checked through its loopback /varz).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUser } from '@nats-io/nkeys';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nkeyPublic } from '../../../crypto';
import { resolveNatsServerBinary } from '../binary.js';
import { DEFAULT_MAX_PAYLOAD, renderNatsServerConfig } from '../config.js';
import { inspectNatsServer } from '../inspect.js';
import { NatsServerSupervisor } from '../supervisor.js';

interface Varz {
  host: string;
  auth_required?: boolean;
  max_payload: number;
  http_host: string;
  leaf?: { port?: number };
  cluster?: { port?: number };
  gateway?: { port?: number };
  mqtt?: { port?: number };
  websocket?: { port?: number };
  jetstream?: { config?: { sync_always?: boolean; store_dir?: string } };
  version: string;
}

describe('posture of the generated config and of the running server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'unibus-posture-'));
  let sup: NatsServerSupervisor;
  let text = '';
  let varz: Varz;
  let version = '';

  beforeAll(async () => {
    const bin = resolveNatsServerBinary();
    const inspection = await inspectNatsServer(bin, 'production');
    version = inspection.version.text;
    text = renderNatsServerConfig(
      {
        listen: { host: '127.0.0.1', port: 'auto' },
        portsFileDir: dir,
        monitoring: { port: 'auto' },
        maxPayloadBytes: DEFAULT_MAX_PAYLOAD,
        jetstream: {
          storeDir: join(dir, 'js'),
          cipher: { algorithm: 'aes', keyEnvVar: 'UNIBUS_POSTURE_KEY' },
        },
        internal: {
          nodeNkey: createUser().getPublicKey(),
          busNkey: createUser().getPublicKey(),
          membersNkey: createUser().getPublicKey(),
          systemNkey: createUser().getPublicKey(),
        },
        calloutIssuer: nkeyPublic('account', new Uint8Array(32).fill(5)),
      },
      inspection.features,
    );
    sup = new NatsServerSupervisor({
      bin,
      configFile: join(dir, 'nats-server.conf'),
      portsFileDir: dir,
      env: { UNIBUS_POSTURE_KEY: 'p'.repeat(32) },
    });
    await sup.start(text);
    varz = (await (await fetch(`${sup.monitoringUrls[0]}/varz`)).json()) as Varz;
  });
  afterAll(async () => {
    await sup?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('config: 9/9 posture checks', () => {
    const checks = {
      noNoAuthUser: !/no_auth_user/.test(text),
      noLeafnodes: !/leafnodes/.test(text),
      noCluster: !/^cluster/m.test(text),
      monitoringLoopback: /^http: "127\.0\.0\.1:-1"$/m.test(text),
      syncAlways: /sync_interval: always/.test(text),
      keyIsEnvReference:
        /^ {2}key: \$UNIBUS_POSTURE_KEY$/m.test(text) && !text.includes('p'.repeat(32)),
      busAccountHasUsers: /BUS \{[\s\S]*nkey:/.test(text),
      membersViaCalloutOnly: /auth_callout \{/.test(text) && !/permissions/.test(text),
      noAnonymous: !/(user|password|token):/.test(text),
    };
    expect(checks).toEqual(Object.fromEntries(Object.keys(checks).map((k) => [k, true])));
  });

  it('running server: /varz agrees', () => {
    expect(varz.version).toBe(version);
    expect(varz.host).toBe('127.0.0.1');
    expect(varz.http_host).toBe('127.0.0.1');
    expect(varz.auth_required).toBe(true);
    expect(varz.max_payload).toBe(DEFAULT_MAX_PAYLOAD);
    expect(varz.leaf?.port ?? 0).toBe(0);
    expect(varz.cluster?.port ?? 0).toBe(0);
    expect(varz.gateway?.port ?? 0).toBe(0);
    expect(varz.mqtt?.port ?? 0).toBe(0);
    expect(varz.websocket?.port ?? 0).toBe(0);
    expect(varz.jetstream?.config?.sync_always).toBe(true);
  });

  it('running server: an anonymous client is refused (the callout, not answering here, times out)', async () => {
    await expect(
      connect({ servers: sup.urls[0], reconnect: false, timeout: 5_000 }),
    ).rejects.toThrow(/Authorization/i);
  });

  it('the at-rest key is only in the child environment', () => {
    expect(readFileSync(`/proc/${sup.pid}/cmdline`, 'utf8')).not.toContain('p'.repeat(32));
    expect(readFileSync(`/proc/${sup.pid}/environ`, 'utf8')).toContain(
      `UNIBUS_POSTURE_KEY=${'p'.repeat(32)}`,
    );
    expect(sup.log.text()).toMatch(/Encryption:\s+AES-GCM/);
    expect(sup.log.text()).not.toContain('p'.repeat(32));
  });
});
