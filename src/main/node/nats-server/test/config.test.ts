import { nkeyPublic, nkeyUserSeed } from '../../../crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BootGuardError } from '../../boot-guards.js';
import { resolveNatsServerBinary, checkNatsServerConfig } from '../binary.js';
import {
  ConfigModelError,
  DEFAULT_MAX_PAYLOAD,
  renderNatsServerConfig,
  type NatsServerConfigModel,
} from '../config.js';

// Fixed public nkeys (generated once with @nats-io/nkeys createUser()).
export const NK = {
  node: 'UBLNVYDZB53LG6RRZCVTFVDTPJ2KAJRYHTHPSGVU65NZLNBCYE5B4R37',
  bus: 'UAJN4URMJX3BFMY3QYSC4JPUAKJVUJHJQBIRM2UYVTOS75Q642ZHSIX6',
  alice: 'UAI5UPFXDAY4JET5Y4KSRZ3JTXE5P63VGMHG766OUZSPLNR3QAUHZWCJ',
  bob: 'UDKBWDCNKN7FEGF6CYHWWQ26AWXYKBKYAQN3IKB4MEFRYQBGQ7HUI7YU',
  eve: 'UB67O4WYALP3GD5DZMYVYZND3VWNACUA6BKLP3NFKCQH4BIAKBEAQTUC',
};
const INTERNAL = {
  nodeNkey: NK.node,
  busNkey: NK.bus,
  membersNkey: NK.alice,
  systemNkey: NK.bob,
};
/** A fixed account key (from a constant public key, so no key literal sits in the repository). */
const ISSUER = nkeyPublic('account', new Uint8Array(32).fill(9));

const FULL = { syncAlways: true, authCallout: true };
const OLD = { syncAlways: false, authCallout: true };

/** Golden models, parameterised by the directory holding TLS files and the store. */
const MODELS: Record<string, [(dir: string) => NatsServerConfigModel, typeof FULL]> = {
  'loopback-dev': [
    (dir) => ({
      listen: { host: '127.0.0.1', port: 4222 },
      maxPayloadBytes: DEFAULT_MAX_PAYLOAD,
      jetstream: { storeDir: `${dir}/js` },
      internal: INTERNAL,
      calloutIssuer: ISSUER,
    }),
    FULL,
  ],
  'loopback-encrypted': [
    (dir) => ({
      serverName: 'unibus-node-1',
      listen: { host: '127.0.0.1', port: 'auto' },
      portsFileDir: dir,
      monitoring: { port: 8222 },
      maxPayloadBytes: DEFAULT_MAX_PAYLOAD,
      jetstream: {
        storeDir: `${dir}/js`,
        cipher: { algorithm: 'chachapoly', keyEnvVar: 'UNIBUS_JS_KEY' },
        maxFileBytes: 10 * 1024 ** 3,
      },
      internal: INTERNAL,
      calloutIssuer: ISSUER,
    }),
    FULL,
  ],
  'lan-tls': [
    (dir) => ({
      listen: { host: '0.0.0.0', port: 4222 },
      tls: { certFile: `${dir}/server.pem`, keyFile: `${dir}/server.key` },
      maxPayloadBytes: 16 * 1024 * 1024,
      jetstream: {
        storeDir: `${dir}/js`,
        cipher: { algorithm: 'aes', keyEnvVar: 'UNIBUS_JS_KEY' },
      },
      internal: INTERNAL,
      calloutIssuer: ISSUER,
    }),
    FULL,
  ],
  'lan-mtls-old-server': [
    (dir) => ({
      listen: { host: '::', port: 4333 },
      tls: { certFile: `${dir}/server.pem`, keyFile: `${dir}/server.key`, caFile: `${dir}/ca.pem` },
      maxPayloadBytes: DEFAULT_MAX_PAYLOAD,
      jetstream: { storeDir: `${dir}/js` },
      internal: INTERNAL,
      calloutIssuer: ISSUER,
    }),
    OLD,
  ],
};

const GOLDEN_DIR = join(import.meta.dirname, 'golden');
const FIXED_DIR = '/var/lib/unibus';

describe('renderNatsServerConfig golden files', () => {
  it.each(Object.keys(MODELS))('%s', (name) => {
    const [model, features] = MODELS[name]!;
    const text = renderNatsServerConfig(model(FIXED_DIR), features);
    const file = join(GOLDEN_DIR, `${name}.conf`);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, text);
    expect(text).toBe(readFileSync(file, 'utf8'));
  });
});

