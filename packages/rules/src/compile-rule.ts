/**
 * A rule compiled once for evaluation: its conditions in a fixed order, each a field plus one or more
 * value matchers (any of them may match). Both the naive matcher (match.ts) and the index
 * (rule-index.ts) evaluate rules through `evaluateRule`, so they agree on what a match is.
 */
import { extensionField, writeFieldValues, type FieldKey } from './event-fields.js';
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

/** A rule's conditions, uncompiled, in evaluation order (fingerprints and digests normalised). */
export interface RuleCondition {
  readonly field: FieldKey;
  readonly matchers: readonly ValueMatcher[];
}

export function ruleConditions(rule: Rule): RuleCondition[] {
  const conditions: RuleCondition[] = [];
  if (rule.san !== undefined) conditions.push({ field: 'san', matchers: [rule.san] });
  for (const ext of rule.extensions ?? []) conditions.push({ field: extensionField(extensionOid(ext)), matchers: [ext.value] });
  if (rule.fingerprint !== undefined) conditions.push({ field: 'fingerprint', matchers: [fingerprintNormalized(rule.fingerprint)] });
  if (rule.subject !== undefined) conditions.push({ field: 'subject', matchers: [rule.subject] });
  if (rule.digest !== undefined) conditions.push({ field: 'digest', matchers: [hexNormalized(rule.digest)] });
  if (rule.issuers !== undefined) conditions.push({ field: 'issuer', matchers: rule.issuers });
  if (rule.kinds !== undefined) conditions.push({ field: 'kind', matchers: rule.kinds.map((value) => ({ type: 'exact', value })) });
  if (rule.logs !== undefined) conditions.push({ field: 'log', matchers: rule.logs.map((value) => ({ type: 'exact', value })) });
  return conditions;
}

export function compileRule(rule: Rule): CompiledRule {
  return { rule, conditions: ruleConditions(rule).map((c) => ({ field: c.field, matchers: c.matchers.map(compileValueMatcher) })) };
}

/** Scratch for the field's values and for each condition's satisfying value (evaluation is synchronous). */
const valuesScratch: string[] = [];
const satisfied: string[] = [];

/** The first value of `field` in `event` that one of `matchers` accepts. */
export function matchCondition(event: SigningEvent, condition: CompiledCondition): string | undefined {
  const values = valuesScratch;
  const n = writeFieldValues(event, condition.field, values, 0);
  const matchers = condition.matchers;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    for (let j = 0; j < matchers.length; j++) if (matchers[j]!.test(v)) return v;
  }
  return undefined;
}

/**
 * All conditions hold → the value that satisfied each (in condition order); otherwise undefined.
 * Nothing is allocated unless the rule matches: the index evaluates its candidates here, most of which
 * do not match.
 */
export function evaluateRule(compiled: CompiledRule, event: SigningEvent): MatchedValue[] | undefined {
  if (compiled.rule.enabled === false) return undefined;
  const conditions = compiled.conditions;
  for (let i = 0; i < conditions.length; i++) {
    const value = matchCondition(event, conditions[i]!);
    if (value === undefined) return undefined;
    satisfied[i] = value;
  }
  const matched: MatchedValue[] = [];
  for (let i = 0; i < conditions.length; i++) matched.push({ field: conditions[i]!.field, value: satisfied[i]! });
  return matched;
}
