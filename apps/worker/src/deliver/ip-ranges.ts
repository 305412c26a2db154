/**
 * Which IP addresses a webhook may connect to. Pure: parse an address to bytes, then look it up in the
 * IANA special-purpose registries (IPv4 and IPv6, RFC 6890 and successors). Anything not public unicast is
 * refused with the name of its range, which is what the user sees on the attempt.
 *
 * IPv6 is allowed only inside global unicast 2000::/3. Addresses that carry an IPv4 address inside them
 * are judged by that address: NAT64 64:ff9b::/96 (RFC 6052), 6to4 2002::/16 (RFC 3056) and Teredo
 * 2001::/32 (RFC 4380, server and XOR-ed client). IPv4-mapped ::ffff:0:0/96 and IPv4-compatible ::/96 are
 * refused outright: an HTTP client reaching them means a v4 socket in disguise.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type IpFamily = 4 | 6;

/** Canonical bytes of a textual address, or undefined when it is not a plain IPv4/IPv6 literal. */
export function parseIp(text: string): { family: IpFamily; bytes: Uint8Array } | undefined {
  const t = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (isIPv4(t)) return { family: 4, bytes: Uint8Array.from(t.split('.').map(Number)) };
  if (!isIPv6(t) || t.includes('%')) return undefined;
  return { family: 6, bytes: parseIpv6(t) };
}

/** Precondition: net.isIPv6(text) (no zone id). */
function parseIpv6(text: string): Uint8Array {
  // A trailing dotted IPv4 (::ffff:1.2.3.4) becomes two hex groups first.
  const s = text.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_m, a: string, b: string, c: string, d: string) =>
    `${((+a << 8) | +b).toString(16)}:${((+c << 8) | +d).toString(16)}`,
  );
  const groups = (x: string): number[] => (x === '' ? [] : x.split(':').map((g) => parseInt(g, 16)));
  const double = s.indexOf('::');
  let words: number[];
  if (double < 0) words = groups(s);
  else {
    const a = groups(s.slice(0, double));
    const b = groups(s.slice(double + 2));
    words = [...a, ...new Array<number>(8 - a.length - b.length).fill(0), ...b];
  }
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[2 * i] = (w >> 8) & 0xff;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

interface Range {
  bytes: Uint8Array;
  bits: number;
  reason: string;
}

function cidr(text: string, reason: string): Range {
  const [addr, bits] = text.split('/') as [string, string];
  const ip = parseIp(addr);
  if (ip === undefined) throw new Error(`bad range ${text}`);
  return { bytes: ip.bytes, bits: Number(bits), reason };
}

function inRange(bytes: Uint8Array, r: Range): boolean {
  if (bytes.length !== r.bytes.length) return false;
  for (let bit = 0; bit < r.bits; bit += 8) {
    const mask = r.bits - bit >= 8 ? 0xff : (0xff << (8 - (r.bits - bit))) & 0xff;
    const i = bit / 8;
    if (((bytes[i] ?? 0) & mask) !== ((r.bytes[i] ?? 0) & mask)) return false;
  }
  return true;
}

// Most specific first: the first hit names the reason.
const IPV4_BLOCKED: readonly Range[] = [
  cidr('169.254.169.254/32', 'cloud metadata address'),
  cidr('255.255.255.255/32', 'broadcast address'),
  cidr('0.0.0.0/8', '"this network" 0.0.0.0/8'),
  cidr('10.0.0.0/8', 'private network 10.0.0.0/8 (RFC 1918)'),
  cidr('100.64.0.0/10', 'carrier-grade NAT 100.64.0.0/10'),
  cidr('127.0.0.0/8', 'loopback 127.0.0.0/8'),
  cidr('169.254.0.0/16', 'link-local 169.254.0.0/16'),
  cidr('172.16.0.0/12', 'private network 172.16.0.0/12 (RFC 1918)'),
  cidr('192.0.0.0/24', 'IETF protocol assignments 192.0.0.0/24'),
  cidr('192.0.2.0/24', 'documentation 192.0.2.0/24'),
  cidr('192.88.99.0/24', '6to4 relay anycast 192.88.99.0/24'),
  cidr('192.168.0.0/16', 'private network 192.168.0.0/16 (RFC 1918)'),
  cidr('198.18.0.0/15', 'benchmarking 198.18.0.0/15'),
  cidr('198.51.100.0/24', 'documentation 198.51.100.0/24'),
  cidr('203.0.113.0/24', 'documentation 203.0.113.0/24'),
  cidr('224.0.0.0/4', 'multicast 224.0.0.0/4'),
  cidr('240.0.0.0/4', 'reserved 240.0.0.0/4'),
];

