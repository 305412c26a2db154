import { describe, expect, it } from 'vitest';
import { blockedReason } from './ip-ranges.js';
import { pinnedLookup, vetWebhookUrl, type Resolver } from './ssrf-guard.js';

const BLOCKED_ADDRESSES: Array<[string, RegExp]> = [
  ['127.0.0.1', /loopback/],
  ['127.255.255.254', /loopback/],
  ['0.0.0.0', /this network/],
  ['0.1.2.3', /this network/],
  ['10.1.2.3', /RFC 1918/],
  ['172.16.0.1', /RFC 1918/],
  ['172.31.255.255', /RFC 1918/],
  ['192.168.1.1', /RFC 1918/],
  ['100.64.0.1', /carrier-grade NAT/],
  ['100.127.255.255', /carrier-grade NAT/],
  ['169.254.169.254', /metadata/],
  ['169.254.1.1', /link-local/],
  ['192.0.0.8', /IETF/],
  ['192.0.2.1', /documentation/],
  ['198.18.0.1', /benchmarking/],
  ['224.0.0.1', /multicast/],
  ['239.255.255.250', /multicast/],
  ['240.0.0.1', /reserved/],
  ['255.255.255.255', /broadcast/],
  ['::', /unspecified/],
  ['::1', /loopback/],
  ['::ffff:127.0.0.1', /IPv4-mapped/],
  ['::ffff:8.8.8.8', /IPv4-mapped/],
  ['::127.0.0.1', /IPv4-compatible/],
  ['64:ff9b::7f00:1', /NAT64 .*127\.0\.0\.1/],
  ['64:ff9b::a9fe:a9fe', /NAT64 .*metadata/],
  ['64:ff9b:1::1', /local-use NAT64/],
  ['2002:c0a8:101::1', /6to4 .*192\.168\.1\.1/],
  ['2001:0:4136:e378:8000:63bf:80ff:fffe', /Teredo client .*127\.0\.0\.1/],
  ['2001:0:a00:1::', /Teredo server .*10\.0\.0\.1/],
  ['fc00::1', /unique local/],
  ['fd12:3456::1', /unique local/],
  ['fd00:ec2::254', /metadata/],
  ['fe80::1', /link-local/],
  ['febf::1', /link-local/],
  ['fec0::1', /site-local/],
  ['ff02::1', /multicast/],
  ['2001:db8::1', /documentation/],
  ['100::1', /discard/],
  ['1::1', /outside global unicast/],
  ['4000::1', /outside global unicast/],
  ['fe80::1%lo', /not an IP address/],
  ['0x7f.0.0.1', /not an IP address/],
];

const ALLOWED_ADDRESSES = ['8.8.8.8', '1.1.1.1', '93.184.215.14', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '64:ff9b::808:808', '2002:808:808::1'];

describe('address classification', () => {
  it.each(BLOCKED_ADDRESSES)('refuses %s', (addr, reason) => {
    expect(blockedReason(addr)).toMatch(reason);
  });
  it.each(ALLOWED_ADDRESSES)('allows public %s', (addr) => {
    expect(blockedReason(addr)).toBeUndefined();
  });
});

const fixed =
  (...answers: string[][]): Resolver =>
  async () => {
    const a = answers.shift() ?? [];
    return a.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

describe('vetWebhookUrl', () => {
  const strict = { allowPrivate: false };
  it.each([
    ['http://2130706433/', /only https/],
    ['https://2130706433/', /127\.0\.0\.1.*loopback/],
    ['https://0x7f.1/', /127\.0\.0\.1.*loopback/],
    ['https://017700000001/', /127\.0\.0\.1.*loopback/],
    ['https://127.1/', /loopback/],
    ['https://0/', /this network/],
    ['https://[::ffff:127.0.0.1]/', /IPv4-mapped/],
    ['https://[0:0:0:0:0:ffff:7f00:1]/', /IPv4-mapped/],
    ['https://[::1]:8443/x', /loopback/],
    ['https://user:pw@example.com/', /user name or password/],
    ['ftp://example.com/', /only https/],
    ['file:///etc/passwd', /only https/],
    ['not a url', /not a valid URL/],
  ])('refuses %s', async (url, reason) => {
    await expect(vetWebhookUrl(url, { ...strict, resolve: fixed(['8.8.8.8']) })).rejects.toMatchObject({
      name: 'DeliveryError',
      code: 'SSRF_BLOCKED',
      permanent: true,
      message: expect.stringMatching(reason),
    });
  });

  it('refuses a name when any of its addresses is private, whatever the order', async () => {
    await expect(vetWebhookUrl('https://mixed.test/', { ...strict, resolve: fixed(['8.8.8.8', '10.0.0.1']) })).rejects.toMatchObject({
      code: 'SSRF_BLOCKED',
      message: expect.stringMatching(/mixed\.test resolves to 10\.0\.0\.1/),
    });
  });

  it('reports DNS failures as transient', async () => {
    const failing: Resolver = async () => {
      throw Object.assign(new Error('queryA ENOTFOUND nx.test'), { code: 'ENOTFOUND' });
    };
    await expect(vetWebhookUrl('https://nx.test/', { ...strict, resolve: failing })).rejects.toMatchObject({ code: 'DNS_FAILED', permanent: false });
    await expect(vetWebhookUrl('https://empty.test/', { ...strict, resolve: fixed([]) })).rejects.toMatchObject({ code: 'DNS_FAILED' });
  });

  it('pins the vetted address: the socket lookup never asks DNS again (rebinding)', async () => {
    let calls = 0;
    const rebinding: Resolver = async () => (++calls === 1 ? [{ address: '93.184.215.14', family: 4 }] : [{ address: '127.0.0.1', family: 4 }]);
    const target = await vetWebhookUrl('https://rebind.test/hook', { ...strict, resolve: rebinding });
    expect(target).toMatchObject({ hostname: 'rebind.test', address: '93.184.215.14', family: 4 });
    const lookup = pinnedLookup(target);
    const one = await new Promise((resolve) => lookup('rebind.test', {}, (err, address, family) => resolve({ err, address, family })));
    const all = await new Promise((resolve) => lookup('rebind.test', { all: true }, (err, addresses) => resolve({ err, addresses })));
    const other = await new Promise<NodeJS.ErrnoException | null>((resolve) => lookup('evil.test', {}, (err) => resolve(err)));
    expect(one).toEqual({ err: null, address: '93.184.215.14', family: 4 });
    expect(all).toEqual({ err: null, addresses: [{ address: '93.184.215.14', family: 4 }] });
    expect(other?.message).toMatch(/only rebind\.test was vetted/);
    expect(calls).toBe(1);
  });

  it('allows http and private addresses only with WEBHOOK_ALLOW_PRIVATE', async () => {
    await expect(vetWebhookUrl('http://127.0.0.1:9/', { allowPrivate: true })).resolves.toMatchObject({ address: '127.0.0.1' });
    await expect(vetWebhookUrl('https://[::1]/', { allowPrivate: true })).resolves.toMatchObject({ hostname: '::1', family: 6 });
  });
});
