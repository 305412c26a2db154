import fc from 'fast-check';
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { matchRule } from './match.js';
import { importRekorMonitorValues, importRekorMonitorYaml, type RekorMonitorImport } from './rekor-monitor-import.js';
import { RuleError } from './rule-error.js';
import type { SigningEvent } from './signing-event.js';
import { realEvent, realEvents } from './testing/real-events.js';

/**
 * A small reference of rekor-monitor's matching (pkg/identity CertMatchesPolicy, MatchLogEntrySubject,
 * MatchLogEntryFingerprint, OIDMatchesPolicy): Go RE2 `MatchString` is an unanchored search, which is
 * re2js's `test`. Returns the YAML paths of the monitored values that match the event.
 */
function rekorMonitorMatches(config: {
  certIdentities?: Array<{ certSubject: string; issuers?: string[] }>;
  subjects?: string[];
  fingerprints?: string[];
  oid?: Array<{ oid: string; values: string[] }>;
}, e: SigningEvent): Set<string> {
  const out = new Set<string>();
  const find = (re: string, s: string): boolean => RE2JS.compile(re).test(s);
  const cert = e.certificate;
  const sans = cert?.sans.map((s) => s.value) ?? [];
  config.certIdentities?.forEach((ci, i) => {
    if (cert === undefined || cert.issuer === undefined || cert.issuer === '') return;
    const sub = sans.some((s) => find(ci.certSubject, s));
    const iss = (ci.issuers ?? []).length === 0 || (ci.issuers ?? []).some((r) => find(r, cert.issuer!));
    if (sub && iss) out.add(`certIdentities[${i}]`);
  });
  config.subjects?.forEach((r, i) => {
    const subjects = [...(e.publicKey?.subjects ?? []), ...sans]; // x509 Subjects() = the SANs
    if (subjects.some((s) => find(r, s))) out.add(`subjects[${i}]`);
  });
  config.fingerprints?.forEach((fp, i) => {
    const fps = [cert?.fingerprintSha256, cert?.publicKeySha256, e.publicKey?.fingerprintSha256];
    if (fps.includes(fp)) out.add(`fingerprints[${i}]`);
  });
  config.oid?.forEach((m) => {
    const v = cert?.extensions[m.oid];
    if (v !== undefined && v !== '' && m.values.includes(v)) out.add(`oid:${m.oid}`);
  });
  return out;
}

