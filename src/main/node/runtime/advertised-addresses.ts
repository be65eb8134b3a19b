/**
 * Which addresses a node tells the world (invite links, the host's screen) and which names its
 * server certificate covers. docs/DECISIONS.md ("Addresses a node advertises") says why:
 *
 * - Bound to one address (loopback or a LAN address): that address.
 * - Bound to a wildcard (`0.0.0.0`: IPv4 only, as Node's listener is; `::`: IPv4 and IPv6): every
 *   usable address of the machine's interfaces, in the order the OS lists them, IPv4 first.
 *   Loopback is left out (it means "the joiner's own computer" there), and so are IPv6 link-local
 *   addresses (fe80::/10: they need a zone id such as `%eth0` that names the *joiner's*
 *   interface, which the host cannot know).
 * - Configured host names (`--advertise`, the host form's public name) come first: the host said
 *   that is how teammates reach this computer.
 *
 * The host's own peer and the node's internal connections use `local` (loopback for a wildcard
 * bind), so they keep working when the network changes; the certificate covers loopback for them.
 */
import { isIP } from 'node:net';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

export interface AddressPlan {
  /** Hosts for invite links and the host's screen, best first. Never empty. */
  readonly advertised: readonly string[];
  /** How this computer reaches its own node. */
  readonly local: string;
  /** Names and IP literals the server certificate must cover, beyond loopback. */
  readonly certificateNames: readonly string[];
}

export class AdvertisedNameError extends Error {
  override readonly name = 'AdvertisedNameError';
}

type Interfaces = NodeJS.Dict<NetworkInterfaceInfo[]>;

export function isWildcard(host: string): boolean {
  return host === '' || host === '0.0.0.0' || host === '::';
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** A host as it goes into a URL: IPv6 literals in brackets. */
export function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * A host name or IP literal safe to put into a URL and a certificate, lowercased, brackets and a
 * trailing dot removed; throws AdvertisedNameError otherwise.
 */
export function normalizeHostName(text: string): string {
  const host = text
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
  if (isIP(host) === 6) return new URL(`http://[${host}]`).hostname.slice(1, -1);
  if (isIP(host) === 4) return host;
  if (host.length > 0 && host.length <= 253 && host.split('.').every((l) => DNS_LABEL.test(l)))
    return host;
  throw new AdvertisedNameError(
    `"${text}" is not a host name or IP address (letters, digits, dots and dashes, e.g. team.example.org)`,
  );
}

/** Usable non-loopback addresses of this machine for a wildcard bind, IPv4 first. */
export function interfaceAddresses(bind: string, interfaces: Interfaces): string[] {
  const all = Object.values(interfaces).flatMap((list) => list ?? []);
  const usable = all.filter((a) => !a.internal && !isLoopback(a.address));
  const v4 = usable.filter((a) => a.family === 'IPv4').map((a) => a.address);
  // Node's listener on 0.0.0.0 takes IPv4 only; on `::` (or '') it takes both.
  if (bind === '0.0.0.0') return v4;
  const v6 = usable
    .filter((a) => a.family === 'IPv6' && !isLinkLocalV6(a.address))
    .map((a) => normalizeHostName(a.address));
  return [...v4, ...v6];
}

function isLinkLocalV6(address: string): boolean {
  return /^fe[89ab][0-9a-f]:/i.test(address);
}

export function planAddresses(
  bind: string,
  configuredNames: readonly string[] = [],
  interfaces: Interfaces = networkInterfaces(),
): AddressPlan {
  const names = configuredNames.map(normalizeHostName);
  let addresses: string[];
  let local: string;
  if (isWildcard(bind)) {
    local = '127.0.0.1';
    addresses = interfaceAddresses(bind, interfaces);
    // A computer with no network at all still gets a link that works on itself.
    if (addresses.length === 0 && names.length === 0) addresses = [local];
  } else {
    local = normalizeHostName(bind);
    addresses = [local];
  }
  const advertised = unique([...names, ...addresses]);
  return { advertised, local, certificateNames: unique([...advertised, local]) };
}

function unique(hosts: readonly string[]): string[] {
  return [...new Set(hosts)];
}
