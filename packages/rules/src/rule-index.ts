/**
 * The compiled index of every enabled rule of every subscription, held in memory by the matcher worker.
 *
 * Each rule is filed under one *anchor* condition, the most selective one it has:
 *   exact values                         → a hash map per field          (one probe per event value)
 *   prefixes; globs and regexes with a literal prefix → a radix trie     (O(|value|) per event value)
 *   regexes/globs whose best literal is inside → a word index (complete tokens of the literal), else a
 *                                          3-gram index                  (one probe per token / position)
 *   nothing literal (e.g. `.*`)          → the scan list                 (evaluated on every event)
 * A lookup gathers the candidate rules from those structures and evaluates only them, completely
 * (compile-rule.ts), so the result equals the naive matcher's (match.ts) — that equivalence is tested.
 * The cost per event depends on the event's values and its few candidates, not on the number of rules.
 *
 * Memory: a rule is kept as JSON and compiled only the first time it is a candidate (most never are);
 * regex programs live in a bounded LRU (re2-cache.ts).
 * Updates are per subscription (`replace`, `remove`) and touch only that subscription's entries.
 * Each call is synchronous, so with JavaScript's single thread a lookup never sees half an update.
 */
import { compileRule, evaluateRule, type CompiledCondition, type CompiledRule } from './compile-rule.js';
import { pushFieldValues, type FieldKey } from './event-fields.js';
import { GRAM, GramIndex } from './gram-index.js';
import { toRuleMatch, type RuleMatch } from './match.js';
import { RadixTrie } from './radix-trie.js';
import type { Rule, RuleRecord } from './schema.js';
import type { SigningEvent } from './signing-event.js';
import { TokenIndex, completeTokens } from './token-index.js';
import type { CompiledValueMatcher } from './value-matcher.js';

interface Entry {
  readonly subscriptionId: string;
  readonly ruleId: string;
  /**
   * The rule as JSON: a few hundred bytes less than the object graph per rule, which matters at 100,000
   * rules; parsed and compiled the first time the rule is a candidate.
   */
  readonly ruleJson: string;
  /** Compiled on first evaluation. */
  compiled: CompiledRule | undefined;
  /** Generation of the last lookup that collected this entry (dedup without a Set). */
  stamp: number;
  readonly placements: Placement[];
}

interface LiteralItem {
  readonly entry: Entry;
  /** The literal containing the key the item is filed under: a cheap `includes` check before evaluation. */
  literal: string;
}

type Placement =
  | { readonly kind: 'exact'; readonly field: FieldIndex; readonly key: string }
  | { readonly kind: 'prefix'; readonly field: FieldIndex; readonly key: string }
  | { readonly kind: 'token'; readonly field: FieldIndex; readonly key: string; readonly item: LiteralItem; readonly literals: string[] }
  | { readonly kind: 'gram'; readonly field: FieldIndex; readonly key: number; readonly item: LiteralItem; readonly literals: string[] }
  | { readonly kind: 'scan' };

interface FieldIndex {
  readonly field: FieldKey;
  /** For `extension:<oid>` fields, the OID (read without string work on the hot path). */
  readonly oid: string | undefined;
  readonly exact: Map<string, Entry[]>;
  readonly trie: RadixTrie<Entry>;
  readonly tokens: TokenIndex<LiteralItem>;
  readonly grams: GramIndex<LiteralItem>;
}

type MatcherPlan =
  | { kind: 'exact'; key: string; score: number }
  | { kind: 'prefix'; key: string; score: number }
  | { kind: 'substring'; literals: string[]; score: number };

/** A literal prefix at least this long goes to the trie even when a longer inner literal exists. */
const GOOD_PREFIX = 8;
/** Fields that select almost everything (few distinct values): anchor on them only as a last resort. */
const WEAK_FIELDS: ReadonlySet<string> = new Set(['issuer', 'kind', 'log']);

export interface RuleIndexStats {
  readonly subscriptions: number;
  readonly rules: number;
  readonly exact: number;
  readonly prefix: number;
  /** Filed under a word of an inner literal. */
  readonly token: number;
  /** Filed under a 3-gram of an inner literal. */
  readonly gram: number;
  /** Rules with no usable literal, evaluated on every event. */
  readonly scan: number;
}

export class RuleIndex {
  private readonly fields = new Map<FieldKey, FieldIndex>();
  private fieldList: FieldIndex[] = [];
  private readonly bySubscription = new Map<string, Entry[]>();
  private readonly scan = new Set<Entry>();
  private generation = 0;
  private readonly candidates: Entry[] = [];
  private readonly values: string[] = [];
  private readonly counts = { rules: 0, exact: 0, prefix: 0, token: 0, gram: 0, scan: 0 };

