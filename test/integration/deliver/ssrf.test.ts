/**
 * SSRF: with WEBHOOK_ALLOW_PRIVATE off, every one of these webhook URLs is refused before a socket is
 * opened, the delivery ends `failed`, and the attempt records SSRF_BLOCKED with the reason. Host names
 * are answered by an injected resolver (no real DNS), which is also how DNS rebinding is played.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedAddress } from '../../../apps/worker/src/deliver/ssrf-guard.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../harness/webhook-receiver.js';
import { makeEndpoint, makeMatchDelivery, makeSubscription, makeUser, startHarness, type Harness } from './fixtures.js';

const DNS: Record<string, string[]> = {
  'localhost': ['127.0.0.1', '::1'],
  'private.test': ['10.1.2.3'],
  'corp.test': ['172.20.0.9'],
  'home.test': ['192.168.1.1'],
  'metadata.test': ['169.254.169.254'],
  'cgnat.test': ['100.100.100.200'],
  'mixed.test': ['93.184.215.14', '192.168.0.10'],
  'v6-ula.test': ['fd12:3456::1'],
  'v6-mapped.test': ['::ffff:10.0.0.1'],
  'v6-linklocal.test': ['fe80::1'],
  'nat64.test': ['64:ff9b::a9fe:a9fe'],
  '127.0.0.1.nip.io': ['127.0.0.1'],
  'zero.test': ['0.0.0.0'],
};
const calls = new Map<string, number>();
let rebindPort = 0;

async function resolve(hostname: string): Promise<ResolvedAddress[]> {
  const n = (calls.get(hostname) ?? 0) + 1;
  calls.set(hostname, n);
  // Rebinding: public on the first query, loopback afterwards.
  if (hostname === 'rebind.test') return [{ address: n === 1 ? '93.184.215.14' : '127.0.0.1', family: 4 }];
  const answers = DNS[hostname];
  if (answers === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return answers.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
}

const REFUSED: Array<[string, RegExp]> = [
  ['http://example.com/hook', /only https/],
  ['http://2130706433/', /only https/],
  ['ftp://example.com/', /only https/],
  ['file:///etc/passwd', /only https/],
  ['https://user:secret@example.com/', /user name or password/],
  ['https://2130706433/', /127\.0\.0\.1.*loopback/],
  ['https://0x7f000001/', /127\.0\.0\.1.*loopback/],
  ['https://0x7f.1/', /127\.0\.0\.1.*loopback/],
  ['https://017700000001/', /127\.0\.0\.1.*loopback/],
  ['https://0177.0.0.1/', /127\.0\.0\.1.*loopback/],
  ['https://127.1/', /127\.0\.0\.1.*loopback/],
  ['https://127.0.1/', /127\.0\.0\.1.*loopback/],
  ['https://%31%32%37.0.0.1/', /127\.0\.0\.1.*loopback/],
  ['https://\u2460\u2461\u2466.0.0.1/', /127\.0\.0\.1.*loopback/],
  ['https://0/', /this network/],
  ['https://0.0.0.0:8443/', /this network/],
  ['https://10.0.0.1/', /RFC 1918/],
  ['https://0x0a.0.0.1/', /RFC 1918/],
  ['https://172.16.5.4/', /RFC 1918/],
  ['https://192.168.0.1/', /RFC 1918/],
  ['https://100.64.1.1/', /carrier-grade NAT/],
  ['https://169.254.169.254/latest/meta-data/', /metadata/],
  ['https://169.254.0.1/', /link-local/],
  ['https://224.0.0.1/', /multicast/],
  ['https://255.255.255.255/', /broadcast/],
  ['https://240.1.2.3/', /reserved/],
  ['https://198.18.0.1/', /benchmarking/],
  ['https://[::1]/', /loopback ::1/],
  ['https://[::]/', /unspecified/],
  ['https://[0:0:0:0:0:0:0:1]:8443/', /loopback ::1/],
  ['https://[::ffff:127.0.0.1]/', /IPv4-mapped/],
  ['https://[::ffff:7f00:1]/', /IPv4-mapped/],
  ['https://[::ffff:169.254.169.254]/', /IPv4-mapped/],
  ['https://[::127.0.0.1]/', /IPv4-compatible/],
  ['https://[64:ff9b::127.0.0.1]/', /NAT64 .*127\.0\.0\.1/],
  ['https://[64:ff9b::a9fe:a9fe]/', /NAT64 .*metadata/],
  ['https://[2002:7f00:1::1]/', /6to4 .*127\.0\.0\.1/],
  ['https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/', /Teredo client .*127\.0\.0\.1/],
  ['https://[fc00::1]/', /unique local/],
  ['https://[fd00:ec2::254]/', /metadata/],
  ['https://[fe80::1]/', /link-local/],
  ['https://[fec0::1]/', /site-local/],
  ['https://[ff02::1]/', /multicast/],
  ['https://localhost/', /localhost resolves to 127\.0\.0\.1.*loopback/],
  ['https://private.test/', /private\.test resolves to 10\.1\.2\.3/],
  ['https://corp.test/', /RFC 1918/],
  ['https://home.test/', /RFC 1918/],
  ['https://metadata.test/', /metadata/],
  ['https://cgnat.test/', /carrier-grade NAT/],
  ['https://mixed.test/', /mixed\.test resolves to 192\.168\.0\.10/],
  ['https://v6-ula.test/', /unique local/],
  ['https://v6-mapped.test/', /IPv4-mapped/],
  ['https://v6-linklocal.test/', /link-local/],
  ['https://nat64.test/', /NAT64 .*169\.254\.169\.254/],
  ['https://127.0.0.1.nip.io/', /loopback/],
  ['https://zero.test/', /this network/],
];

let h: Harness;
let rx: WebhookReceiver;

beforeAll(async () => {
  rx = await startWebhookReceiver();
  rebindPort = rx.port;
  h = await startHarness({ WEBHOOK_ALLOW_PRIVATE: 'false', DELIVERY_RETRY_SCHEDULE: '50,50' });
  await h.start({}, { resolve, webhookLimits: { connectTimeoutMs: 500, headersTimeoutMs: 500, totalTimeoutMs: 1_000 } });
});
afterAll(async () => {
  await h.close();
  await rx.close();
});

describe('SSRF guard on real deliveries', () => {
  it(`refuses ${REFUSED.length} address forms and records the reason on the attempt`, async () => {
    expect(REFUSED.length).toBeGreaterThanOrEqual(40);
    const user = await makeUser(h.db);
    const sub = await makeSubscription(h.db, user.id);
    const cases = [];
    for (const [url, reason] of REFUSED) {
      const endpoint = await makeEndpoint(h.db, user.id, url);
      const d = await makeMatchDelivery(h.db, sub, { webhookEndpointId: endpoint.id });
      cases.push({ url, reason, d });
    }
    for (const c of cases) await h.enqueue(c.d.id);
    for (const c of cases) {
      const d = await h.waitForStatus(c.d.id, ['failed', 'sent', 'disabled'], 30_000);
      const attempts = await h.db.deliveryAttempt.findMany({ where: { deliveryId: c.d.id } });
      expect({ url: c.url, status: d.status, attempts: attempts.length }).toEqual({ url: c.url, status: 'failed', attempts: 1 });
      expect(attempts[0]?.error, c.url).toMatch(/^SSRF_BLOCKED: /);
      expect(attempts[0]?.error, c.url).toMatch(c.reason);
      expect(attempts[0]?.statusCode).toBeNull();
    }
    expect(rx.requests).toHaveLength(0);
  });

  it('defeats DNS rebinding: the socket goes to the vetted address, the next attempt is refused, the local receiver sees nothing', async () => {
    const user = await makeUser(h.db);
    const sub = await makeSubscription(h.db, user.id);
    const endpoint = await makeEndpoint(h.db, user.id, `https://rebind.test:${rebindPort}/hook`);
    const d = await makeMatchDelivery(h.db, sub, { webhookEndpointId: endpoint.id });
    await h.enqueue(d.id);
    await h.waitForStatus(d.id, ['failed'], 20_000);
    const attempts = await h.db.deliveryAttempt.findMany({ where: { deliveryId: d.id }, orderBy: { number: 'asc' } });
    // Attempt 1 was vetted as 93.184.215.14 and could only try that address (no route / timeout here).
    expect(attempts[0]?.error).toMatch(/^(CONNECT_FAILED|TIMEOUT)/);
    expect(attempts[1]?.error).toMatch(/^SSRF_BLOCKED: rebind\.test resolves to 127\.0\.0\.1/);
    expect(attempts).toHaveLength(2);
    expect(calls.get('rebind.test')).toBe(2);
    expect(rx.requests).toHaveLength(0);
  });

  it('refuses a redirect to 127.0.0.1 even where private addresses are allowed (redirects are never followed)', async () => {
    const inner = await startWebhookReceiver();
    const outer = await startWebhookReceiver({ respond: () => ({ status: 307, headers: { location: `http://127.0.0.1:${inner.port}/admin` } }) });
    await h.start({ WEBHOOK_ALLOW_PRIVATE: 'true', DELIVERY_RETRY_SCHEDULE: '50' });
    try {
      const user = await makeUser(h.db);
      const sub = await makeSubscription(h.db, user.id);
      const endpoint = await makeEndpoint(h.db, user.id, outer.url('/hook'));
      const d = await makeMatchDelivery(h.db, sub, { webhookEndpointId: endpoint.id });
      await h.enqueue(d.id);
      await h.waitForStatus(d.id, ['failed']);
      const attempts = await h.db.deliveryAttempt.findMany({ where: { deliveryId: d.id } });
      expect(attempts.every((a) => a.statusCode === 307 && /^HTTP_REDIRECT: .*127\.0\.0\.1/.test(a.error ?? ''))).toBe(true);
      expect(outer.requests.length).toBe(2);
      expect(inner.requests).toHaveLength(0);
    } finally {
      await inner.close();
      await outer.close();
    }
  });
});
