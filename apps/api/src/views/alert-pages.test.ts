import { describe, expect, it } from 'vitest';
import type { MatchView } from '../services/alerts.js';
import { alertDetail, alertList } from './alert-pages.js';

function match(chain: string | undefined): MatchView {
  const event = {
    log: { origin: 'rekor.sigstore.dev', kind: 'rekor-v1' },
    globalIndex: '9',
    ...(chain === undefined ? { publicKey: { fingerprintSha256: 'ab', subjects: [] } } : { certificate: { sans: [], chain } }),
  };
  return {
    id: 'm1',
    subscriptionId: 's1',
    subscriptionName: 'widget releases',
    logId: 'rekor',
    logIndex: '9',
    field: 'san',
    value: 'https://github.com/acme/widget/.github/workflows/release.yml@refs/tags/v1',
    event,
    createdAt: '2026-01-01T00:00:00.000Z',
    deliveries: [],
  };
}

describe('alert pages: certificate chain status', () => {
  it('an invalid chain is a warning at the top of the alert and a badge in the list', () => {
    const page = alertDetail('csrf', match('invalid')).toString();
    expect(page.startsWith('<p class="untrusted" role="alert"><strong>Untrusted certificate.</strong>')).toBe(true);
    expect(page).toContain('does NOT chain to a trusted Fulcio CA');
    expect(alertList('csrf', [match('invalid')], null).toString()).toContain('untrusted certificate');
  });

  it('a valid or unknown chain is one line, no warning; a key-signed entry has none', () => {
    for (const [chain, text] of [['valid', 'chains to a trusted Fulcio CA'], ['unknown', 'was not verified']] as const) {
      const page = alertDetail('csrf', match(chain)).toString();
      expect(page).toContain(text);
      expect(page).not.toContain('role="alert"');
      expect(alertList('csrf', [match(chain)], null).toString()).not.toContain('untrusted certificate');
    }
    expect(alertDetail('csrf', match(undefined)).toString()).not.toContain('Certificate:');
  });
});
