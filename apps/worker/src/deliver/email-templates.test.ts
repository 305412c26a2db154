import { describe, expect, it } from 'vitest';
import type { CertificateInfo, SigningEvent } from '@sigwatch/rules';
import { alertView, safeHttpsUrl } from './alert-view.js';
import { oneLine, renderAddressBounced, renderAlert, renderDigest, renderWebhookDisabled } from './email-templates.js';
import { matchCreatedBody } from './webhook-payload.js';

const links = { subscription: 'https://sw.test/subscriptions/s1', mute: 'https://sw.test/mute/t', unsubscribe: 'https://sw.test/unsubscribe/u' };

describe('alert mail templates', () => {
  it('only links https run URLs without credentials', () => {
    expect(safeHttpsUrl('https://github.com/a/b/actions/runs/1')).toBe('https://github.com/a/b/actions/runs/1');
    for (const bad of ['javascript:alert(1)', 'http://github.com/x', 'https://u:p@evil.test/', 'data:text/html,x', 'not a url', undefined]) {
      expect(safeHttpsUrl(bad)).toBeUndefined();
    }
  });

  it('keeps subjects on one line and bounded', () => {
    expect(oneLine('a\r\nBcc: x\u2028y\u0000z')).toBe('a Bcc: x y z');
    expect(oneLine('x'.repeat(500), 20)).toHaveLength(20);
  });

  it('escapes every log-controlled value in HTML and omits absent fields', () => {
    const view = alertView({
      log: { origin: 'o<b>', kind: 'rekor-v2' },
      index: '5',
      globalIndex: '5',
      leafHash: '',
      kind: 'dsse"><script>',
      apiVersion: '0.0.1',
      digests: [],
      publicKey: { fingerprintSha256: 'ab', subjects: ['<img src=x>'] },
    });
    expect(view.entryUrl).toBeUndefined();
    const m = renderAlert({ subscriptionName: 'n&m', view, reason: { field: 'subject', value: '<img src=x>' }, links });
    expect(m.html).not.toMatch(/<img|<script|<b>/);
    expect(m.html).toContain('&lt;img src=x&gt;');
    expect(m.text).not.toContain('Run:');
    expect(m.text).not.toContain('Entry:');
    expect(m.text).toContain('Index:      5');
  });

  it('the bounce notice names the address and the reason, escaped in HTML, and links the addresses page', () => {
    const m = renderAddressBounced({ address: 'a@b.test', reason: '550 5.1.1 <a@b.test>: User unknown', emailsPage: 'https://sw.test/emails' });
    expect(m.subject).toBe('[Sigwatch] Alert mail to one of your addresses bounced');
    expect(m.text).toContain('Alert mail to a@b.test bounced: 550 5.1.1 <a@b.test>: User unknown.');
    expect(m.html).toContain('550 5.1.1 &lt;a@b.test&gt;: User unknown');
    expect(m.html).toContain('href="https://sw.test/emails"');
  });

  it('says why a webhook was disabled and where to look', () => {
    const m = renderWebhookDisabled({ url: 'https://hooks.test/x', reason: 'it answered 410 Gone', endpointPage: 'https://sw.test/webhooks/w1' });
    expect(m.text).toContain('https://hooks.test/x');
    expect(m.text).toContain('410 Gone');
    expect(m.text).toContain('https://sw.test/webhooks/w1');
  });
});

describe('certificate chain status in alerts', () => {
  const event = (chain: CertificateInfo['chain']): SigningEvent => ({
    log: { origin: 'rekor.sigstore.dev', kind: 'rekor-v1' },
    index: '7',
    globalIndex: '7',
    leafHash: 'ab'.repeat(32),
    kind: 'hashedrekord',
    apiVersion: '0.0.1',
    digests: [],
    certificate: {
      sans: [{ type: 'uri', value: 'https://github.com/acme/widget/.github/workflows/release.yml@refs/tags/v1' }],
      extensions: {},
      serial: '01',
      notBefore: '2026-01-01T00:00:00.000Z',
      notAfter: '2026-01-01T00:10:00.000Z',
      fingerprintSha256: 'cd'.repeat(32),
      publicKeySha256: 'ef'.repeat(32),
      chain,
    },
  });
  const reason = { field: 'san', value: 'x' };
  const webhook = (e: SigningEvent) =>
    JSON.parse(matchCreatedBody({ match: { id: 'm', createdAt: new Date(0), ruleId: null, field: 'san', value: 'x', logId: 'l' }, subscription: { id: 's', name: 'n' }, event: e, publicUrl: 'https://sw.test' })).data;

  it('a valid chain is one quiet line, no warning', () => {
    const m = renderAlert({ subscriptionName: 'widget', view: alertView(event('valid')), reason, links });
    expect(m.text).toContain('Certificate: issued by a trusted Fulcio CA');
    expect(m.subject).not.toContain('UNTRUSTED');
    expect(m.text).not.toContain('WARNING');
    expect(webhook(event('valid')).certificate_chain).toMatchObject({ status: 'valid', trusted: true, warning: null });
  });

  it('an invalid chain is flagged in the subject and warned about first, in text and HTML, and in the webhook', () => {
    const m = renderAlert({ subscriptionName: 'widget', view: alertView(event('invalid')), reason, links });
    expect(m.subject).toMatch(/^\[Sigwatch\] UNTRUSTED CERTIFICATE: widget/);
    expect(m.text.startsWith('WARNING: the certificate of this entry was NOT issued by a trusted Fulcio')).toBe(true);
    expect(m.text).toContain('Certificate: NOT issued by a trusted Fulcio CA');
    // 'invalid' also covers a certificate made with the CA's key but never logged in CT: the reader is told
    expect(m.text).toContain("never logged in the CA's CT log");
    expect(m.text).toContain("without the CT log record every Fulcio certificate has");
    expect(m.html).toMatch(/<body[^>]*><p role="alert"[^>]*>WARNING: the certificate of this entry was NOT issued/);
    const body = webhook(event('invalid'));
    expect(body.certificate_chain).toMatchObject({ status: 'invalid', trusted: false, warning: expect.stringContaining('NOT issued by a trusted Fulcio') });
    expect(body.event.certificate.chain).toBe('invalid');
  });

  it('an unknown chain says it was not verified; a key-signed entry has no chain at all', () => {
    const m = renderAlert({ subscriptionName: 'widget', view: alertView(event('unknown')), reason, links });
    expect(m.text).toContain('Certificate: not verified');
    expect(m.text).not.toContain('WARNING');
    expect(webhook(event('unknown')).certificate_chain).toMatchObject({ status: 'unknown', trusted: false, warning: null });
    const keyed: SigningEvent = { ...event('valid'), certificate: undefined, publicKey: { fingerprintSha256: 'ab', subjects: [] } };
    delete keyed.certificate;
    expect(renderAlert({ subscriptionName: 'k', view: alertView(keyed), reason, links }).text).not.toContain('Certificate:');
    expect(webhook(keyed).certificate_chain).toBeNull();
  });

  it('a digest counts untrusted certificates in its subject and warns at each', () => {
    const items = [event('valid'), event('invalid')].map((e) => ({ subscriptionName: 'widget', view: alertView(e), reason }));
    const m = renderDigest(items, 'Hourly digest.', { unsubscribe: links.unsubscribe, alerts: 'https://sw.test/alerts' });
    expect(m.subject).toBe('[Sigwatch] Digest: 2 alerts (1 with an UNTRUSTED CERTIFICATE)');
    expect(m.text.match(/WARNING: the certificate/g)).toHaveLength(1);
    expect(m.html.match(/role="alert"/g)).toHaveLength(1);
  });
});
