/**
 * Bounces, complaints and mailto: unsubscribes end to end: the deliver role sends alert mail with a VERP
 * return path to an in-process SMTP server; reports are then mailed, over real SMTP, to the inbound role's
 * listener on 127.0.0.1, which acts on real Postgres.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTransport, type Transporter } from 'nodemailer';
import { pino } from 'pino';
import { createDb } from '@sigwatch/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../apps/worker/src/config.js';
import { startInboundServer, type InboundServer } from '../../../apps/worker/src/inbound/role.js';
import { complaintMail, dsnMail } from '../../../apps/worker/src/inbound/testing/report-mail.js';
import { WorkerRegistry } from '../../../apps/worker/src/workers.js';
import { testEnv } from '../../harness/env.js';
import { startSmtpCapture, type CapturedMail, type SmtpCapture } from '../../harness/smtp-capture.js';
import { writeLocalhostCert } from '../../harness/tls-cert.js';
import { makeAddress, makeMatchDelivery, makeSubscription, makeUser, startHarness, type Harness } from './fixtures.js';

const RETURN_PATH = 'bounces@sigwatch.localhost';

let smtp: SmtpCapture;
let h: Harness;
let inbound: InboundServer;
let client: Transporter;

beforeAll(async () => {
  // the relay refuses `gone-…` recipients at once, as a provider does for addresses it knows are dead
  smtp = await startSmtpCapture({
    refuseRecipient: (a) => (a.startsWith('gone-') ? [550, `5.1.1 <${a}>: Recipient address rejected: User unknown`] : a.startsWith('policy-') ? [550, '5.7.1 Message rejected by policy'] : undefined),
  });
  h = await startHarness({ SMTP_URL: smtp.url, MAIL_RETURN_PATH: RETURN_PATH });
  await h.start();
  const config = loadConfig(testEnv({ REDIS_PREFIX: h.prefix, MAIL_RETURN_PATH: RETURN_PATH, INBOUND_SMTP_HOST: '127.0.0.1', INBOUND_SMTP_PORT: '0' }));
  const log = pino({ level: process.env['TEST_LOG'] ?? 'silent' });
  inbound = await startInboundServer({ config, db: h.db, redis: h.redis, workers: new WorkerRegistry(h.redis, h.prefix, log), log });
  client = createTransport({ host: '127.0.0.1', port: inbound.port, secure: false, ignoreTLS: true });
});
afterAll(async () => {
  client.close();
  await inbound.close();
  await h.close();
  await smtp.close();
});

/** Mail a raw report to the inbound role as a mail server would (null sender for bounces). */
function report(to: string, raw: string, from: string | false = false) {
  return client.sendMail({ envelope: { from: from === false ? '' : from, to: [to] }, raw });
}

async function sentAlert(label: string) {
  const user = await makeUser(h.db);
  const addr = await makeAddress(h.db, user.id, `${label}-${user.id}@example.test`);
  const sub = await makeSubscription(h.db, user.id);
  const d = await makeMatchDelivery(h.db, sub, { emailAddressId: addr.id });
  await h.enqueue(d.id);
  const mail = await smtp.waitFor((m) => m.to.includes(addr.address));
  await h.waitForStatus(d.id, ['sent']);
  return { user, addr, sub, d, mail };
}

const messageIdOf = (m: CapturedMail): string => (m.headers.get('message-id') ?? '').replace(/^<|>$/g, '');

