/**
 * The compiled index of every enabled rule of every subscription, held in memory by the matcher worker.
 *
 * Each rule is filed under one *anchor* condition, the most selective one it has:
 *   exact values        → a hash map per field                          (one probe per event value)
 *   prefixes, globs and regexes with a literal prefix → a radix trie     (O(|value|) per event value)
 *   regexes/globs whose best literal is inside         → a 3-gram index  (one probe per position)
 *   nothing literal (e.g. `.*`)                        → the scan list   (evaluated on every event)
 * A lookup gathers the candidate rules from those structures and evaluates only them, completely
 * (compile-rule.ts), so the result equals the naive matcher's (match.ts) — that equivalence is tested.
 * Cost per event depends on the event's values and the few candidates, not on the number of rules.
 *
 * Updates are per subscription (`replace`, `remove`) and touch only that subscription's entries.
 * Not thread-safe across awaits: call from one task (JavaScript's single thread makes each call atomic).
 */
import { compileRule, evaluateRule, type CompiledCondition, type CompiledRule } from './compile-rule.js';
import { fieldValues, type FieldKey } from './event-fields.js';
import { GRAM, GramIndex } from './gram-index.js';
import { toRuleMatch, type RuleMatch } from './match.js';
import { RadixTrie } from './radix-trie.js';
import type { RuleRecord } from './schema.js';
import type { SigningEvent } from './signing-event.js';
import type { CompiledValueMatcher } from './value-matcher.js';

interface Entry {
  readonly subscriptionId: string;
  readonly ruleId: string;
  readonly compiled: CompiledRule;
  /** Generation of the last lookup that collected this entry (dedup without a Set). */
  stamp: number;
  readonly placements: Placement[];
}

interface GramItem {
  readonly entry: Entry;
  readonly atom: string;
}

type Placement =
  | { readonly kind: 'exact'; readonly field: FieldIndex; readonly key: string }
  | { readonly kind: 'prefix'; readonly field: FieldIndex; readonly key: string }
  | { readonly kind: 'gram'; readonly field: FieldIndex; readonly key: number; readonly item: GramItem }
  | { readonly kind: 'scan' };

interface FieldIndex {
  readonly field: FieldKey;
  readonly exact: Map<string, Entry[]>;
  readonly trie: RadixTrie<Entry>;
  readonly grams: GramIndex<GramItem>;
}

type MatcherPlan =
  | { kind: 'exact'; key: string; score: number }
  | { kind: 'prefix'; key: string; score: number }
  | { kind: 'gram'; atom: string; score: number };

/** Fields that select almost everything (few distinct values): anchor on them only as a last resort. */
const WEAK_FIELDS: ReadonlySet<string> = new Set(['issuer', 'kind', 'log']);

export interface RuleIndexStats {
  readonly subscriptions: number;
  readonly rules: number;
  readonly exact: number;
  readonly prefix: number;
  readonly gram: number;
  /** Rules with no usable literal, evaluated on every event. */
  readonly scan: number;
}

export class RuleIndex {
  private readonly fields = new Map<FieldKey, FieldIndex>();
  private readonly bySubscription = new Map<string, Entry[]>();
  private readonly scan = new Set<Entry>();
  private generation = 0;
  private candidates: Entry[] = [];
  private counts = { rules: 0, exact: 0, prefix: 0, gram: 0, scan: 0 };

  /** Build from records (disabled rules are skipped). Records of one subscription may come in any order. */
  static build(records: Iterable<RuleRecord>): RuleIndex {
    const index = new RuleIndex();
    index.add(records);
    return index;
  }

  /** Add rules (keeps what the subscriptions already have; use `replace` to swap a subscription's rules). */
  add(records: Iterable<RuleRecord>): void {
    for (const r of records) {
      if (r.rule.enabled === false) continue;
      this.insert(r.subscriptionId, r.ruleId, compileRule(r.rule));
    }
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
    this.remove(subscriptionId);
    for (const r of records) {
      if (r.subscriptionId !== subscriptionId) {
        throw new Error(`replace(${subscriptionId}): record of subscription ${r.subscriptionId}`);
      }
    }
    this.add(records);
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
    candidates.length = 0;
    for (const fi of this.fields.values()) {
      const values = fieldValues(event, fi.field);
      for (const v of values) {
        if (fi.exact.size > 0) {
          const list = fi.exact.get(v);
          if (list !== undefined) for (const e of list) this.visit(e, stamp);
        }
        if (fi.trie.size > 0) fi.trie.collect(v, (e) => this.visit(e, stamp));
        if (fi.grams.size > 0) {
          fi.grams.collect(v, (g) => {
            if (g.entry.stamp !== stamp && v.includes(g.atom)) this.visit(g.entry, stamp);
          });
        }
      }
    }
    for (const e of this.scan) this.visit(e, stamp);
    const out: RuleMatch[] = [];
    for (const e of candidates) {
      const matched = evaluateRule(e.compiled, event);
      if (matched !== undefined) out.push(toRuleMatch(e.subscriptionId, e.ruleId, matched));
    }
    candidates.length = 0;
    return out;
  }

  private visit(e: Entry, stamp: number): void {
    if (e.stamp === stamp) return;
    e.stamp = stamp;
    this.candidates.push(e);
  }

  private insert(subscriptionId: string, ruleId: string, compiled: CompiledRule): void {
    const entry: Entry = { subscriptionId, ruleId, compiled, stamp: 0, placements: [] };
    const anchor = chooseAnchor(compiled.conditions);
    if (anchor === undefined) {
      this.scan.add(entry);
      entry.placements.push({ kind: 'scan' });
      this.counts.scan++;
    } else {
      const fi = this.fieldIndex(anchor.condition.field);
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
          const item: GramItem = { entry, atom: plan.atom };
          const key = fi.grams.insert(plan.atom, item);
          entry.placements.push({ kind: 'gram', field: fi, key, item });
          this.counts.gram++;
        }
      }
    }
    this.counts.rules++;
    const list = this.bySubscription.get(subscriptionId);
    if (list === undefined) this.bySubscription.set(subscriptionId, [entry]);
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
        case 'gram':
          p.field.grams.remove(p.key, p.item);
          this.counts.gram--;
          break;
      }
    }
    this.counts.rules--;
  }

  private fieldIndex(field: FieldKey): FieldIndex {
    let fi = this.fields.get(field);
    if (fi === undefined) {
      fi = { field, exact: new Map(), trie: new RadixTrie(), grams: new GramIndex() };
      this.fields.set(field, fi);
    }
    return fi;
  }
}

/** How one matcher can be looked up, or undefined when it has no usable literal. */
export function planMatcher(m: CompiledValueMatcher): MatcherPlan | undefined {
  if (m.type === 'exact') return { kind: 'exact', key: m.value, score: 1000 + m.value.length };
  let atom = '';
  for (const a of m.atoms) if (a.length > atom.length) atom = a;
  const p = m.prefix;
  if (p.length > 0 && p.length >= atom.length) return { kind: 'prefix', key: p, score: p.length };
  if (atom.length >= GRAM) return { kind: 'gram', atom, score: atom.length };
  if (p.length > 0) return { kind: 'prefix', key: p, score: p.length };
  return undefined;
}

/** The condition whose every matcher is indexable, with the best worst-case selectivity. */
function chooseAnchor(conditions: readonly CompiledCondition[]): { condition: CompiledCondition; plans: MatcherPlan[] } | undefined {
  let best: { condition: CompiledCondition; plans: MatcherPlan[]; score: number } | undefined;
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
    if (best === undefined || score > best.score) best = { condition, plans, score };
  }
  return best;
}
