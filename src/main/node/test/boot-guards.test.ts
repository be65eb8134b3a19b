import { describe, expect, it } from 'vitest';
import {
  BootGuardError,
  checkBootSettings,
  isLoopbackHost,
  type BootGuardCode,
  type BootSettings,
} from '../boot-guards.js';

const TLS = { certFile: '/d/server.pem', keyFile: '/d/server.key' };
const SECRET = 'x'.repeat(40);
const ROUTE_TLS = { certFile: '/d/r.pem', keyFile: '/d/r.key', caFile: '/d/ca.pem' };

describe('isLoopbackHost', () => {
  it.each([
    ['localhost', true],
    ['LOCALHOST', true],
    ['127.0.0.1', true],
    ['127.255.3.9', true],
    ['::1', true],
    ['[::1]', true],
    ['', false],
    ['0.0.0.0', false],
    ['::', false],
    ['128.0.0.1', false],
    ['192.168.1.10', false],
    ['127.0.0.256', false],
    ['127.1', false],
    ['0127.0.0.1', false],
    ['localhost.example.com', false],
    ['my-laptop', false],
    ['::ffff:127.0.0.1', false],
  ])('%j → %s', (host, loop) => expect(isLoopbackHost(host)).toBe(loop));
});

type Row = [name: string, settings: unknown, code: BootGuardCode | null, setting: string | null];

const TABLE: Row[] = [
  ['loopback, no TLS', { bind: '127.0.0.1' }, null, null],
  ['localhost, no TLS', { bind: 'localhost' }, null, null],
  ['::1, no TLS', { bind: '::1' }, null, null],
  ['public with TLS', { bind: '0.0.0.0', tls: TLS }, null, null],
  ['empty bind, no TLS', { bind: '' }, 'PUBLIC_BIND_WITHOUT_TLS', 'tls.certFile'],
  ['0.0.0.0, no TLS', { bind: '0.0.0.0' }, 'PUBLIC_BIND_WITHOUT_TLS', 'tls.certFile'],
  ['LAN ip, no TLS', { bind: '192.168.1.5' }, 'PUBLIC_BIND_WITHOUT_TLS', 'tls.certFile'],
  ['hostname, no TLS', { bind: 'node.lan' }, 'PUBLIC_BIND_WITHOUT_TLS', 'tls.certFile'],
  [
    'public, cert without key',
    { bind: '10.0.0.1', tls: { certFile: '/c' } },
    'PUBLIC_BIND_WITHOUT_TLS',
    'tls.keyFile',
  ],
  [
    'public, blank cert',
    { bind: '10.0.0.1', tls: { certFile: ' ', keyFile: '/k' } },
    'PUBLIC_BIND_WITHOUT_TLS',
    'tls.certFile',
  ],
  ['auth off is not a setting', { bind: '127.0.0.1', auth: 'off' }, 'UNKNOWN_SETTING', 'auth'],
  [
    'no_auth_user is not a setting',
    { bind: '127.0.0.1', no_auth_user: 'x' },
    'UNKNOWN_SETTING',
    'no_auth_user',
  ],
  [
    'tls.verify off is not a setting',
    { bind: '127.0.0.1', tls: { ...TLS, insecure: true } },
    'UNKNOWN_SETTING',
    'tls.insecure',
  ],
  ['cluster disabled', { bind: '127.0.0.1', cluster: { enabled: false } }, null, null],
  [
    'cluster without secret',
    { bind: '0.0.0.0', tls: TLS, cluster: { enabled: true, routeTls: ROUTE_TLS } },
    'CLUSTER_WITHOUT_SECRET',
    'cluster.secret',
  ],
  [
    'cluster with short secret',
    { bind: '0.0.0.0', tls: TLS, cluster: { enabled: true, secret: 'short', routeTls: ROUTE_TLS } },
    'CLUSTER_WITHOUT_SECRET',
    'cluster.secret',
  ],
  [
    'cluster without route TLS',
    { bind: '0.0.0.0', tls: TLS, cluster: { enabled: true, secret: SECRET } },
    'CLUSTER_WITHOUT_ROUTE_TLS',
    'cluster.routeTls.certFile',
  ],
  [
    'cluster without route CA',
    {
      bind: '0.0.0.0',
      tls: TLS,
      cluster: { enabled: true, secret: SECRET, routeTls: { ...ROUTE_TLS, caFile: '' } },
    },
    'CLUSTER_WITHOUT_ROUTE_TLS',
    'cluster.routeTls.caFile',
  ],
  [
    'cluster complete',
    { bind: '0.0.0.0', tls: TLS, cluster: { enabled: true, secret: SECRET, routeTls: ROUTE_TLS } },
    null,
    null,
  ],
];

describe('checkBootSettings', () => {
  it.each(TABLE)('%s', (_name, settings, code, setting) => {
    if (code === null) {
      const posture = checkBootSettings(settings as BootSettings);
      expect(posture.auth).toBe(true);
      return;
    }
    let err: unknown;
    try {
      checkBootSettings(settings as BootSettings);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BootGuardError);
    expect((err as BootGuardError).code).toBe(code);
    expect((err as BootGuardError).setting).toBe(setting);
    expect((err as BootGuardError).message).toContain(setting!);
  });

  it('reports the posture', () => {
    expect(checkBootSettings({ bind: '127.0.0.1' })).toEqual({
      loopbackOnly: true,
      tls: false,
      cluster: false,
      auth: true,
    });
    expect(checkBootSettings({ bind: '0.0.0.0', tls: TLS }).loopbackOnly).toBe(false);
  });

  it('cannot express auth-off in the type', () => {
    // @ts-expect-error there is no auth field
    const s: BootSettings = { bind: '127.0.0.1', auth: 'off' };
    expect(() => checkBootSettings(s)).toThrow(BootGuardError);
  });
});