describe('posture invariants of every golden config', () => {
  it.each(Object.keys(MODELS))('%s', (name) => {
    const [model, features] = MODELS[name]!;
    const text = renderNatsServerConfig(model(FIXED_DIR), features);
    expect(text).not.toMatch(/no_auth_user/);
    expect(text).not.toMatch(/leafnodes|gateway|websocket|mqtt|cluster\s*\{/);
    expect(text).not.toMatch(/password|token/);
    expect(text).not.toMatch(/allow:\s*\[\]/);
    // no member is ever written into the file: only the four internal identities, and the callout
    expect(text).not.toMatch(/permissions/);
    expect([...text.matchAll(/\{ nkey: "U/g)]).toHaveLength(4);
    expect(text).toMatch(
      new RegExp(
        `auth_callout \\{\\n    issuer: "${ISSUER}"\\n    account: NODE\\n    auth_users: \\[ "${NK.node}", "${NK.bus}", "${NK.alice}", "${NK.bob}" \\]`,
      ),
    );
    // members have no JetStream: nothing in their account answers with a server-made message
    expect(text).toMatch(/ {2}MEMBERS \{\n {4}users:/);
    // monitoring, when on, is loopback only
    for (const m of text.matchAll(/^http:\s*"([^"]+)"/gm)) expect(m[1]).toMatch(/^127\.0\.0\.1:/);
    // the key is never in the file, only an env reference
    if (text.includes('cipher:')) expect(text).toMatch(/^ {2}key: \$UNIBUS_JS_KEY$/m);
    expect(text.includes('sync_interval: always')).toBe(features.syncAlways);
    // every account has a user (the node's identities; CVE-2023-47090)
    for (const key of Object.values(INTERNAL)) expect(text).toContain(`nkey: "${key}"`);
  });
});

describe('nats-server -t accepts every rendered config', () => {
  let dir = '';
  let bin = '';
  beforeAll(() => {
    bin = resolveNatsServerBinary();
    dir = mkdtempSync(join(tmpdir(), 'unibus-conf-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        join(dir, 'server.key'),
        '-out',
        join(dir, 'server.pem'),
        '-days',
        '2',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
    execFileSync('cp', [join(dir, 'server.pem'), join(dir, 'ca.pem')]);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(Object.keys(MODELS))('%s', async (name) => {
    const [model, features] = MODELS[name]!;
    const file = join(dir, `${name}.conf`);
    writeFileSync(file, renderNatsServerConfig(model(dir), features));
    const env = { ...process.env, UNIBUS_JS_KEY: 'k'.repeat(32) };
    const r = await checkNatsServerConfig(bin, file, env);
    expect(r.error).toBeUndefined();
    expect(r.ok).toBe(true);
  });

  it('without the key in the environment, the encrypted config is rejected', async () => {
    const [model, features] = MODELS['loopback-encrypted']!;
    const file = join(dir, 'nokey.conf');
    writeFileSync(file, renderNatsServerConfig(model(dir), features));
    const env = { ...process.env };
    delete env.UNIBUS_JS_KEY;
    const r = await checkNatsServerConfig(bin, file, env);
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/UNIBUS_JS_KEY/);
  });
});

describe('renderNatsServerConfig refuses', () => {
  const base = MODELS['loopback-dev']![0](FIXED_DIR);
  it.each<[string, Partial<NatsServerConfigModel>, new (...a: never[]) => Error, RegExp]>([
    [
      'public bind without TLS',
      { listen: { host: '0.0.0.0', port: 4222 } },
      BootGuardError,
      /tls\.certFile/,
    ],
    [
      'empty bind without TLS',
      { listen: { host: '', port: 4222 } },
      BootGuardError,
      /tls\.certFile/,
    ],
    [
      'port out of range',
      { listen: { host: '127.0.0.1', port: 70000 } },
      ConfigModelError,
      /listen/,
    ],
    [
      'auto port without ports dir',
      { listen: { host: '127.0.0.1', port: 'auto' } },
      ConfigModelError,
      /portsFileDir/,
    ],
    ['payload above 64 MiB', { maxPayloadBytes: 65 * 1024 * 1024 }, ConfigModelError, /maxPayload/],
    ['a quote in a path', { jetstream: { storeDir: '/x"y' } }, ConfigModelError, /storeDir/],
    [
      'a bad key variable',
      { jetstream: { storeDir: '/x', cipher: { algorithm: 'aes', keyEnvVar: 'a b' } } },
      ConfigModelError,
      /keyEnvVar/,
    ],
    [
      'the same internal nkey twice',
      { internal: { ...INTERNAL, busNkey: NK.node } },
      ConfigModelError,
      /different/,
    ],
    [
      'a user key as the callout issuer',
      { calloutIssuer: NK.alice },
      ConfigModelError,
      /calloutIssuer/,
    ],
    [
      'a seed instead of a public key',
      {
        internal: {
          ...INTERNAL,
          // A throwaway seed made here, so no seed-shaped literal sits in the repository.
          nodeNkey: nkeyUserSeed(new Uint8Array(32).fill(7)),
        },
      },
      ConfigModelError,
      /nkey/,
    ],
  ])('%s', (_n, patch, cls, re) => {
    expect(() => renderNatsServerConfig({ ...base, ...patch }, FULL)).toThrow(cls);
    expect(() => renderNatsServerConfig({ ...base, ...patch }, FULL)).toThrow(re);
  });

  it('a server without auth callout', () => {
    expect(() => renderNatsServerConfig(base, { syncAlways: false, authCallout: false })).toThrow(
      /auth callout/,
    );
  });
});
