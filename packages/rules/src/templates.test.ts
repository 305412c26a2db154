import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { lintRule } from './lint.js';
import { matchRule } from './match.js';
import { RuleError } from './rule-error.js';
import { parseRule, type Rule } from './schema.js';
import {
  emailRules,
  githubRepositoryRules,
  githubWorkflowRules,
  gitlabProjectRules,
  keyFingerprintRules,
  rulesFromTemplate,
} from './templates.js';
import { realEvent, realEvents } from './testing/real-events.js';
import type { SigningEvent } from './signing-event.js';

const hits = (rules: Rule[]): string[] =>
  realEvents()
    .filter((r) => rules.some((rule) => matchRule(r.event, rule) !== undefined))
    .map((r) => r.name)
    .sort();

function renamed(e: SigningEvent, uri: string): SigningEvent {
  return { ...e, certificate: { ...e.certificate!, extensions: { ...e.certificate!.extensions, '1.3.6.1.4.1.57264.1.12': uri } } };
}

describe('templates', () => {
  it('GitHub repository: by URI, and by the immutable ids after a rename', () => {
    const rules = githubRepositoryRules({ repository: 'trailofbits/rfc8785.py', repositoryId: '768213997', ownerId: '2314423' });
    expect(rules).toHaveLength(2);
    expect(hits(rules)).toEqual(['gha-trailofbits-rfc8785py-release-v0.1.2']);
    const moved = renamed(realEvent('gha-trailofbits-rfc8785py-release-v0.1.2'), 'https://github.com/trailofbits/rfc8785');
    expect(matchRule(moved, rules[0]!)).toBeUndefined();
    expect(matchRule(moved, rules[1]!)).toBeDefined();
    expect(hits(githubRepositoryRules({ repository: 'https://github.com/sigstore/sigstore-js.git' }))).toEqual(['gha-sigstore-js-release-2.0.0']);
    // a look-alike repository name never matches
    expect(hits(githubRepositoryRules({ repository: 'sigstore/sigstore' }))).toEqual([]);
  });
  it('GitHub workflow file, any ref or one ref', () => {
    expect(hits(githubWorkflowRules({ repository: 'sigstore-conformance/extremely-dangerous-public-oidc-beacon', workflow: 'extremely-dangerous-oidc-beacon.yml' }))).toEqual([
      'gha-conformance-beacon-main',
      'staging-gha-conformance-beacon',
    ]);
    expect(hits(githubWorkflowRules({ repository: 'trailofbits/rfc8785.py', workflow: '.github/workflows/release.yml', ref: 'refs/tags/v0.1.2' }))).toEqual([
      'gha-trailofbits-rfc8785py-release-v0.1.2',
    ]);
    expect(hits(githubWorkflowRules({ repository: 'trailofbits/rfc8785.py', workflow: 'release.yml', ref: 'refs/tags/v0.1.3' }))).toEqual([]);
  });
  it('e-mail with issuer', () => {
    expect(hits(emailRules({ email: 'brian@dehamer.com', issuer: 'https://github.com/login/oauth' }))).toEqual([
      'email-brian-dehamer',
      'email-brian-dehamer-2022-ctfe-test',
    ]);
    expect(hits(emailRules({ email: 'thomas@python.org', issuer: 'https://github.com/login/oauth' }))).toEqual([]);
  });
  it('GitLab project (source repository URI + issuer)', () => {
    const [rule] = gitlabProjectRules({ project: 'group/sub/project' });
    const base = realEvent('gha-sigstore-js-release-2.0.0');
    const gitlab: SigningEvent = {
      ...base,
      certificate: {
        ...base.certificate!,
        issuer: 'https://gitlab.com',
        sans: [{ type: 'uri', value: 'https://gitlab.com/group/sub/project//.gitlab-ci.yml@refs/heads/main' }],
        extensions: { '1.3.6.1.4.1.57264.1.8': 'https://gitlab.com', '1.3.6.1.4.1.57264.1.12': 'https://gitlab.com/group/sub/project' },
      },
    };
    expect(matchRule(gitlab, rule!)).toBeDefined();
    expect(matchRule(renamed(gitlab, 'https://gitlab.com/group/sub/project-other'), rule!)).toBeUndefined();
  });
  it('key fingerprint in the usual spellings', () => {
    const fp = realEvent('email-a-tny-town').certificate!.publicKeySha256;
    for (const spelling of [fp, fp.toUpperCase(), `sha256:${fp}`, fp.replace(/(..)(?!$)/g, '$1:')]) {
      expect(hits(keyFingerprintRules({ fingerprint: spelling }))).toEqual(['email-a-tny-town']);
    }
  });
  it('OpenPGP and OpenSSH fingerprints as their tools print them match the key event that carries them', () => {
    const pgp = createHash('sha1').update('a pgp key packet').digest('hex');
    const ssh = `SHA256:${createHash('sha256').update('an ssh key blob').digest('base64').replace(/=+$/, '')}`;
    const event = (fingerprint: string): SigningEvent => {
      const { certificate: _, ...rest } = realEvent('email-a-tny-town');
      return { ...rest, publicKey: { fingerprintSha256: createHash('sha256').update(fingerprint).digest('hex'), subjects: [], keyType: 'pgp', fingerprint } };
    };
    const gpgSpelling = pgp.toUpperCase().replace(/(.{4})(?!$)/g, '$1 '); // as `gpg --fingerprint` prints it
    for (const spelling of [pgp, gpgSpelling]) {
      const [rule] = keyFingerprintRules({ fingerprint: spelling });
      expect(matchRule(event(pgp), rule!)).toBeDefined();
      expect(matchRule(event(createHash('sha1').update('another key').digest('hex')), rule!)).toBeUndefined();
    }
    const [sshRule] = keyFingerprintRules({ fingerprint: ssh });
    expect(matchRule(event(ssh), sshRule!)).toBeDefined();
    // Base64 is case-sensitive: a key whose fingerprint differs only in case is another key.
    expect(matchRule(event(`SHA256:${ssh.slice(7).toLowerCase()}`), sshRule!)).toBeUndefined();
  });
  it('refuses inputs it cannot turn into a correct rule, naming the field', () => {
    const fieldOf = (f: () => unknown): string => {
      try {
        f();
      } catch (err) {
        expect(err).toBeInstanceOf(RuleError);
        expect((err as RuleError).code).toBe('INVALID_TEMPLATE_INPUT');
        return (err as RuleError).field;
      }
      throw new Error('expected an error');
    };
    expect(fieldOf(() => githubRepositoryRules({ repository: 'just-a-name' }))).toBe('repository');
    expect(fieldOf(() => githubRepositoryRules({ repository: 'o/r', repositoryId: '12' }))).toBe('ownerId');
    expect(fieldOf(() => githubWorkflowRules({ repository: 'o/r', workflow: 'build.sh' }))).toBe('workflow');
    expect(fieldOf(() => githubWorkflowRules({ repository: 'o/r', workflow: 'a.yml', ref: 'main' }))).toBe('ref');
    expect(fieldOf(() => emailRules({ email: 'nobody', issuer: 'https://accounts.google.com' }))).toBe('email');
    expect(fieldOf(() => keyFingerprintRules({ fingerprint: 'SHA256:abcdef' }))).toBe('fingerprint');
    expect(fieldOf(() => gitlabProjectRules({ project: 'single' }))).toBe('project');
  });
  it('dispatches on the template name, and template rules pass lint', () => {
    const rules = rulesFromTemplate({ template: 'github-workflow', repository: 'o/r', workflow: 'release.yml' });
    expect(rules[0]?.san).toEqual({ type: 'prefix', value: 'https://github.com/o/r/.github/workflows/release.yml@' });
    const all = [
      ...rules,
      ...githubRepositoryRules({ repository: 'o/r', repositoryId: '1', ownerId: '2' }),
      ...emailRules({ email: 'a@b.co', issuer: 'https://accounts.google.com' }),
      ...gitlabProjectRules({ project: 'g/p' }),
      ...keyFingerprintRules({ fingerprint: 'ab'.repeat(32) }),
    ];
    for (const r of all) expect(lintRule(r)).toEqual([]);
  });
});

