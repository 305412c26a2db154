/** Alert mail end to end: real Postgres, Redis and an in-process SMTP server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyToken } from '@sigwatch/config';
import { startSmtpCapture, type SmtpCapture } from '../../harness/smtp-capture.js';
import { testEnv } from '../../harness/env.js';
import { OID, makeAddress, makeMatchDelivery, makeSubscription, makeUser, sampleEvent, startHarness, type Harness } from './fixtures.js';

let smtp: SmtpCapture;
let h: Harness;
const SECRET = testEnv()['SESSION_SECRET'] as string;

beforeAll(async () => {
  smtp = await startSmtpCapture();
  h = await startHarness({ SMTP_URL: smtp.url, EMAIL_HOURLY_CAP: '2' });
  await h.start();
});
afterAll(async () => {
  await h.close();
  await smtp.close();
});

describe('alert e-mail', () => {
  it('arrives with the alert content, RFC 8058 one-click headers, Auto-Submitted and its Message-ID', async () => {
    const user = await makeUser(h.db);
    const addr = await makeAddress(h.db, user.id, `alerts-${user.id}@example.test`);
    const sub = await makeSubscription(h.db, user.id, { name: 'acme releases' });
    const d = await makeMatchDelivery(h.db, sub, { emailAddressId: addr.id });
    await h.enqueue(d.id);
    const mail = await smtp.waitFor((m) => m.to.includes(addr.address));

    expect(mail.headers.get('message-id')).toBe(`<delivery-${d.id}@sigwatch.localhost>`);
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    expect(mail.headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    const lu = mail.headers.get('list-unsubscribe') ?? '';
    const m = /^<(http:\/\/localhost:8080\/unsubscribe\/([A-Za-z0-9._-]+))>,\s*<(mailto:[^>]+)>$/.exec(lu);
    expect(m, lu).not.toBeNull();
    const claims = verifyToken(SECRET, 'unsubscribe-alerts', m?.[2] as string);
    expect(claims).toMatchObject({ sub: addr.id, ctx: { deliveryId: d.id } });
    expect(m?.[3]).toMatch(/^mailto:alerts@sigwatch\.localhost\?subject=unsubscribe%20sw1\./);

    expect(mail.subject).toContain('acme releases');
    const ev = sampleEvent(0);
    for (const want of [
      'https://github.com/acme/widget/.github/workflows/release.yml@refs/tags/v1.2.3',
      'https://token.actions.githubusercontent.com',
      'https://github.com/acme/widget',
      'refs/tags/v1.2.3',
      'https://github.com/acme/widget/actions/runs/42/attempts/1',
      `sha256:${'cd'.repeat(32)}`,
      'hashedrekord 0.0.1',
      'rekor.sim.local',
      'Matched:',
      'certSubject = https://github.com/acme/widget',
      `http://localhost:8080/subscriptions/${sub.id}`,
      'http://localhost:8080/mute/sw1.',
    ]) {
      expect(mail.text).toContain(want);
      if (!want.endsWith(':')) expect(mail.html ?? '').toContain(want);
    }
    expect(ev.certificate?.extensions[OID(21)]).toBeDefined();
    expect(mail.text).toMatch(/Entry:\s+https:\/\/search\.sigstore\.dev\/\?logIndex=\d+/);
    expect(mail.text).toMatch(/When:\s+2026-01-01T/);
    const mute = /http:\/\/localhost:8080\/mute\/(\S+)/.exec(mail.text)?.[1] as string;
    expect(verifyToken(SECRET, 'mute-subscription', mute).sub).toBe(sub.id);

    const done = await h.waitForStatus(d.id, ['sent']);
    expect(done.sentAt).not.toBeNull();
    const attempts = await h.db.deliveryAttempt.findMany({ where: { deliveryId: d.id } });
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ number: 1, ok: true, error: null });
  });

  it('escapes hostile log data and never links a non-https run URL', async () => {
    const user = await makeUser(h.db);
    const addr = await makeAddress(h.db, user.id, `hostile-${user.id}@example.test`);
    const sub = await makeSubscription(h.db, user.id);
    const base = sampleEvent(1);
    const event = {
      ...base,
      certificate: {
        ...(base.certificate as NonNullable<typeof base.certificate>),
        sans: [{ type: 'email' as const, value: 'x@y.z\r\nBcc: victim@example.test<script>alert(1)</script>' }],
        extensions: { [OID(21)]: 'javascript:alert(1)', [OID(12)]: '<img src=x onerror=alert(1)>' },
      },
    };
    const d = await makeMatchDelivery(h.db, sub, { emailAddressId: addr.id }, event);
    await h.enqueue(d.id);
    const mail = await smtp.waitFor((m) => m.to.includes(addr.address));
    expect(mail.to).toEqual([addr.address]);
    expect(mail.headers.has('bcc')).toBe(false);
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain('&lt;script&gt;');
    expect(mail.html).not.toContain('javascript:');
    expect(mail.text).not.toContain('javascript:');
  });

  it('sends only to verified, subscribed addresses of active subscriptions; the others end disabled with a reason', async () => {
    const user = await makeUser(h.db);
    const unverified = await makeAddress(h.db, user.id, `unverified-${user.id}@example.test`, { verified: false });
    const unsubscribed = await makeAddress(h.db, user.id, `unsub-${user.id}@example.test`, { unsubscribed: true });
    const ok = await makeAddress(h.db, user.id, `ok-${user.id}@example.test`);
    const sub = await makeSubscription(h.db, user.id);
    const muted = await h.db.subscription.create({ data: { userId: user.id, name: 'muted', mutedAt: new Date() } });
    const d1 = await makeMatchDelivery(h.db, sub, { emailAddressId: unverified.id });
    const d2 = await makeMatchDelivery(h.db, sub, { emailAddressId: unsubscribed.id });
    const d3 = await makeMatchDelivery(h.db, muted, { emailAddressId: ok.id });
    for (const d of [d1, d2, d3]) await h.enqueue(d.id);
    expect((await h.waitForStatus(d1.id, ['disabled'])).lastError).toMatch(/not verified/);
    expect((await h.waitForStatus(d2.id, ['disabled'])).lastError).toMatch(/unsubscribed/);
    expect((await h.waitForStatus(d3.id, ['disabled'])).lastError).toMatch(/muted/);
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.messages.filter((m) => m.to.some((t) => t.includes(user.id)))).toHaveLength(0);
  });

  it('caps alert mail per address per hour and rolls the rest into one digest', async () => {
    const user = await makeUser(h.db);
    const addr = await makeAddress(h.db, user.id, `capped-${user.id}@example.test`);
    const sub = await makeSubscription(h.db, user.id, { name: 'busy' });
    const ds = [];
    for (let i = 0; i < 5; i++) ds.push(await makeMatchDelivery(h.db, sub, { emailAddressId: addr.id }));
    for (const d of ds) await h.enqueue(d.id);
    const settled = await Promise.all(ds.map((d) => h.waitForStatus(d.id, ['sent', 'digested'])));
    expect(settled.filter((d) => d.status === 'sent')).toHaveLength(2);
    expect(settled.filter((d) => d.status === 'digested')).toHaveLength(3);
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.messages.filter((m) => m.to.includes(addr.address))).toHaveLength(2);

    // An hour later the sweep sends one digest with the three held back.
    await h.start({}, { now: () => new Date(Date.now() + 61 * 60_000) });
    const digest = await smtp.waitFor((m) => m.to.includes(addr.address) && m.subject.includes('Digest'));
    expect(digest.subject).toBe('[Sigwatch] Digest: 3 alerts');
    expect(digest.headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    for (const d of settled.filter((x) => x.status === 'digested')) {
      await h.waitForStatus(d.id, ['sent']);
      const [a] = await h.db.deliveryAttempt.findMany({ where: { deliveryId: d.id } });
      expect(a?.responseExcerpt).toMatch(/sent in digest <digest-.*> with 3 alerts/);
    }
    await new Promise((r) => setTimeout(r, 600));
    expect(smtp.messages.filter((m) => m.to.includes(addr.address))).toHaveLength(3);
    await h.start();
  });

  it('holds alerts of a daily-digest subscription for a day, then sends them together', async () => {
    const user = await makeUser(h.db);
    const addr = await makeAddress(h.db, user.id, `daily-${user.id}@example.test`);
    const sub = await makeSubscription(h.db, user.id, { digest: 'daily', name: 'daily one' });
    const a = await makeMatchDelivery(h.db, sub, { emailAddressId: addr.id });
    const b = await makeMatchDelivery(h.db, sub, { emailAddressId: addr.id });
    await h.enqueue(a.id);
    await h.enqueue(b.id);
    await h.waitForStatus(a.id, ['digested']);
    await h.waitForStatus(b.id, ['digested']);
    await h.start({}, { now: () => new Date(Date.now() + 2 * 3_600_000) });
    await new Promise((r) => setTimeout(r, 700));
    expect(smtp.messages.filter((m) => m.to.includes(addr.address))).toHaveLength(0);
    await h.start({}, { now: () => new Date(Date.now() + 25 * 3_600_000) });
    const digest = await smtp.waitFor((m) => m.to.includes(addr.address));
    expect(digest.subject).toBe('[Sigwatch] Digest: 2 alerts');
    expect(digest.text).toContain('daily digest');
    await h.waitForStatus(a.id, ['sent']);
    await h.start();
  });
});