const IPV6_BLOCKED: readonly Range[] = [
  cidr('::/128', 'unspecified address ::'),
  cidr('::1/128', 'loopback ::1'),
  cidr('fd00:ec2::254/128', 'cloud metadata address'),
  cidr('::ffff:0:0/96', 'IPv4-mapped address ::ffff:0:0/96'),
  cidr('::/96', 'IPv4-compatible address ::/96'),
  cidr('64:ff9b:1::/48', 'local-use NAT64 64:ff9b:1::/48'),
  cidr('100::/64', 'discard-only 100::/64'),
  cidr('2001:2::/48', 'benchmarking 2001:2::/48'),
  cidr('2001:10::/28', 'ORCHID 2001:10::/28'),
  cidr('2001:20::/28', 'ORCHIDv2 2001:20::/28'),
  cidr('2001:db8::/32', 'documentation 2001:db8::/32'),
  cidr('3fff::/20', 'documentation 3fff::/20'),
  cidr('5f00::/16', 'SRv6 SIDs 5f00::/16'),
  cidr('fc00::/7', 'unique local address fc00::/7'),
  cidr('fe80::/10', 'link-local fe80::/10'),
  cidr('fec0::/10', 'site-local fec0::/10'),
  cidr('ff00::/8', 'multicast ff00::/8'),
];
const NAT64 = cidr('64:ff9b::/96', '');
const SIX_TO_FOUR = cidr('2002::/16', '');
const TEREDO = cidr('2001::/32', '');
const GLOBAL_UNICAST = cidr('2000::/3', '');

/**
 * Why `text` must not be connected to, or undefined when it is a public unicast address.
 * Unparseable text is refused too: only plain literals reach a socket.
 */
export function blockedReason(text: string): string | undefined {
  const ip = parseIp(text);
  if (ip === undefined) return `not an IP address: ${JSON.stringify(text.slice(0, 60))}`;
  return ip.family === 4 ? blockedV4(ip.bytes) : blockedV6(ip.bytes);
}

function blockedV4(bytes: Uint8Array): string | undefined {
  return IPV4_BLOCKED.find((r) => inRange(bytes, r))?.reason;
}

function blockedV6(bytes: Uint8Array): string | undefined {
  const direct = IPV6_BLOCKED.find((r) => inRange(bytes, r))?.reason;
  if (direct !== undefined) return direct;
  const embedded = (what: string, v4: Uint8Array): string | undefined => {
    const r = blockedV4(v4);
    return r === undefined ? undefined : `${what} embedding ${v4.join('.')}: ${r}`;
  };
  if (inRange(bytes, NAT64)) return embedded('NAT64 address', bytes.slice(12, 16));
  if (inRange(bytes, SIX_TO_FOUR)) return embedded('6to4 address', bytes.slice(2, 6));
  if (inRange(bytes, TEREDO)) {
    const client = bytes.slice(12, 16).map((b) => b ^ 0xff);
    return embedded('Teredo server', bytes.slice(4, 8)) ?? embedded('Teredo client', client);
  }
  if (!inRange(bytes, GLOBAL_UNICAST)) return 'reserved IPv6 address (outside global unicast 2000::/3)';
  return undefined;
}
