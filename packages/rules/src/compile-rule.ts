/**
 * A rule compiled once for evaluation: its conditions in a fixed order, each a field plus one or more
 * value matchers (any of them may match). Both the naive matcher (match.ts) and the index
 * (rule-index.ts) evaluate rules through `evaluateRule`, so they agree on what a match is.
 */
import { extensionField, fieldValues, type FieldKey } from './event-fields.js';
import { extensionOid, type Rule } from './schema.js';
import type { SigningEvent } from './signing-event.js';
import { compileValueMatcher, type CompiledValueMatcher, type ValueMatcher } from './value-matcher.js';

export interface CompiledCondition {
  readonly field: FieldKey;
  /** The condition holds when one of the field's values matches one of these. */
  readonly matchers: readonly CompiledValueMatcher[];
}

export interface CompiledRule {
  readonly rule: Rule;
  /** In evaluation (and reporting) order: san, extensions, fingerprint, subject, digest, issuer, kind, log. */
  readonly conditions: readonly CompiledCondition[];
}

/** Which value satisfied a condition. */
export interface MatchedValue {
  readonly field: FieldKey;
  readonly value: string;
}

/** Hex fields are compared in lower case without separators (`AB:CD` → `abcd`). */
function hexNormalized(m: ValueMatcher): ValueMatcher {
  if (m.type !== 'exact' && m.type !== 'prefix') return m;
  return { type: m.type, value: m.value.toLowerCase().replace(/[:\s]/g, '') };
}

/** Fingerprints are hex, except OpenSSH's `SHA256:` + base64, which is case-sensitive and kept as given. */
function fingerprintNormalized(m: ValueMatcher): ValueMatcher {
  return /^SHA256:[A-Za-z0-9+/]{43}$/.test(m.value) ? m : hexNormalized(m);
}

export function compileRule(rule: Rule): CompiledRule {
  const conditions: CompiledCondition[] = [];
  const add = (field: FieldKey, matchers: readonly ValueMatcher[]): void => {
    conditions.push({ field, matchers: matchers.map(compileValueMatcher) });
  };
  if (rule.san !== undefined) add('san', [rule.san]);
  for (const ext of rule.extensions ?? []) add(extensionField(extensionOid(ext)), [ext.value]);
  if (rule.fingerprint !== undefined) add('fingerprint', [fingerprintNormalized(rule.fingerprint)]);
  if (rule.subject !== undefined) add('subject', [rule.subject]);
  if (rule.digest !== undefined) add('digest', [hexNormalized(rule.digest)]);
  if (rule.issuers !== undefined) add('issuer', rule.issuers);
  if (rule.kinds !== undefined) add('kind', rule.kinds.map((value) => ({ type: 'exact', value })));
  if (rule.logs !== undefined) add('log', rule.logs.map((value) => ({ type: 'exact', value })));
  return { rule, conditions };
}

/** The first value of `field` in `event` that one of `matchers` accepts. */
export function matchCondition(event: SigningEvent, condition: CompiledCondition): string | undefined {
  for (const v of fieldValues(event, condition.field)) {
    for (const m of condition.matchers) if (m.test(v)) return v;
  }
  return undefined;
}

/** All conditions hold → the value that satisfied each (in condition order); otherwise undefined. */
export function evaluateRule(compiled: CompiledRule, event: SigningEvent): MatchedValue[] | undefined {
  if (compiled.rule.enabled === false) return undefined;
  const matched: MatchedValue[] = [];
  for (const c of compiled.conditions) {
    const value = matchCondition(event, c);
    if (value === undefined) return undefined;
    matched.push({ field: c.field, value });
  }
  return matched;
}