describe('lint', () => {
  const codes = (input: unknown): string[] => lintRule(parseRule(input)).map((w) => `${w.code}@${w.field}`);
  it('warns on unanchored-looking patterns', () => {
    expect(codes({ san: { type: 'regex', value: '.*user@x\\.com' } })).toEqual(['LEADING_WILDCARD@san.value']);
    expect(codes({ san: { type: 'regex', value: 'https://github\\.com/acme/.*' } })).toEqual(['TRAILING_WILDCARD@san.value']);
    expect(codes({ san: { type: 'regex', value: '(?s:.*)@python\\.org' } })).toEqual(['LEADING_WILDCARD@san.value']);
    expect(codes({ san: { type: 'regex', value: 'https://github\\.com/acme/x\\.*' } })).toEqual([]);
  });
  it('warns on an issuer alone', () => {
    expect(codes({ issuers: [{ type: 'exact', value: 'https://token.actions.githubusercontent.com' }] })).toEqual(['ISSUER_ONLY@issuers']);
  });
  it('warns on broad globs and prefixes, and on patterns the index cannot look up', () => {
    expect(codes({ san: { type: 'glob', value: '**' } })).toEqual(['LEADING_WILDCARD@san.value', 'BROAD_PATTERN@san.value', 'UNINDEXED_PATTERN@san.value']);
    expect(codes({ san: { type: 'prefix', value: 'https://github.com/' } })).toEqual(['BROAD_PATTERN@san.value']);
    expect(codes({ extensions: [{ name: 'build-trigger', value: { type: 'regex', value: '(?i)PUSH' } }] })).toEqual(['UNINDEXED_PATTERN@extensions.0.value.value']);
  });
  it('notes an e-mail identity without issuer', () => {
    expect(codes({ san: { type: 'exact', value: 'me@example.org' } })).toEqual(['EMAIL_WITHOUT_ISSUER@san']);
  });
});
