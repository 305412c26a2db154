import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchRules, type RuleMatch } from './match.js';
import { RuleIndex } from './rule-index.js';
import { parseRule, type Rule, type RuleRecord } from './schema.js';
import type { SigningEvent } from './signing-event.js';
import { realEvent, realEvents } from './testing/real-events.js';
import type { ValueMatcher } from './value-matcher.js';

const sorted = (ms: RuleMatch[]): RuleMatch[] =>
  [...ms].sort((a, b) => (a.subscriptionId + '\0' + a.ruleId).localeCompare(b.subscriptionId + '\0' + b.ruleId));

// --- random rules and events over a small alphabet, so that matches, near-misses and shared prefixes are common
const text = fc.stringMatching(/^[ab/.@]{1,3}$/);
// ('/ab/' and '@ab\\.' carry a whole word, so the word index is exercised often enough)
const regexPart = fc.constantFrom('a', 'b', '/', '@', '\\.', '.', '.*', '[ab]', 'a+', 'b?', '(a|b)', '(?:ab)*', '\\w', '/ab/', '@ab\\.');
const regex = fc.array(regexPart, { minLength: 1, maxLength: 5 }).map((xs) => xs.join(''));
const globPart = fc.constantFrom('a', 'b', '/', '@', '.', '*', '**', '?');
const glob = fc.array(globPart, { minLength: 1, maxLength: 5 }).map((xs) => xs.join(''));
const matcher: fc.Arbitrary<ValueMatcher> = fc.oneof(
  text.map((value) => ({ type: 'exact' as const, value })),
  text.map((value) => ({ type: 'prefix' as const, value })),
  glob.map((value) => ({ type: 'glob' as const, value })),
  regex.map((value) => ({ type: 'regex' as const, value })),
);
const OIDS = ['1.3.6.1.4.1.57264.1.12', '1.3.6.1.4.1.57264.1.15', '1.2.3.4'];
const conditionArbs = {
  san: matcher,
  issuers: fc.array(matcher, { minLength: 1, maxLength: 2 }),
  extensions: fc.array(fc.record({ oid: fc.constantFrom(...OIDS), value: matcher }), { minLength: 1, maxLength: 2 }),
  fingerprint: matcher,
  subject: matcher,
  digest: matcher,
  kinds: fc.subarray(['hashedrekord', 'dsse'], { minLength: 1 }),
  logs: fc.subarray(['rekor-v1', 'ct', 'log-a'], { minLength: 1 }),
};
type ConditionKey = keyof typeof conditionArbs;
const IDENTITY: ConditionKey[] = ['san', 'issuers', 'extensions', 'fingerprint', 'subject', 'digest'];
/** One identity condition, sometimes a second condition of any kind: rules that can actually match. */
const ruleArb: fc.Arbitrary<Rule> = fc
  .tuple(fc.constantFrom(...IDENTITY), fc.option(fc.constantFrom(...(Object.keys(conditionArbs) as ConditionKey[])), { nil: undefined }), fc.boolean(), fc.boolean())
  .chain(([first, second, enabled, setEnabled]) => {
    const keys = second === undefined || second === first ? [first] : [first, second];
    const parts = Object.fromEntries(keys.map((k) => [k, conditionArbs[k] as fc.Arbitrary<unknown>]));
    return fc.record(parts).map((r) => parseRule(setEnabled ? { ...r, enabled } : r));
  });

const eventArb: fc.Arbitrary<SigningEvent> = fc
  .record({
    sans: fc.array(text, { maxLength: 2 }),
    issuer: fc.option(text, { nil: undefined }),
    ext: fc.dictionary(fc.constantFrom(...OIDS), text),
    fps: fc.array(text, { minLength: 3, maxLength: 3 }),
    subjects: fc.array(text, { maxLength: 2 }),
    digests: fc.array(text, { maxLength: 2 }),
    kind: fc.constantFrom('hashedrekord', 'dsse'),
    log: fc.constantFrom('rekor-v1', 'ct'),
    hasCert: fc.boolean(),
  })
  .map((e) => {
    const base = realEvent('email-a-tny-town');
    return {
      ...base,
      kind: e.kind,
      log: { origin: e.log === 'ct' ? 'log-a' : 'log-b', kind: e.log === 'ct' ? 'ct' : 'rekor-v1' },
      digests: e.digests.map((value) => ({ algorithm: 'sha256', value })),
      ...(e.hasCert
        ? {
            certificate: {
              ...base.certificate!,
              sans: e.sans.map((value) => ({ type: 'email' as const, value })),
              ...(e.issuer === undefined ? { issuer: undefined } : { issuer: e.issuer }),
              extensions: e.ext,
              fingerprintSha256: e.fps[0]!,
              publicKeySha256: e.fps[1]!,
            },
          }
        : { certificate: undefined }),
      publicKey: { fingerprintSha256: e.fps[2]!, subjects: e.subjects },
    } as SigningEvent;
  });

