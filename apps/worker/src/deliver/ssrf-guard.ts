/**
 * SSRF guard for webhooks (scale-and-safety §2.7): decide where a webhook URL may be sent, once per attempt,
 * and make the HTTP client connect to exactly the address that was checked.
 *
 * 1. Only `https:` URLs (and `http:` when WEBHOOK_ALLOW_PRIVATE is set, for development), no credentials.
 *    The WHATWG URL parser has already turned every IPv4 spelling (2130706433, 0x7f.1, 017700000001, 127.1)
 *    into dotted decimal and IPv6 into its canonical form, so literals are checked as the socket will see them.
 * 2. Resolve the host name once; refuse if ANY answer is not public unicast (ip-ranges.ts), so a name that
 *    mixes a public and a private address cannot win by ordering.
 * 3. `pinnedLookup` is handed to the socket as its `lookup`: the connection goes to the vetted address
 *    without a second DNS query, so a resolver that answers "public" and then "private" (DNS rebinding)
 *    gets nowhere. TLS SNI and the Host header keep the name, so certificates are still checked against it.
 *
 * gopherwatch `hooks.go` checks the addresses but then dials by name (its TODO admits the rebinding gap);
 * this is the fix it describes.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import { DeliveryError } from './errors.js';
import { blockedReason, parseIp, type IpFamily } from './ip-ranges.js';

export interface ResolvedAddress {
  address: string;
  family: number;
}
/** Resolves a host name to all its addresses (tests inject their own DNS). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

export interface GuardOptions {
  /** WEBHOOK_ALLOW_PRIVATE: allow http: and every address (development and tests only). */
  allowPrivate: boolean;
  resolve?: Resolver;
}

export interface VettedTarget {
  url: URL;
  /** The name the socket's lookup will be asked for (URL hostname without brackets). */
  hostname: string;
  address: string;
  family: IpFamily;
}

const blocked = (message: string): DeliveryError => new DeliveryError('SSRF_BLOCKED', message, true);

/** Check `raw` and resolve it; throws DeliveryError SSRF_BLOCKED (permanent) or DNS_FAILED (transient). */
export async function vetWebhookUrl(raw: string, options: GuardOptions): Promise<VettedTarget> {
  if (!URL.canParse(raw)) throw blocked('the webhook URL is not a valid URL');
  const url = new URL(raw);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && options.allowPrivate)) {
    throw blocked(`only https:// webhook URLs are allowed (got ${url.protocol}//)`);
  }
  if (url.username !== '' || url.password !== '') throw blocked('webhook URLs must not contain a user name or password');
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (hostname === '') throw blocked('the webhook URL has no host');

  const literal = parseIp(hostname);
  let addresses: ResolvedAddress[];
  if (literal !== undefined) addresses = [{ address: hostname, family: literal.family }];
  else {
    try {
      addresses = await (options.resolve ?? systemResolver)(hostname);
    } catch (cause) {
      throw new DeliveryError('DNS_FAILED', `could not resolve ${hostname}: ${(cause as Error).message}`, false, { cause });
    }
    if (addresses.length === 0) throw new DeliveryError('DNS_FAILED', `${hostname} has no addresses`, false);
  }

  const checked: Array<{ address: string; family: IpFamily }> = [];
  for (const a of addresses) {
    const ip = parseIp(a.address);
    const reason = options.allowPrivate && ip !== undefined ? undefined : blockedReason(a.address);
    if (reason !== undefined || ip === undefined) {
      const via = literal === undefined ? `${hostname} resolves to ${a.address}` : `${a.address}`;
      throw blocked(`${via}, which is not allowed: ${reason ?? 'not an IP address'}`);
    }
    checked.push({ address: a.address, family: ip.family });
  }
  const first = checked[0] as { address: string; family: IpFamily };
  return { url, hostname, address: first.address, family: first.family };
}

/**
 * A socket `lookup` that answers only for the vetted name, with the vetted address, and never asks DNS.
 * Node calls it with `{ all: true }` when happy-eyeballs (autoSelectFamily) is on.
 */
export function pinnedLookup(target: VettedTarget): LookupFunction {
  return (hostname, options, callback) => {
    if (hostname !== target.hostname) {
      const err = Object.assign(new Error(`refusing to resolve ${hostname}: only ${target.hostname} was vetted`), { code: 'ENOTFOUND' });
      callback(err as NodeJS.ErrnoException, '', 0);
      return;
    }
    if ((options as { all?: boolean }).all === true) {
      (callback as unknown as (e: null, a: ResolvedAddress[]) => void)(null, [{ address: target.address, family: target.family }]);
    } else callback(null, target.address, target.family);
  };
}
