import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  AdvertisedNameError,
  interfaceAddresses,
  normalizeHostName,
  planAddresses,
} from './advertised-addresses';

function address(addr: string, family: 'IPv4' | 'IPv6', internal = false): NetworkInterfaceInfo {
  const base = { address: addr, netmask: '', mac: '00:00:00:00:00:00', internal, cidr: null };
  return family === 'IPv4' ? { ...base, family } : { ...base, family, scopeid: 0 };
}

/** A laptop: loopback, Wi-Fi with IPv4, a global and a link-local IPv6, and a VPN. */
const LAPTOP = {
  lo: [address('127.0.0.1', 'IPv4', true), address('::1', 'IPv6', true)],
  wlan0: [
    address('192.168.1.20', 'IPv4'),
    address('2001:db8:0:0::20', 'IPv6'),
    address('fe80::1c2d:3eff:fe4f:5a6b', 'IPv6'),
  ],
  tun0: [address('10.8.0.5', 'IPv4')],
};

describe('advertised addresses', () => {
  it('a wildcard IPv4 bind advertises every non-loopback IPv4 address, in interface order', () => {
    const plan = planAddresses('0.0.0.0', [], LAPTOP);
    expect(plan.advertised).toEqual(['192.168.1.20', '10.8.0.5']);
    expect(plan.local).toBe('127.0.0.1');
    expect(plan.certificateNames).toEqual(['192.168.1.20', '10.8.0.5', '127.0.0.1']);
  });

  it('`::` adds IPv6, without link-local fe80:: (it needs the joiner’s own zone id)', () => {
    expect(interfaceAddresses('::', LAPTOP)).toEqual(['192.168.1.20', '10.8.0.5', '2001:db8::20']);
  });

  it('configured names come first and are not repeated', () => {
    const plan = planAddresses('0.0.0.0', ['Team.Example.org.', '192.168.1.20'], LAPTOP);
    expect(plan.advertised).toEqual(['team.example.org', '192.168.1.20', '10.8.0.5']);
  });

  it('a bind to one address advertises that address only (plus configured names)', () => {
    expect(planAddresses('127.0.0.1', [], LAPTOP)).toEqual({
      advertised: ['127.0.0.1'],
      local: '127.0.0.1',
      certificateNames: ['127.0.0.1'],
    });
    expect(planAddresses('192.168.1.20', ['node.lan'], LAPTOP).advertised).toEqual([
      'node.lan',
      '192.168.1.20',
    ]);
  });

  it('a machine with no network still gets a loopback address to advertise', () => {
    expect(planAddresses('0.0.0.0', [], { lo: LAPTOP.lo }).advertised).toEqual(['127.0.0.1']);
  });

  it('refuses names that would not be a host in a URL or a certificate', () => {
    for (const bad of [
      '',
      'a b',
      'x/y',
      'evil.example:80',
      '-lead.example',
      'a..b',
      'x'.repeat(64),
    ])
      expect(() => normalizeHostName(bad), bad).toThrow(AdvertisedNameError);
    expect(normalizeHostName('[2001:DB8::1]')).toBe('2001:db8::1');
  });
});