  /** Build from records (disabled rules are skipped). Records of one subscription may come in any order. */
  static build(records: Iterable<RuleRecord>): RuleIndex {
    const index = new RuleIndex();
    index.add(records);
    return index;
  }

  /**
   * Add rules (keeps what the subscriptions already have; use `replace` to swap a subscription's rules).
   * The batch's inner literals are all counted before any is filed, so `build` files each regex under
   * its most distinctive word or gram.
   */
  add(records: Iterable<RuleRecord>): void {
    const planned: Array<{ r: RuleRecord; anchor: Anchor | undefined }> = [];
    for (const r of records) {
      if (r.rule.enabled === false) continue;
      const anchor = chooseAnchor(compileRule(r.rule).conditions); // compiled for planning, then dropped
      if (anchor !== undefined) {
        const fi = this.fieldIndex(anchor.field);
        for (const plan of anchor.plans) {
          if (plan.kind !== 'substring') continue;
          fi.tokens.countLiterals(plan.literals);
          fi.grams.countLiterals(plan.literals);
        }
      }
      planned.push({ r, anchor });
    }
    for (const p of planned) this.insert(p.r, p.anchor);
  }

  /** Remove every rule of a subscription. Returns how many were removed. */
  remove(subscriptionId: string): number {
    const entries = this.bySubscription.get(subscriptionId);
    if (entries === undefined) return 0;
    for (const e of entries) this.unplace(e);
    this.bySubscription.delete(subscriptionId);
    return entries.length;
  }

  /** Swap a subscription's rules for `records` (all of which must belong to that subscription). */
  replace(subscriptionId: string, records: Iterable<RuleRecord>): void {
    const list = [...records];
    for (const r of list) {
      if (r.subscriptionId !== subscriptionId) {
        throw new Error(`replace(${subscriptionId}): record of subscription ${r.subscriptionId}`);
      }
    }
    this.remove(subscriptionId);
    this.add(list);
  }

  has(subscriptionId: string): boolean {
    return this.bySubscription.has(subscriptionId);
  }

  stats(): RuleIndexStats {
    return { subscriptions: this.bySubscription.size, ...this.counts };
  }

  /** Every enabled rule that matches `event` (one result per rule; order unspecified). */
  match(event: SigningEvent): RuleMatch[] {
    const stamp = ++this.generation;
    const candidates = this.candidates;
    const values = this.values;
    candidates.length = 0;
    const visit = (e: Entry): void => {
      if (e.stamp === stamp) return;
      e.stamp = stamp;
      candidates.push(e);
    };
    const visitLiteral = (it: LiteralItem, v: string): void => {
      if (it.entry.stamp !== stamp && v.includes(it.literal)) visit(it.entry);
    };
    const extensions = event.certificate?.extensions;
    for (const fi of this.fieldList) {
      values.length = 0;
      if (fi.oid !== undefined) {
        const v = extensions?.[fi.oid];
        if (v === undefined) continue;
        values.push(v);
      } else pushFieldValues(event, fi.field, values);
      for (const v of values) {
        if (fi.exact.size > 0) {
          const list = fi.exact.get(v);
          if (list !== undefined) for (const e of list) visit(e);
        }
        if (fi.trie.size > 0) fi.trie.collect(v, visit);
        if (fi.tokens.size > 0) fi.tokens.collect(v, (it) => visitLiteral(it, v));
        if (fi.grams.size > 0) fi.grams.collect(v, (it) => visitLiteral(it, v));
      }
    }
    for (const e of this.scan) visit(e);
    const out: RuleMatch[] = [];
    for (const e of candidates) {
      e.compiled ??= compileRule(JSON.parse(e.ruleJson) as Rule);
      const matched = evaluateRule(e.compiled, event);
      if (matched !== undefined) out.push(toRuleMatch(e.subscriptionId, e.ruleId, matched));
    }
    candidates.length = 0;
    return out;
  }