const recordsArb = fc
  .array(fc.array(ruleArb, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 25 })
  .map((subs) => subs.flatMap((rules, s) => rules.map((rule, r): RuleRecord => ({ subscriptionId: `s${s}`, ruleId: `r${r}`, rule }))));

describe('RuleIndex', () => {
  it('gives exactly the naive matcher’s results (property)', () => {
    let matches = 0;
    const filed = { exact: 0, prefix: 0, token: 0, gram: 0, scan: 0 };
    fc.assert(
      fc.property(recordsArb, fc.array(eventArb, { minLength: 1, maxLength: 10 }), (records, events) => {
        const index = RuleIndex.build(records);
        const st = index.stats();
        for (const k of ['exact', 'prefix', 'token', 'gram', 'scan'] as const) filed[k] += st[k];
        for (const e of events) {
          const got = sorted(index.match(e));
          expect(got).toEqual(sorted(matchRules(e, records)));
          matches += got.length;
        }
      }),
      { numRuns: 400 },
    );
    // the generators must exercise every structure and produce real matches, or the property proves little
    expect(matches).toBeGreaterThan(200);
    for (const n of Object.values(filed)) expect(n).toBeGreaterThan(10);
  });

  it('stays equivalent through incremental remove, replace and re-add (property)', () => {
    fc.assert(
      fc.property(recordsArb, fc.array(fc.nat(30), { maxLength: 8 }), fc.array(eventArb, { minLength: 1, maxLength: 5 }), (records, ops, events) => {
        const index = RuleIndex.build(records);
        let live = [...records];
        for (const [i, n] of ops.entries()) {
          const sub = `s${n % 26}`;
          if (i % 3 === 2) {
            // replace with the rules of another subscription, re-labelled
            const donor = records.filter((r) => r.subscriptionId === `s${(n + 1) % 26}`).map((r) => ({ ...r, subscriptionId: sub }));
            index.replace(sub, donor);
            live = [...live.filter((r) => r.subscriptionId !== sub), ...donor];
          } else {
            index.remove(sub);
            live = live.filter((r) => r.subscriptionId !== sub);
          }
        }
        for (const e of events) expect(sorted(index.match(e))).toEqual(sorted(matchRules(e, live)));
        expect(index.stats().rules).toBe(live.filter((r) => r.rule.enabled !== false).length);
      }),
      { numRuns: 200 },
    );
  });

  it('files rules under hash maps, the trie, words, grams, or the scan list', () => {
    const index = RuleIndex.build([
      { subscriptionId: 'a', ruleId: '1', rule: parseRule({ san: { type: 'exact', value: 'x@y.z' } }) },
      { subscriptionId: 'b', ruleId: '1', rule: parseRule({ san: { type: 'prefix', value: 'https://github.com/acme/' } }) },
      { subscriptionId: 'c', ruleId: '1', rule: parseRule({ san: { type: 'regex', value: 'https://github\\.com/acme/[^/]+/\\.github/.*' } }) },
      { subscriptionId: 'd', ruleId: '1', rule: parseRule({ san: { type: 'regex', value: '.*@acme-corp\\.com' } }) },
      { subscriptionId: 'e', ruleId: '1', rule: parseRule({ san: { type: 'regex', value: '(?i)X@Y\\.Z' } }) },
      { subscriptionId: 'g', ruleId: '1', rule: parseRule({ san: { type: 'regex', value: '.*xyzzy.*' } }) },
      { subscriptionId: 'f', ruleId: '1', rule: parseRule({ issuers: [{ type: 'exact', value: 'https://accounts.google.com' }], san: { type: 'regex', value: '.*' } }) },
    ]);
    expect(index.stats()).toEqual({ subscriptions: 7, rules: 7, exact: 2, prefix: 2, token: 1, gram: 1, scan: 1 });
    expect(index.remove('c')).toBe(1);
    expect(index.remove('c')).toBe(0);
    expect(index.stats()).toMatchObject({ subscriptions: 6, rules: 6, prefix: 1 });
  });

  it('matches the real certificates like the naive matcher', () => {
    const rules: Array<[string, Rule]> = [
      ['gha', parseRule({ san: { type: 'prefix', value: 'https://github.com/trailofbits/' } })],
      ['mail', parseRule({ san: { type: 'regex', value: '[a-z.]+@(dehamer\\.com|python\\.org)' } })],
      ['beacon', parseRule({ extensions: [{ name: 'source-repository-uri', value: { type: 'glob', value: 'https://github.com/sigstore-conformance/*' } }] })],
      ['google', parseRule({ issuers: [{ type: 'exact', value: 'https://accounts.google.com' }] })],
    ];
    const records = rules.map(([id, rule]) => ({ subscriptionId: id, ruleId: 'r', rule }));
    const index = RuleIndex.build(records);
    let total = 0;
    for (const { event } of realEvents()) {
      const got = sorted(index.match(event));
      expect(got).toEqual(sorted(matchRules(event, records)));
      total += got.length;
    }
    expect(total).toBe(1 + 3 + 2 + 2);
  });
});
