/**
 * DKIM (DKIM_SELECTOR + DKIM_PRIVATE_KEY_FILE): alert mail from the worker's deliver role and account mail
 * from the API arrive at a real SMTP server signed for MAIL_FROM's domain, and the signatures verify
 * (mailauth, the key served by a resolver standing in for DNS); a message changed after signing fails.
 * Misconfiguration is refused at start with the variable named.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// mailauth 4.x: the last line that runs on Node 20; only its DKIM verifier is used.
// @ts-expect-error (no type declarations)
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { ConfigError, loadDkim } from '@sigwatch/config';
import { startSmtpCapture, type SmtpCapture } from '../../harness/smtp-capture.js';
import { buildTestApp, PageAgent, uniqueEmail, type TestApp } from '../api/helper.js';
import { makeAddress, makeMatchDelivery, makeSubscription, makeUser, startHarness, type Harness } from './fixtures.js';

const DOMAIN = 'alerts.sigwatch.example';
const MAIL_FROM = `Sigwatch <alerts@${DOMAIN}>`;
const SELECTOR = 'sw2026';

let dir: string;
let keyFile: string;
let publicKeyB64: string;
let smtp: SmtpCapture;
let h: Harness;
let api: TestApp;

interface DkimResult {
  signingDomain: string;
  selector: string;
  status: { result: string };
}

/** Verify every DKIM signature of `raw`, with `<selector>._domainkey.<domain>` TXT served from memory. */
async function verify(raw: string): Promise<DkimResult[]> {
  const resolver = async (name: string, type: string) => {
    if (type === 'TXT' && name === `${SELECTOR}._domainkey.${DOMAIN}`) return [[`v=DKIM1; k=rsa; p=${publicKeyB64}`]];
    throw Object.assign(new Error(`no ${type} record for ${name}`), { code: 'ENOTFOUND' });
  };
  const { results } = (await dkimVerify(Buffer.from(raw), { resolver })) as { results: DkimResult[] };
  return results;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigwatch-dkim-'));
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  keyFile = join(dir, 'dkim.pem');
  await writeFile(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  publicKeyB64 = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const env = { MAIL_FROM, DKIM_SELECTOR: SELECTOR, DKIM_PRIVATE_KEY_FILE: keyFile };
  smtp = await startSmtpCapture();
  h = await startHarness({ SMTP_URL: smtp.url, ...env });
  await h.start();
  api = await buildTestApp(env);
});

afterAll(async () => {
  await h?.close();
  await smtp?.close();
  await api?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('DKIM', () => {
  it('signs alert mail for the sender domain; the signature verifies, and fails once the message is changed', async () => {
    const user = await makeUser(h.db);
    const addr = await makeAddress(h.db, user.id, `dkim-${user.id}@example.test`);
    const sub = await makeSubscription(h.db, user.id, { name: 'signed alerts' });
    const d = await makeMatchDelivery(h.db, sub, { emailAddressId: addr.id });
    await h.enqueue(d.id);
    const mail = await smtp.waitFor((m) => m.to.includes(addr.address));
    expect(mail.headers.get('dkim-signature')).toMatch(new RegExp(`d=${DOMAIN.replace(/\./g, '\\.')};`));
    const [ok] = await verify(mail.raw);
    expect(ok).toMatchObject({ signingDomain: DOMAIN, selector: SELECTOR, status: { result: 'pass' } });
    const [bad] = await verify(mail.raw.replace(/^Subject: (.*)$/m, 'Subject: [forged] $1'));
    expect(bad?.status.result).toBe('fail');
  });

  it('signs account mail sent by the API', async () => {
    const email = uniqueEmail('dkim');
    const agent = new PageAgent(api.app);
    expect((await agent.post('/signup', { email, password: 'correct horse battery staple' })).statusCode).toBe(303);
    const mail = await api.smtp.waitFor((m) => m.to.includes(email));
    const [ok] = await verify(mail.raw);
    expect(ok).toMatchObject({ signingDomain: DOMAIN, status: { result: 'pass' } });
  });

  it('is off without both variables, and refuses a half or a bad configuration naming the variable', async () => {
    expect(loadDkim({ MAIL_FROM })).toBeUndefined();
    const refused = (c: Record<string, string>): string => {
      try {
        loadDkim({ MAIL_FROM, ...c });
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refused({ DKIM_SELECTOR: SELECTOR })).toMatch(/DKIM_PRIVATE_KEY_FILE: DKIM_SELECTOR and DKIM_PRIVATE_KEY_FILE go together/);
    expect(refused({ DKIM_PRIVATE_KEY_FILE: keyFile })).toMatch(/DKIM_SELECTOR: /);
    expect(refused({ DKIM_SELECTOR: 'bad selector!', DKIM_PRIVATE_KEY_FILE: keyFile })).toMatch(/DKIM_SELECTOR: must be DNS labels/);
    expect(refused({ DKIM_SELECTOR: SELECTOR, DKIM_PRIVATE_KEY_FILE: join(dir, 'missing.pem') })).toMatch(/DKIM_PRIVATE_KEY_FILE: cannot read/);
    const notAKey = join(dir, 'not-a-key.pem');
    await writeFile(notAKey, 'hello');
    expect(refused({ DKIM_SELECTOR: SELECTOR, DKIM_PRIVATE_KEY_FILE: notAKey })).toMatch(/is not a PEM private key/);
    const ec = join(dir, 'ec.pem');
    await writeFile(ec, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    expect(refused({ DKIM_SELECTOR: SELECTOR, DKIM_PRIVATE_KEY_FILE: ec })).toMatch(/holds a ec key: DKIM takes RSA/);
  });
});
