import { describe, expect, it } from 'vitest';
import { matchRule, matchRules } from './match.js';
import { parseRule, type RuleInput } from './schema.js';
import { RuleError } from './rule-error.js';
import { realEvent, realEvents } from './testing/real-events.js';
import type { SigningEvent } from './signing-event.js';

const GHA = 'https://token.actions.githubusercontent.com';
const RFC8785 = 'gha-trailofbits-rfc8785py-release-v0.1.2';
const RFC8785_SAN = 'https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2';

/** Names of the real events a rule matches. */
function matching(input: RuleInput): string[] {
  const rule = parseRule(input);
  return realEvents()
    .filter((r) => matchRule(r.event, rule) !== undefined)
    .map((r) => r.name)
    .sort();
}

function withCert(event: SigningEvent, patch: Partial<NonNullable<SigningEvent['certificate']>>): SigningEvent {
  return { ...event, certificate: { ...event.certificate!, ...patch } };
}

describe('certificate identity (SAN)', () => {
  it('exact matches the GitHub workflow identity of one real certificate only', () => {
    expect(matching({ san: { type: 'exact', value: RFC8785_SAN } })).toEqual([RFC8785]);
  });
  it('exact e-mail matches both real certificates of that address', () => {
    expect(matching({ san: { type: 'exact', value: 'brian@dehamer.com' } })).toEqual([
      'email-brian-dehamer',
      'email-brian-dehamer-2022-ctfe-test',
    ]);
  });
  it('prefix matches every workflow of a repository', () => {
    expect(matching({ san: { type: 'prefix', value: 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/' } })).toEqual([
      'gha-conformance-beacon-main',
      'staging-gha-conformance-beacon',
    ]);
  });
  it('glob: * stays inside a path segment, ** crosses segments', () => {
    expect(matching({ san: { type: 'glob', value: 'https://github.com/*/.github/workflows/release.yml@*' } })).toEqual([]);
    expect(matching({ san: { type: 'glob', value: 'https://github.com/*/*/.github/workflows/release.yml@**' } })).toEqual([
      'gha-sigstore-js-release-2.0.0',
      RFC8785,
    ]);
    expect(matching({ san: { type: 'glob', value: '*@python.org' } })).toEqual(['email-thomas-python-org']);
    expect(matching({ san: { type: 'glob', value: '?@tny.town' } })).toEqual(['email-a-tny-town']);
  });
  it('regex is anchored to the whole value', () => {
    expect(matching({ san: { type: 'regex', value: 'brian@dehamer\\.com' } })).toHaveLength(2);
    expect(matching({ san: { type: 'regex', value: 'dehamer\\.com' } })).toEqual([]);
    expect(matching({ san: { type: 'regex', value: '.*@dehamer\\.com' } })).toHaveLength(2);
    expect(matching({ san: { type: 'regex', value: 'https://github\\.com/sigstore/[^/]+/\\.github/workflows/release\\.ya?ml@refs/heads/main' } })).toEqual([
      'gha-sigstore-js-release-2.0.0',
    ]);
  });
  it('user@x\\.com does not match evil-user@x.com', () => {
    const base = realEvent('email-a-tny-town');
    const evil = withCert(base, { sans: [{ type: 'email', value: 'evil-user@x.com' }] });
    const good = withCert(base, { sans: [{ type: 'email', value: 'user@x.com' }] });
    const rule = parseRule({ san: { type: 'regex', value: 'user@x\\.com' } });
    expect(matchRule(evil, rule)).toBeUndefined();
    expect(matchRule(good, rule)).toEqual([{ field: 'san', value: 'user@x.com' }]);
    // and the trailing side: user@x.com.evil.org
    expect(matchRule(withCert(base, { sans: [{ type: 'email', value: 'user@x.com.evil.org' }] }), rule)).toBeUndefined();
  });
  it('identity with issuers: any listed issuer, and the issuer must match', () => {
    expect(matching({ san: { type: 'exact', value: 'brian@dehamer.com' }, issuers: [{ type: 'exact', value: 'https://github.com/login/oauth' }] })).toHaveLength(2);
    expect(matching({ san: { type: 'exact', value: 'brian@dehamer.com' }, issuers: [{ type: 'exact', value: 'https://accounts.google.com' }] })).toEqual([]);
    expect(
      matching({
        san: { type: 'glob', value: '*@**' },
        issuers: [
          { type: 'exact', value: 'https://accounts.google.com' },
          { type: 'prefix', value: 'https://github.com/' },
        ],
      }),
    ).toEqual(['email-a-tny-town', 'email-brian-dehamer', 'email-brian-dehamer-2022-ctfe-test', 'email-thomas-python-org', 'staging-email-alexis-challande']);
  });
  it('the v1 issuer (.1.1) stands in when .1.8 is absent (2022 certificate)', () => {
    const e = realEvent('email-brian-dehamer-2022-ctfe-test');
    expect(e.certificate?.extensions['1.3.6.1.4.1.57264.1.8']).toBeUndefined();
    expect(matchRule(e, parseRule({ issuers: [{ type: 'exact', value: 'https://github.com/login/oauth' }] }))).toBeDefined();
  });
});

describe('issuer alone', () => {
  it('matches every certificate of that issuer', () => {
    expect(matching({ issuers: [{ type: 'exact', value: GHA }] })).toEqual([
      'gha-conformance-beacon-main',
      'gha-sigstore-js-release-2.0.0',
      RFC8785,
      'staging-gha-conformance-beacon',
    ]);
  });
});

describe('Fulcio extensions', () => {
  it('by name: source repository URI, ids, trigger, visibility', () => {
    expect(matching({ extensions: [{ name: 'source-repository-uri', value: { type: 'exact', value: 'https://github.com/trailofbits/rfc8785.py' } }] })).toEqual([RFC8785]);
    expect(
      matching({
        extensions: [
          { name: 'source-repository-identifier', value: { type: 'exact', value: '768213997' } },
          { name: 'source-repository-owner-identifier', value: { type: 'exact', value: '2314423' } },
        ],
      }),
    ).toEqual([RFC8785]);
    expect(matching({ extensions: [{ name: 'build-trigger', value: { type: 'exact', value: 'workflow_dispatch' } }] })).toEqual([
      'gha-conformance-beacon-main',
      'staging-gha-conformance-beacon',
    ]);
    expect(matching({ extensions: [{ name: 'github-workflow-repository', value: { type: 'exact', value: 'sigstore/sigstore-js' } }] })).toEqual([
      'gha-sigstore-js-release-2.0.0',
    ]);
  });
  it('every extension of a real certificate matches itself by name and by OID', () => {
    const e = realEvent(RFC8785);
    for (const [oid, value] of Object.entries(e.certificate!.extensions)) {
      expect(matchRule(e, parseRule({ extensions: [{ oid, value: { type: 'exact', value } }] }))).toEqual([{ field: `extension:${oid}`, value }]);
    }
  });
  it('a conjunction fails when one extension differs', () => {
    expect(
      matching({
        extensions: [
          { name: 'source-repository-uri', value: { type: 'exact', value: 'https://github.com/trailofbits/rfc8785.py' } },
          { name: 'source-repository-ref', value: { type: 'exact', value: 'refs/heads/main' } },
        ],
      }),
    ).toEqual([]);
  });
  it('a custom OID', () => {
    const e = withCert(realEvent(RFC8785), { extensions: { '1.2.3.4.5': 'custom-value' } });
    expect(matchRule(e, parseRule({ extensions: [{ oid: '1.2.3.4.5', value: { type: 'prefix', value: 'custom-' } }] }))).toBeDefined();
  });
});

describe('fingerprints, subjects, digests, kinds, logs', () => {
  it('certificate and public-key fingerprints (case and colons ignored)', () => {
    const e = realEvent('email-thomas-python-org');
    const certFp = e.certificate!.fingerprintSha256;
    expect(certFp).toBe('fc6b235a8fc9c7c38aaa021c8c05e70a20003024e3f36b1037d3ea8a14cf1664');
    expect(matching({ fingerprint: { type: 'exact', value: certFp } })).toEqual(['email-thomas-python-org']);
    expect(matching({ fingerprint: { type: 'exact', value: certFp.toUpperCase().replace(/(..)(?!$)/g, '$1:') } })).toEqual(['email-thomas-python-org']);
    expect(matching({ fingerprint: { type: 'exact', value: e.certificate!.publicKeySha256 } })).toEqual(['email-thomas-python-org']);
  });
  it('non-certificate key subject and fingerprint', () => {
    const keyEvent: SigningEvent = {
      ...realEvent('email-thomas-python-org'),
      certificate: undefined,
      publicKey: { fingerprintSha256: 'ab'.repeat(32), subjects: ['Jane Doe <jane@example.org>'], keyType: 'pgp' },
    } as unknown as SigningEvent;
    delete (keyEvent as { certificate?: unknown }).certificate;
    expect(matchRule(keyEvent, parseRule({ subject: { type: 'glob', value: '*<jane@example.org>' } }))).toEqual([
      { field: 'subject', value: 'Jane Doe <jane@example.org>' },
    ]);
    expect(matchRule(keyEvent, parseRule({ fingerprint: { type: 'exact', value: 'AB'.repeat(32) } }))).toBeDefined();
    expect(matchRule(keyEvent, parseRule({ san: { type: 'regex', value: '.*' } }))).toBeUndefined();
  });
  it('artifact digest', () => {
    expect(matching({ digest: { type: 'exact', value: 'c4e92e9ecc828bef2aa7dba1de8ac983511f7532a0df11c770d39099a25cf201' } })).toEqual([RFC8785]);
    // the 2022 certificate and the 2024 intoto bundle signed the same payload hash
    expect(matching({ digest: { type: 'prefix', value: '68e656b251e67e83' } })).toContain('email-brian-dehamer-2022-ctfe-test');
  });
  it('entry kinds and logs narrow a rule', () => {
    const all = { san: { type: 'regex', value: '.+' } } as const;
    expect(matching({ ...all, kinds: ['intoto'] })).toEqual(['email-brian-dehamer', 'gha-sigstore-js-release-2.0.0']);
    expect(matching({ ...all, logs: ['rekor.sigstage.dev - 8202293616175992157'] })).toEqual(['staging-email-alexis-challande']);
    expect(matching({ ...all, logs: ['ct'] })).toEqual([]);
    expect(matching({ ...all, logs: ['rekor-v1'] })).toHaveLength(realEvents().length);
  });
  it('disabled rules never match', () => {
    expect(matching({ san: { type: 'exact', value: RFC8785_SAN }, enabled: false })).toEqual([]);
  });
});

describe('validation', () => {
  const codeOf = (input: unknown): [string, string] => {
    try {
      parseRule(input);
    } catch (err) {
      expect(err).toBeInstanceOf(RuleError);
      return [(err as RuleError).code, (err as RuleError).field];
    }
    throw new Error('expected a RuleError');
  };
  it('a regex RE2 cannot compile names the field', () => {
    expect(codeOf({ san: { type: 'regex', value: '(unclosed' } })).toEqual(['INVALID_PATTERN', 'san.value']);
    expect(codeOf({ issuers: [{ type: 'exact', value: 'x' }, { type: 'regex', value: '(a)\\1' }] })).toEqual(['INVALID_PATTERN', 'issuers.1.value']);
    expect(codeOf({ san: { type: 'regex', value: '(?<=a)b' } })).toEqual(['INVALID_PATTERN', 'san.value']);
    expect(codeOf({ extensions: [{ name: 'build-trigger', value: { type: 'regex', value: '[z-a]' } }] })).toEqual(['INVALID_PATTERN', 'extensions.0.value.value']);
  });
  it('patterns longer than 256 characters are refused', () => {
    expect(codeOf({ san: { type: 'regex', value: 'a'.repeat(257) } })).toEqual(['INVALID_PATTERN', 'san.value']);
    expect(() => parseRule({ san: { type: 'regex', value: 'a'.repeat(256) } })).not.toThrow();
    expect(() => parseRule({ san: { type: 'exact', value: 'a'.repeat(1000) } })).not.toThrow();
  });
  it('unknown extension names, bad OIDs, unknown keys, empty values', () => {
    expect(codeOf({ extensions: [{ name: 'repo', value: { type: 'exact', value: 'x' } }] })).toEqual(['UNKNOWN_EXTENSION', 'extensions.0.name']);
    expect(codeOf({ extensions: [{ oid: '1.3.6.1.4.1.57264.1.', value: { type: 'exact', value: 'x' } }] })[1]).toBe('extensions.0.oid');
    expect(codeOf({ san: { type: 'exact', value: 'a' }, colour: 'red' })[0]).toBe('INVALID_RULE');
    expect(codeOf({ san: { type: 'exact', value: '' } })).toEqual(['INVALID_RULE', 'san.value']);
    expect(codeOf({ san: { type: 'fuzzy', value: 'a' } })).toEqual(['INVALID_RULE', 'san.type']);
  });
  it('kinds or logs alone are refused', () => {
    expect(codeOf({ kinds: ['hashedrekord'] })).toEqual(['NO_IDENTITY_CONDITION', '']);
  });
});

describe('matchRules', () => {
  it('returns subscription, rule, field and value of the first condition', () => {
    const e = realEvent(RFC8785);
    const rule = parseRule({
      issuers: [{ type: 'exact', value: GHA }],
      extensions: [{ name: 'source-repository-uri', value: { type: 'exact', value: 'https://github.com/trailofbits/rfc8785.py' } }],
    });
    expect(matchRules(e, [{ subscriptionId: 's1', ruleId: 'r1', rule }])).toEqual([
      {
        subscriptionId: 's1',
        ruleId: 'r1',
        field: 'extension:1.3.6.1.4.1.57264.1.12',
        value: 'https://github.com/trailofbits/rfc8785.py',
        matched: [
          { field: 'extension:1.3.6.1.4.1.57264.1.12', value: 'https://github.com/trailofbits/rfc8785.py' },
          { field: 'issuer', value: GHA },
        ],
      },
    ]);
  });
});
