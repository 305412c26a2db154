/**
 * The pure matcher: every rule tested against one event, no index. Used by the API's preview
 * ("what would this rule have matched?") and as the reference the index is tested against.
 */
import { compileRule, evaluateRule, type CompiledRule, type MatchedValue } from './compile-rule.js';
import type { Rule, RuleRecord } from './schema.js';
import type { SigningEvent } from './signing-event.js';

export interface RuleMatch {
  readonly subscriptionId: string;
  readonly ruleId: string;
  /** The rule's first condition (san, extension, fingerprint, subject, digest, issuer, kind, log order). */
  readonly field: MatchedValue['field'];
  /** The event's value that satisfied that condition. */
  readonly value: string;
  /** Every condition of the rule with the value that satisfied it. */
  readonly matched: readonly MatchedValue[];
}

const compiledCache = new WeakMap<Rule, CompiledRule>();

/** Compile a rule once per rule object. */
export function compiledRuleFor(rule: Rule): CompiledRule {
  let c = compiledCache.get(rule);
  if (c === undefined) {
    c = compileRule(rule);
    compiledCache.set(rule, c);
  }
  return c;
}

/** Every enabled rule of `records` that matches `event`, in input order. */
export function matchRules(event: SigningEvent, records: Iterable<RuleRecord>): RuleMatch[] {
  const out: RuleMatch[] = [];
  for (const r of records) {
    const matched = evaluateRule(compiledRuleFor(r.rule), event);
    if (matched !== undefined) out.push(toRuleMatch(r.subscriptionId, r.ruleId, matched));
  }
  return out;
}

/** Does this one rule match? (API preview of a single rule.) */
export function matchRule(event: SigningEvent, rule: Rule): MatchedValue[] | undefined {
  return evaluateRule(compiledRuleFor(rule), event);
}

export function toRuleMatch(subscriptionId: string, ruleId: string, matched: readonly MatchedValue[]): RuleMatch {
  const first = matched[0]!; // a valid rule has at least one condition
  return { subscriptionId, ruleId, field: first.field, value: first.value, matched };
}
