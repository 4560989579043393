import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

/** A name's addresses, as `dns.lookup` with `all: true` answers them (injected by the tests). */
export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

export const systemResolver: Resolver = (hostname) => lookup(hostname, { all: true, verbatim: true });

/** Cloud metadata services, named even though their ranges (link-local, unique local) are refused already. */
const METADATA_ADDRESSES = new Set(['169.254.169.254', 'fd00:ec2::254']);

/**
 * Whether an address is one of the public internet: only ipaddr.js's `unicast` range passes. Everything else
 * is refused: loopback, private (RFC 1918), link-local, carrier-grade NAT, multicast, broadcast, unspecified,
 * reserved and documentation ranges, IPv6 unique local and link-local, IPv4-mapped and -translated IPv6
 * (::ffff:127.0.0.1 would reach loopback), 6to4, Teredo and NAT64 (they embed IPv4 addresses of any kind).
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.parse(address);
  if (METADATA_ADDRESSES.has(parsed.toNormalizedString()) || METADATA_ADDRESSES.has(parsed.toString()))
    return false;
  return parsed.range() === 'unicast';
}

export type Vetted =
  { ok: true; address: string; family: 4 | 6 } | { ok: false; failure: 'refused' | 'unreachable' };

/**
 * The address to connect to for `hostname` (a name, or an IP literal without brackets): resolved once, every
 * address it resolves to checked, and one of them returned. The caller connects to exactly that address, so
 * that a name whose next answer is another address (DNS rebinding) cannot move the connection elsewhere. A
 * name with any address that `accept` refuses is refused as a whole. `accept` is isPublicAddress but in tests
 * (the test-only setting lets loopback and private addresses through).
 */
export async function vetHost(
  hostname: string,
  resolver: Resolver,
  accept: (address: string) => boolean = isPublicAddress,
): Promise<Vetted> {
  const literal = ipaddr.isValid(hostname)
    ? [{ address: hostname, family: hostname.includes(':') ? 6 : 4 }]
    : null;
  let addresses: { address: string; family: number }[];
  try {
    addresses = literal ?? (await resolver(hostname));
  } catch {
    return { ok: false, failure: 'unreachable' };
  }
  if (addresses.length === 0) return { ok: false, failure: 'unreachable' };
  if (!addresses.every((a) => accept(a.address))) return { ok: false, failure: 'refused' };
  const [first] = addresses;
  if (!first || !ipaddr.isValid(first.address)) return { ok: false, failure: 'refused' };
  return { ok: true, address: first.address, family: first.address.includes(':') ? 6 : 4 };
}