describe('inbound role', () => {
  it('alert mail goes out from a signed VERP return path of its address', async () => {
    const { addr, mail } = await sentAlert('verp');
    expect(mail.from).toMatch(new RegExp(`^bounces\\+${addr.id.replaceAll('-', '')}\\.[A-Za-z0-9_-]{12}@sigwatch\\.localhost$`));
    expect(mail.from.split('@')[0]!.length).toBeLessThanOrEqual(64);
  });

  it('a hard bounce marks the address bounced and the alert failed; the next alert is not sent', async () => {
    const { user, addr, sub, d, mail } = await sentAlert('hard');
    await report(
      mail.from,
      dsnMail({ to: mail.from, failedRecipient: addr.address, action: 'failed', status: '5.1.1', diagnostic: `550 5.1.1 <${addr.address}>: Recipient address rejected: User unknown`, originalMessageId: messageIdOf(mail) }),
    );
    const a = await h.db.emailAddress.findUniqueOrThrow({ where: { id: addr.id } });
    expect(a.bouncedAt).not.toBeNull();
    expect(a.bounceReason).toBe(`550 5.1.1 <${addr.address}>: Recipient address rejected: User unknown`);
    expect(await h.db.delivery.findUniqueOrThrow({ where: { id: d.id } })).toMatchObject({ status: 'failed', lastError: `bounced: ${a.bounceReason}` });
    expect(await h.db.auditEvent.count({ where: { userId: user.id, action: 'email.bounced' } })).toBe(1);
    // the user is told at the account's own address
    const notice = await smtp.waitFor((m) => m.to.includes(user.email) && m.subject === '[Sigwatch] Alert mail to one of your addresses bounced');
    expect(notice.text).toContain(`Alert mail to ${addr.address} bounced: 550 5.1.1`);
    expect(notice.text).toContain('http://localhost:8080/emails');

    // the same report again changes nothing, audits nothing more and tells nobody again
    await report(mail.from, dsnMail({ to: mail.from, failedRecipient: addr.address, action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 again', originalMessageId: messageIdOf(mail) }));
    expect((await h.db.emailAddress.findUniqueOrThrow({ where: { id: addr.id } })).bounceReason).toBe(a.bounceReason);
    expect(await h.db.auditEvent.count({ where: { userId: user.id, action: 'email.bounced' } })).toBe(1);
    expect(await h.db.delivery.count({ where: { userId: user.id, kind: 'notice' } })).toBe(1);

    const next = await makeMatchDelivery(h.db, sub, { emailAddressId: addr.id });
    await h.enqueue(next.id);
    expect((await h.waitForStatus(next.id, ['disabled'])).lastError).toMatch(/^RECIPIENT_NOT_ALLOWED: mail to the address bounced \(550 5\.1\.1 <hard-/);
  });

  it('a permanent failure that is not about the address (5.7.1 policy) fails the alert and keeps the address', async () => {
    const { user, addr, d, mail } = await sentAlert('rejected');
    await report(mail.from, dsnMail({ to: mail.from, failedRecipient: addr.address, action: 'failed', status: '5.7.1', diagnostic: '550 5.7.1 Message rejected as spam by Content Filtering', originalMessageId: messageIdOf(mail) }));
    expect(await h.db.delivery.findUniqueOrThrow({ where: { id: d.id } })).toMatchObject({ status: 'failed', lastError: 'refused after acceptance: 550 5.7.1 Message rejected as spam by Content Filtering' });
    expect((await h.db.emailAddress.findUniqueOrThrow({ where: { id: addr.id } })).bouncedAt).toBeNull();
    expect(await h.db.auditEvent.count({ where: { userId: user.id, action: 'email.bounced' } })).toBe(0);
  });

  it('a relay that refuses the address itself while sending (550 5.1.1) marks it bounced; a policy refusal does not', async () => {
    const user = await makeUser(h.db);
    const gone = await makeAddress(h.db, user.id, `gone-${user.id}@example.test`);
    const policy = await makeAddress(h.db, user.id, `policy-${user.id}@example.test`);
    const sub = await makeSubscription(h.db, user.id);
    const d1 = await makeMatchDelivery(h.db, sub, { emailAddressId: gone.id });
    const d2 = await makeMatchDelivery(h.db, sub, { emailAddressId: policy.id });
    for (const d of [d1, d2]) await h.enqueue(d.id);
    expect((await h.waitForStatus(d1.id, ['failed'])).lastError).toMatch(/5\.1\.1/);
    expect((await h.waitForStatus(d2.id, ['failed'])).lastError).toMatch(/5\.7\.1/);
    expect(await h.db.emailAddress.findUniqueOrThrow({ where: { id: gone.id } })).toMatchObject({ bounceReason: `550 5.1.1 <${gone.address}>: Recipient address rejected: User unknown` });
    expect((await h.db.emailAddress.findUniqueOrThrow({ where: { id: policy.id } })).bouncedAt).toBeNull();
    expect(await h.db.auditEvent.findFirst({ where: { userId: user.id, action: 'email.bounced' } })).toMatchObject({ detail: { address: gone.address, via: 'smtp' } });
  });

  it('a delay or a 4.x.x failure is soft: nothing changes', async () => {
    const { addr, d, mail } = await sentAlert('soft');
    await report(mail.from, dsnMail({ to: mail.from, failedRecipient: addr.address, action: 'delayed', status: '4.4.1', diagnostic: 'connect to mx.example.test timed out', originalMessageId: messageIdOf(mail) }));
    await report(mail.from, dsnMail({ to: mail.from, failedRecipient: addr.address, action: 'failed', status: '4.2.2', diagnostic: '452 4.2.2 Mailbox full', originalMessageId: messageIdOf(mail) }));
    expect((await h.db.emailAddress.findUniqueOrThrow({ where: { id: addr.id } })).bouncedAt).toBeNull();
    expect((await h.db.delivery.findUniqueOrThrow({ where: { id: d.id } })).status).toBe('sent');
  });

  it('a bounce naming another address’s delivery cannot fail that delivery', async () => {
    const victim = await sentAlert('victim');
    const attacker = await sentAlert('attacker');
    // a valid report to the attacker's own return path, quoting the victim's Message-ID
    await report(
      attacker.mail.from,
      dsnMail({ to: attacker.mail.from, failedRecipient: attacker.addr.address, action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 unknown', originalMessageId: messageIdOf(victim.mail) }),
    );
    expect((await h.db.delivery.findUniqueOrThrow({ where: { id: victim.d.id } })).status).toBe('sent');
    expect((await h.db.emailAddress.findUniqueOrThrow({ where: { id: victim.addr.id } })).bouncedAt).toBeNull();
  });

  it('refuses recipients it does not serve, forged return-path tags included, with 550', async () => {
    const { addr, mail } = await sentAlert('forged');
    const [local, domain] = mail.from.split('@') as [string, string];
    const forged = `${local.slice(0, -1)}${local.endsWith('A') ? 'B' : 'A'}@${domain}`;
    for (const to of [forged, `bounces+${addr.id.replaceAll('-', '')}@sigwatch.localhost`, 'postmaster@example.test']) {
      await expect(report(to, dsnMail({ to, failedRecipient: addr.address, action: 'failed', status: '5.1.1', diagnostic: '550 x', originalMessageId: messageIdOf(mail) }))).rejects.toMatchObject({
        responseCode: 550,
      });
    }
    expect((await h.db.emailAddress.findUniqueOrThrow({ where: { id: addr.id } })).bouncedAt).toBeNull();
  });

  it('a spam complaint (ARF) unsubscribes the address', async () => {
    const { user, addr, mail } = await sentAlert('complaint');
    await report(mail.from, complaintMail(mail.from, addr.address, messageIdOf(mail)), 'fbl@mailbox.example.net');
    expect((await h.db.emailAddress.findUniqueOrThrow({ where: { id: addr.id } })).unsubscribedAt).not.toBeNull();
    expect(await h.db.auditEvent.findFirst({ where: { userId: user.id, action: 'email.unsubscribed' } })).toMatchObject({ detail: { via: 'complaint' } });
  });

  it('the List-Unsubscribe mailto: works: a mail to MAIL_FROM with the token in the subject unsubscribes', async () => {
    const { user, addr, mail } = await sentAlert('mailto');
    const mailto = /<(mailto:[^>]+)>/.exec(mail.headers.get('list-unsubscribe') ?? '')?.[1] as string;
    const url = new URL(mailto);
    const subject = url.searchParams.get('subject') as string;
    // a forged token is refused and changes nothing
    await client.sendMail({ from: addr.address, to: url.pathname, subject: `${subject.slice(0, -2)}xx`, text: '' });
    expect((await h.db.emailAddress.findUniqueOrThrow({ where: { id: addr.id } })).unsubscribedAt).toBeNull();
    await client.sendMail({ from: addr.address, to: url.pathname, subject, text: '' });
    expect((await h.db.emailAddress.findUniqueOrThrow({ where: { id: addr.id } })).unsubscribedAt).not.toBeNull();
    expect(await h.db.auditEvent.findFirst({ where: { userId: user.id, action: 'email.unsubscribed' } })).toMatchObject({ detail: { via: 'mailto' } });
  });

  it('refuses to start on a port in use, naming the variables', async () => {
    const log = pino({ level: 'silent' });
    const config = loadConfig(testEnv({ REDIS_PREFIX: h.prefix, MAIL_RETURN_PATH: RETURN_PATH, INBOUND_SMTP_HOST: '127.0.0.1', INBOUND_SMTP_PORT: String(inbound.port) }));
    await expect(startInboundServer({ config, db: h.db, redis: h.redis, workers: new WorkerRegistry(h.redis, h.prefix, log), log })).rejects.toThrow(
      new RegExp(`cannot listen on 127\\.0\\.0\\.1:${inbound.port} \\(INBOUND_SMTP_HOST/PORT\\): .*EADDRINUSE`),
    );
  });

  it('answers 451 when it cannot act on a mail (database unreachable), so the sender tries again', async () => {
    const { addr, mail } = await sentAlert('db-down');
    const log = pino({ level: 'silent' });
    const config = loadConfig(testEnv({ REDIS_PREFIX: h.prefix, MAIL_RETURN_PATH: RETURN_PATH, INBOUND_SMTP_HOST: '127.0.0.1', INBOUND_SMTP_PORT: '0' }));
    const deadDb = createDb('postgresql://postgres@127.0.0.1:1/sigwatch', { max: 1 });
    const down = await startInboundServer({ config, db: deadDb, redis: h.redis, workers: new WorkerRegistry(h.redis, h.prefix, log), log });
    const c = createTransport({ host: '127.0.0.1', port: down.port, secure: false, ignoreTLS: true });
    try {
      const raw = dsnMail({ to: mail.from, failedRecipient: addr.address, action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 unknown', originalMessageId: messageIdOf(mail) });
      await expect(c.sendMail({ envelope: { from: '', to: [mail.from] }, raw })).rejects.toMatchObject({ responseCode: 451 });
    } finally {
      c.close();
      await down.close();
      await deadDb.$disconnect();
    }
    // the same report, to the working listener, is acted on
    await report(mail.from, dsnMail({ to: mail.from, failedRecipient: addr.address, action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 unknown', originalMessageId: messageIdOf(mail) }));
    expect((await h.db.emailAddress.findUniqueOrThrow({ where: { id: addr.id } })).bouncedAt).not.toBeNull();
  });

  it('offers STARTTLS with INBOUND_TLS_CERT_FILE / _KEY_FILE, and refuses to start with half a pair or a bad file', async () => {
    const { addr, mail } = await sentAlert('tls');
    const dir = await mkdtemp(join(tmpdir(), 'sigwatch-inbound-tls-'));
    const log = pino({ level: 'silent' });
    const deps = (extra: Record<string, string>) => ({
      config: loadConfig(testEnv({ REDIS_PREFIX: h.prefix, MAIL_RETURN_PATH: RETURN_PATH, INBOUND_SMTP_HOST: '127.0.0.1', INBOUND_SMTP_PORT: '0', ...extra })),
      db: h.db,
      redis: h.redis,
      workers: new WorkerRegistry(h.redis, h.prefix, log),
      log,
    });
    try {
      const tls = await writeLocalhostCert(dir);
      const secured = await startInboundServer(deps({ INBOUND_TLS_CERT_FILE: tls.certFile, INBOUND_TLS_KEY_FILE: tls.keyFile }));
      // requireTLS: the client refuses to go on in plain text; it trusts only this certificate
      const c = createTransport({ host: '127.0.0.1', port: secured.port, secure: false, requireTLS: true, tls: { ca: tls.certPem, servername: 'localhost' } });
      try {
        const raw = dsnMail({ to: mail.from, failedRecipient: addr.address, action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 unknown', originalMessageId: messageIdOf(mail) });
        await c.sendMail({ envelope: { from: '', to: [mail.from] }, raw });
      } finally {
        c.close();
        await secured.close();
      }
      expect((await h.db.emailAddress.findUniqueOrThrow({ where: { id: addr.id } })).bouncedAt).not.toBeNull();
      // without TLS files the listener offers no STARTTLS, so a client that requires it gives up
      const plain = createTransport({ host: '127.0.0.1', port: inbound.port, secure: false, requireTLS: true });
      await expect(plain.verify()).rejects.toThrow(/STARTTLS/);
      plain.close();
      await expect(startInboundServer(deps({ INBOUND_TLS_CERT_FILE: tls.certFile }))).rejects.toThrow(/needs both INBOUND_TLS_CERT_FILE and INBOUND_TLS_KEY_FILE/);
      await expect(startInboundServer(deps({ INBOUND_TLS_CERT_FILE: tls.keyFile, INBOUND_TLS_KEY_FILE: tls.keyFile }))).rejects.toThrow(/not a PEM certificate and its private key/);
      await expect(startInboundServer(deps({ INBOUND_TLS_CERT_FILE: join(dir, 'missing.pem'), INBOUND_TLS_KEY_FILE: tls.keyFile }))).rejects.toThrow(/INBOUND_TLS_CERT_FILE: cannot read/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('mail that is not a report is taken and ignored; an oversized one is refused with 552', async () => {
    const { addr, mail } = await sentAlert('other');
    await report(mail.from, ['From: someone@example.net', `To: ${mail.from}`, 'Subject: Out of office', '', 'I am away.', ''].join('\r\n'), 'someone@example.net');
    // broken reports: garbage, a report without its status part, a status part without recipients,
    // a multipart without its closing boundary, bytes that are not UTF-8
    const broken = [
      Buffer.from([0, 255, 254, 13, 10, 13, 10, 1, 2, 3]).toString('latin1'),
      ['Content-Type: multipart/report; report-type=delivery-status; boundary="b"', '', '--b', 'Content-Type: text/plain', '', 'gone', '--b--', ''].join('\r\n'),
      ['Content-Type: multipart/report; report-type=delivery-status; boundary="b"', '', '--b', 'Content-Type: message/delivery-status', '', 'Reporting-MTA: dns; x', '--b--', ''].join('\r\n'),
      ['Content-Type: multipart/report; report-type=delivery-status; boundary="b"', '', '--b', 'Content-Type: message/delivery-status', '', 'Reporting-MTA: dns; x', '', 'Action: failed', 'Status: 5.1.1'].join('\r\n'),
    ];
    for (const raw of broken) await report(mail.from, raw);
    // the last one, unterminated, still holds a hard failure for this address: it counts
    expect((await h.db.emailAddress.findUniqueOrThrow({ where: { id: addr.id } })).bouncedAt).not.toBeNull();
    await h.db.emailAddress.update({ where: { id: addr.id }, data: { bouncedAt: null, bounceReason: null } });
    expect((await h.db.emailAddress.findUniqueOrThrow({ where: { id: addr.id } })).bouncedAt).toBeNull();
    const big = ['From: someone@example.net', `To: ${mail.from}`, 'Subject: big', '', 'x'.repeat(1_100_000), ''].join('\r\n');
    await expect(report(mail.from, big, 'someone@example.net')).rejects.toMatchObject({ responseCode: 552 });
  });
});