  private insert(r: RuleRecord, anchor: Anchor | undefined): void {
    const entry: Entry = { subscriptionId: r.subscriptionId, ruleId: r.ruleId, ruleJson: JSON.stringify(r.rule), compiled: undefined, stamp: 0, placements: [] };
    if (anchor === undefined) {
      this.scan.add(entry);
      entry.placements.push({ kind: 'scan' });
      this.counts.scan++;
    } else {
      const fi = this.fieldIndex(anchor.field);
      for (const plan of anchor.plans) {
        if (plan.kind === 'exact') {
          const list = fi.exact.get(plan.key);
          if (list === undefined) fi.exact.set(plan.key, [entry]);
          else list.push(entry);
          entry.placements.push({ kind: 'exact', field: fi, key: plan.key });
          this.counts.exact++;
        } else if (plan.kind === 'prefix') {
          fi.trie.insert(plan.key, entry);
          entry.placements.push({ kind: 'prefix', field: fi, key: plan.key });
          this.counts.prefix++;
        } else {
          const item: LiteralItem = { entry, literal: '' };
          const byToken = fi.tokens.insert(plan.literals, item);
          if (byToken !== undefined) {
            item.literal = byToken.literal;
            entry.placements.push({ kind: 'token', field: fi, key: byToken.key, item, literals: plan.literals });
            this.counts.token++;
          } else {
            const byGram = fi.grams.insert(plan.literals, item);
            item.literal = byGram.literal;
            entry.placements.push({ kind: 'gram', field: fi, key: byGram.key, item, literals: plan.literals });
            this.counts.gram++;
          }
        }
      }
    }
    this.counts.rules++;
    const list = this.bySubscription.get(r.subscriptionId);
    if (list === undefined) this.bySubscription.set(r.subscriptionId, [entry]);
    else list.push(entry);
  }

  private unplace(entry: Entry): void {
    for (const p of entry.placements) {
      switch (p.kind) {
        case 'scan':
          this.scan.delete(entry);
          this.counts.scan--;
          break;
        case 'exact': {
          const list = p.field.exact.get(p.key);
          const i = list?.indexOf(entry) ?? -1;
          if (list !== undefined && i >= 0) {
            list.splice(i, 1);
            if (list.length === 0) p.field.exact.delete(p.key);
          }
          this.counts.exact--;
          break;
        }
        case 'prefix':
          p.field.trie.remove(p.key, entry);
          this.counts.prefix--;
          break;
        case 'token':
          p.field.tokens.remove(p.key, p.item);
          p.field.tokens.uncountLiterals(p.literals);
          p.field.grams.uncountLiterals(p.literals);
          this.counts.token--;
          break;
        case 'gram':
          p.field.grams.remove(p.key, p.item);
          p.field.tokens.uncountLiterals(p.literals);
          p.field.grams.uncountLiterals(p.literals);
          this.counts.gram--;
          break;
      }
    }
    this.counts.rules--;
  }

  private fieldIndex(field: FieldKey): FieldIndex {
    let fi = this.fields.get(field);
    if (fi === undefined) {
      const oid = field.startsWith('extension:') ? field.slice('extension:'.length) : undefined;
      fi = { field, oid, exact: new Map(), trie: new RadixTrie(), tokens: new TokenIndex(), grams: new GramIndex() };
      this.fields.set(field, fi);
      this.fieldList = [...this.fields.values()];
    }
    return fi;
  }
}

/** How one matcher can be looked up, or undefined when it has no usable literal. */
export function planMatcher(m: CompiledValueMatcher): MatcherPlan | undefined {
  if (m.type === 'exact') return { kind: 'exact', key: m.value, score: 1000 + m.value.length };
  const p = m.prefix;
  const literals = m.atoms.filter((a) => a.length >= GRAM || completeTokens(a).length > 0);
  const longest = literals.reduce((n, a) => Math.max(n, a.length), 0);
  if (p.length > 0 && (p.length >= GOOD_PREFIX || p.length >= longest)) return { kind: 'prefix', key: p, score: p.length };
  if (literals.length > 0) return { kind: 'substring', literals, score: longest };
  if (p.length > 0) return { kind: 'prefix', key: p, score: p.length };
  return undefined;
}

interface Anchor {
  readonly field: FieldKey;
  readonly plans: MatcherPlan[];
}

/** The condition whose every matcher is indexable, with the best worst-case selectivity. */
function chooseAnchor(conditions: readonly CompiledCondition[]): Anchor | undefined {
  let best: { field: FieldKey; plans: MatcherPlan[]; score: number } | undefined;
  for (const condition of conditions) {
    if (condition.field === 'kind' || condition.field === 'log') continue;
    const plans: MatcherPlan[] = [];
    let score = Infinity;
    for (const m of condition.matchers) {
      const plan = planMatcher(m);
      if (plan === undefined) {
        score = -1;
        break;
      }
      plans.push(plan);
      score = Math.min(score, plan.score);
    }
    if (score < 0) continue;
    if (WEAK_FIELDS.has(condition.field)) score /= 1000;
    if (best === undefined || score > best.score) best = { field: condition.field, plans, score };
  }
  return best;
}