/** Which sources of an import match the event (`subjects[0]#san` counts as `subjects[0]`). */
function importMatches(imp: RekorMonitorImport, e: SigningEvent): Set<string> {
  const out = new Set<string>();
  for (const r of imp.rules) {
    if (matchRule(e, r.rule) === undefined) continue;
    if (r.id.startsWith('oidMatchers')) out.add(`oid:${r.rule.extensions![0]!.oid!}`);
    else out.add(r.id.replace(/#san$/, ''));
  }
  return out;
}

function withSans(e: SigningEvent, values: string[]): SigningEvent {
  return { ...e, certificate: { ...e.certificate!, sans: values.map((value) => ({ type: value.includes('@') ? 'email' : 'uri', value })) } };
}

const CONFIG = `
# a rekor-monitor config as its README shows it
startIndex: 1000
monitoredValues:
  certIdentities:
    - certSubject: user@x\\.com
    - certSubject: ^https://github\\.com/trailofbits/
      issuers:
        - https://token\\.actions\\.githubusercontent\\.com
    - certSubject: ^brian@dehamer\\.com$
      issuers: [ "^https://github\\\\.com/login/oauth$" ]
    - certSubject: "@python\\\\.org$"
    - certSubject: sigstore-(js|python)
  fingerprints:
    - fc6b235a8fc9c7c38aaa021c8c05e70a20003024e3f36b1037d3ea8a14cf1664
    - SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG
  subjects:
    - a@tny\\.town
  oidMatchers:
    fulcioExtensions:
      build-trigger: [workflow_dispatch]
      issuer: [https://accounts.google.com]
    customExtensions:
      - objectIdentifier: 1.3.6.1.4.1.57264.1.12
        extensionValues: [https://github.com/sigstore/sigstore-js]
    oidExtensions:
      - objectIdentifier: [1, 3, 6, 1, 4, 1, 57264, 1, 5]
        extensionValues: [trailofbits/rfc8785.py]
`;
const CONFIG_REF = {
  certIdentities: [
    { certSubject: 'user@x\\.com' },
    { certSubject: '^https://github\\.com/trailofbits/', issuers: ['https://token\\.actions\\.githubusercontent\\.com'] },
    { certSubject: '^brian@dehamer\\.com$', issuers: ['^https://github\\.com/login/oauth$'] },
    { certSubject: '@python\\.org$' },
    { certSubject: 'sigstore-(js|python)' },
  ],
  fingerprints: ['fc6b235a8fc9c7c38aaa021c8c05e70a20003024e3f36b1037d3ea8a14cf1664', 'SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG'],
  subjects: ['a@tny\\.town'],
  oid: [
    { oid: '1.3.6.1.4.1.57264.1.5', values: ['trailofbits/rfc8785.py'] },
    { oid: '1.3.6.1.4.1.57264.1.20', values: ['workflow_dispatch'] },
    { oid: '1.3.6.1.4.1.57264.1.1', values: ['https://accounts.google.com'] },
    { oid: '1.3.6.1.4.1.57264.1.8', values: ['https://accounts.google.com'] },
    { oid: '1.3.6.1.4.1.57264.1.12', values: ['https://github.com/sigstore/sigstore-js'] },
  ],
};

function testEvents(): SigningEvent[] {
  const base = realEvent('email-a-tny-town');
  return [
    ...realEvents().map((r) => r.event),
    withSans(base, ['user@x.com']),
    withSans(base, ['evil-user@x.com']),
    withSans(base, ['user@x.com.evil.org']),
    withSans(realEvent('gha-trailofbits-rfc8785py-release-v0.1.2'), ['https://github.com/sigstore/sigstore-js/.github/workflows/x.yml@refs/heads/main']),
    withSans(realEvent('gha-sigstore-js-release-2.0.0'), ['https://github.com/evil/sigstore-python-fork/.github/workflows/x.yml@refs/heads/main']),
  ];
}

describe('rekor-monitor import', () => {
  const imp = importRekorMonitorYaml(CONFIG);

  it('translates each monitored value into explicit rules', () => {
    const byId = Object.fromEntries(imp.rules.map((r) => [r.id, r.rule]));
    expect(byId['certIdentities[0]']?.san).toEqual({ type: 'exact', value: 'user@x.com' });
    expect(byId['certIdentities[1]']).toMatchObject({
      san: { type: 'prefix', value: 'https://github.com/trailofbits/' },
      issuers: [{ type: 'exact', value: 'https://token.actions.githubusercontent.com' }],
    });
    expect(byId['certIdentities[2]']).toMatchObject({ san: { type: 'exact', value: 'brian@dehamer.com' }, issuers: [{ type: 'exact', value: 'https://github.com/login/oauth' }] });
    expect(byId['certIdentities[3]']?.san).toEqual({ type: 'regex', value: '(?s:.*)@python\\.org' });
    expect(byId['certIdentities[4]']?.san).toEqual({ type: 'regex', value: 'sigstore-(js|python)' });
    expect(byId['fingerprints[0]']?.fingerprint).toEqual({ type: 'exact', value: 'fc6b235a8fc9c7c38aaa021c8c05e70a20003024e3f36b1037d3ea8a14cf1664' });
    expect(byId['subjects[0]']?.subject).toEqual({ type: 'exact', value: 'a@tny.town' });
    expect(byId['subjects[0]#san']?.san).toEqual({ type: 'exact', value: 'a@tny.town' });
    expect(imp.rules.filter((r) => r.id.startsWith('oidMatchers'))).toHaveLength(5);
  });

  it('reports every place where anchoring changed the meaning, and only those', () => {
    const changed = imp.notes.filter((n) => n.kind === 'anchoring-changed').map((n) => n.source).sort();
    expect(changed).toEqual(['certIdentities[0].certSubject', 'certIdentities[1].issuers[0]', 'certIdentities[4].certSubject', 'subjects[0]']);
    const note = imp.notes.find((n) => n.source === 'certIdentities[0].certSubject')!;
    expect(note.message).toContain('evil-user@x.com');
    expect(imp.notes.find((n) => n.source === 'fingerprints[1]')?.kind).toBe('skipped');
  });

  it('matches what rekor-monitor matches, except where anchoring is reported (then a subset)', () => {
    const changed = new Set(imp.notes.filter((n) => n.kind === 'anchoring-changed').map((n) => n.source.replace(/\..*$/, '')));
    let agreed = 0;
    for (const e of testEvents()) {
      const rm = rekorMonitorMatches(CONFIG_REF, e);
      const ours = importMatches(imp, e);
      for (const s of new Set([...rm, ...ours])) {
        if (changed.has(s)) expect(!ours.has(s) || rm.has(s), `${s} matched only after import`).toBe(true);
        else {
          expect(ours.has(s), `${s} on ${JSON.stringify(e.certificate?.sans)}`).toBe(rm.has(s));
          agreed++;
        }
      }
    }
    expect(agreed).toBeGreaterThan(8);
    // the point of anchoring
    const evil = testEvents()[realEvents().length + 1]!;
    expect(rekorMonitorMatches(CONFIG_REF, evil).has('certIdentities[0]')).toBe(true);
    expect(importMatches(imp, evil).has('certIdentities[0]')).toBe(false);
  });

  it('preserve mode reproduces rekor-monitor exactly', () => {
    const kept = importRekorMonitorYaml(CONFIG, { anchoring: 'preserve' });
    expect(kept.notes.some((n) => n.kind === 'anchoring-changed')).toBe(false);
    for (const e of testEvents()) {
      const rm = [...rekorMonitorMatches(CONFIG_REF, e)].filter((s) => s !== 'fingerprints[1]').sort();
      expect([...importMatches(kept, e)].sort()).toEqual(rm);
    }
  });

  it('equals rekor-monitor on random patterns: preserve exactly, strict as a reported subset (property)', () => {
    const part = fc.constantFrom('a', 'b', '@', '\\.', '.', '.*', 'a+', '[ab]', '(a|b)', '^', '$', '|');
    const pattern = fc.array(part, { minLength: 1, maxLength: 5 }).map((xs) => xs.join(''));
    const san = fc.stringMatching(/^[ab@.]{0,6}$/);
    const base = realEvent('email-a-tny-town');
    fc.assert(
      fc.property(pattern, fc.array(san, { minLength: 1, maxLength: 8 }), (p, sans) => {
        try {
          RE2JS.compile(p);
        } catch {
          return;
        }
        const cfg = { certIdentities: [{ certSubject: p }] };
        const strict = importRekorMonitorValues(cfg);
        const kept = importRekorMonitorValues(cfg, { anchoring: 'preserve' });
        const reported = strict.notes.some((n) => n.kind === 'anchoring-changed');
        if (strict.rules.length === 0) return; // skipped (reported)
        for (const s of sans) {
          const e = withSans(base, [s]);
          const rm = rekorMonitorMatches(cfg, e).size > 0;
          expect(importMatches(kept, e).size > 0, `preserve ${p} on ${s}`).toBe(rm);
          const ours = importMatches(strict, e).size > 0;
          if (reported) expect(!ours || rm, `strict ${p} on ${s}`).toBe(true);
          else expect(ours, `strict ${p} on ${s} (no report)`).toBe(rm);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('refuses input that is not a rekor-monitor config', () => {
    expect(() => importRekorMonitorYaml('a: [')).toThrow(RuleError);
    expect(() => importRekorMonitorYaml('foo: 1')).toThrow(/certIdentities/);
    expect(() => importRekorMonitorYaml('certIdentities: [{ issuers: [x] }]')).toThrow(/certSubject/);
    expect(() => importRekorMonitorYaml('oidMatchers: { oidExtensions: [{ objectIdentifier: "1.2" }] }')).toThrow(/list of integers/);
  });

  it('reports overridden OID lists and the extensions rekor-monitor does not know', () => {
    const r = importRekorMonitorYaml(`
oidMatchers:
  oidExtensions:
    - objectIdentifier: [1, 3, 6, 1, 4, 1, 57264, 1, 20]
      extensionValues: [push]
  fulcioExtensions:
    build-trigger: [release]
    token-subject: [repo:o/r:ref:refs/heads/main]
`);
    expect(r.notes.map((n) => n.kind).sort()).toEqual(['overridden', 'semantics']);
    expect(r.rules.map((x) => x.rule.extensions![0]!.value.value).sort()).toEqual(['release', 'repo:o/r:ref:refs/heads/main']);
  });
});

describe('YAML nesting guard', () => {
  it('refuses absurdly nested YAML with a RuleError instead of letting the parser exhaust the stack', async () => {
    const { importRekorMonitorYaml: load } = await import('./rekor-monitor-import.js');
    const deep = `monitoredValues:\n  certIdentities: ${'['.repeat(5_000)}${']'.repeat(5_000)}\n`;
    expect(() => load(deep)).toThrow(/nested more than 32 levels/);
    expect(() => load(`x:\n${' '.repeat(200)}y: 1\n`)).toThrow(/indented more than/);
  });
});
