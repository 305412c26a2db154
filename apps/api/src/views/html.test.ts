import { describe, expect, it } from 'vitest';
import { html, raw } from './html.js';
import { safeNext } from './page.js';
import { cookiePolicy } from '../plugins/external/session.js';
import { decodeCursor, encodeCursor } from '../services/pagination.js';
import { yamlDepthProblem } from '@sigwatch/rules';
import { checkWebhookUrl } from '../services/webhooks.js';

describe('html', () => {
  it('escapes every interpolated value, and nests Html unescaped', () => {
    const evil = `<script>alert("x")</script>&'`;
    expect(html`<p title="${evil}">${evil}</p>`.toString()).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</p>',
    );
    expect(html`<ul>${['<a>', html`<li>${'b'}</li>`]}</ul>`.toString()).toBe('<ul>&lt;a&gt;<li>b</li></ul>');
    expect(html`${null}${undefined}${false}${0}${raw('<br>')}`.toString()).toBe('0<br>');
  });
});

describe('helpers', () => {
  it('allows only same-site paths after login', () => {
    expect(safeNext('/subscriptions/new?x=1')).toBe('/subscriptions/new?x=1');
    for (const bad of ['//evil.example', '/\\evil.example', 'https://evil.example', 'javascript:alert(1)', '', undefined, 42, '/a b']) expect(safeNext(bad)).toBe('/dashboard');
  });

  it('uses __Host- + Secure except on plain-http localhost', () => {
    expect(cookiePolicy('https://sigwatch.example')).toEqual({ name: '__Host-sigwatch_session', secure: true });
    expect(cookiePolicy('http://sigwatch.example')).toEqual({ name: '__Host-sigwatch_session', secure: true });
    expect(cookiePolicy('http://localhost:8080')).toEqual({ name: 'sigwatch_session', secure: false });
    expect(cookiePolicy('http://127.0.0.1:3000')).toEqual({ name: 'sigwatch_session', secure: false });
  });

  it('round-trips cursors and rejects forged ones naming the field', () => {
    const item = { createdAt: new Date('2026-11-22T01:02:03.456Z'), id: '0a0b0c0d-0000-4000-8000-000000000000' };
    expect(decodeCursor(encodeCursor(item))).toEqual(item);
    expect(decodeCursor(undefined)).toBeUndefined();
    for (const bad of ['x', Buffer.from('["nope","id"]').toString('base64url'), Buffer.from('{"a":1}').toString('base64url')]) {
      expect(() => decodeCursor(bad)).toThrow(expect.objectContaining({ code: 'VALIDATION', field: 'cursor' }));
    }
  });

  it('refuses deeply nested YAML before parsing it', () => {
    expect(yamlDepthProblem('monitoredValues:\n  certIdentities:\n    - certSubject: x\n')).toBeUndefined();
    expect(yamlDepthProblem('x: ' + '['.repeat(5000))).toMatch(/nested/);
    expect(yamlDepthProblem(' '.repeat(500) + 'x: 1')).toMatch(/indented/);
  });

  it('accepts only https webhook URLs unless private targets are allowed', () => {
    expect(checkWebhookUrl('https://hooks.example.com/x', false)).toBe('https://hooks.example.com/x');
    expect(() => checkWebhookUrl('http://hooks.example.com/x', false)).toThrow(expect.objectContaining({ field: 'url' }));
    expect(checkWebhookUrl('http://127.0.0.1:9/x', true)).toBe('http://127.0.0.1:9/x');
    expect(() => checkWebhookUrl('https://user:pw@hooks.example.com/', false)).toThrow(/user name/);
    expect(() => checkWebhookUrl('not a url', true)).toThrow(/not a URL/);
  });
});
