import { describe, expect, it } from 'vitest';
import { alertView, safeHttpsUrl } from './alert-view.js';
import { oneLine, renderAlert, renderWebhookDisabled } from './email-templates.js';

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

  it('says why a webhook was disabled and where to look', () => {
    const m = renderWebhookDisabled({ url: 'https://hooks.test/x', reason: 'it answered 410 Gone', endpointPage: 'https://sw.test/webhooks/w1' });
    expect(m.text).toContain('https://hooks.test/x');
    expect(m.text).toContain('410 Gone');
    expect(m.text).toContain('https://sw.test/webhooks/w1');
  });
});
