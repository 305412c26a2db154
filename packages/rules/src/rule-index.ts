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
import { ExactMap } from './exact-map.js';
import { TextArena, type TextRef } from './text-arena.js';
import { compileRule, evaluateRule, type CompiledCondition, type CompiledRule } from './compile-rule.js';
import { pushFieldValues, type FieldKey } from './event-fields.js';
import { GRAM, GramIndex } from './gram-index.js';
import { toRuleMatch, type RuleMatch } from './match.js';
import { PrefixIndex } from './prefix-index.js';
import type { Rule, RuleRecord } from './schema.js';
import type { SigningEvent } from './signing-event.js';
import { TokenIndex, completeTokens } from './token-index.js';
import type { CompiledValueMatcher } from './value-matcher.js';

/**
 * One indexed rule. Kept small (100,000 of them): where it is filed is not stored but recomputed from
 * the rule on removal (`chooseAnchor` depends only on the rule), except the word/gram chosen for a
 * substring plan, which depends on what else was filed and is kept in `items`.
 */
class Entry implements TextRef {
  /** Compiled on first evaluation. */
  compiled: CompiledRule | undefined = undefined;
  /** Generation of the last lookup that collected this entry (dedup without a Set). */
  stamp = 0;
  /** The LiteralItems of its substring plans, in plan order (one directly, several in an array). */
  items: LiteralItem | LiteralItem[] | undefined = undefined;
  constructor(
    readonly subscriptionId: string,
    readonly ruleId: string,
    /**
     * Where the rule's JSON is in the index's TextArena (off the V8 heap: ~170 bytes per rule instead of a
     * ~200-byte string, or ~1 KB as an object graph); parsed and compiled the first time the rule is a
     * candidate, parsed again on removal.
     */
    public at: number,
    readonly bytes: number,
    /** The field it is filed under; undefined for the scan list. */
    readonly field: FieldIndex | undefined,
  ) {}
}

class LiteralItem {
  /** The literal containing the key the item is filed under: a cheap `includes` check before evaluation. */
  literal = '';
  /** The word (TokenIndex) or gram (GramIndex) it is filed under. */
  key: string | number = '';
  constructor(readonly entry: Entry) {}
}

/** Hash-map buckets hold one entry directly, several in an array. */
type Bucket = Entry | Entry[];

class FieldIndex {
  readonly exact = new ExactMap<Entry>();
  readonly trie = new PrefixIndex<Entry>();
  readonly tokens = new TokenIndex<LiteralItem>();
  readonly grams = new GramIndex<LiteralItem>();
  /** Entries filed under this field (all structures). */
  count = 0;
  constructor(
    readonly field: FieldKey,
    /** For `extension:<oid>` fields, the OID (read without string work on the hot path). */
    readonly oid: string | undefined,
  ) {}
}

/** The same string, internalized (a property key): a keyed lookup with it skips V8's string-table probe. */
function internalized(s: string): string {
  return Object.keys({ [s]: 0 })[0] ?? s;
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

/** Literals with a complete word go to the word index; only the others are counted and filed by gram. */
const gramFiled = (literals: readonly string[]): boolean => !literals.some((l) => completeTokens(l).length > 0);

export class RuleIndex {
  private readonly fields = new Map<FieldKey, FieldIndex>();
  private fieldList: FieldIndex[] = [];
  private readonly bySubscription = new Map<string, Bucket>();
  private readonly scan = new Set<Entry>();
  /** Every rule's JSON. */
  private readonly texts = new TextArena();
  private generation = 0;
  // scratch arrays reused by every lookup (no allocation per event when nothing matches)
  private readonly candidates: Entry[] = [];
  private readonly found: Entry[] = [];
  private readonly items: LiteralItem[] = [];
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
      const anchor = anchorOf(r.rule); // compiled for planning, then dropped
      if (anchor !== undefined) this.countLiterals(anchor, 1);
      planned.push({ r, anchor });
    }
    for (const p of planned) this.insert(p.r, p.anchor);
  }

  /** Remove every rule of a subscription. Returns how many were removed. */
  remove(subscriptionId: string): number {
    const bucket = this.bySubscription.get(subscriptionId);
    if (bucket === undefined) return 0;
    this.bySubscription.delete(subscriptionId);
    const entries = Array.isArray(bucket) ? bucket : [bucket];
    for (const e of entries) this.unplace(e);
    if (this.texts.fragmented) this.texts.compact(this.allEntries());
    return entries.length;
  }

  private *allEntries(): Iterable<Entry> {
    for (const b of this.bySubscription.values()) {
      if (Array.isArray(b)) yield* b;
      else yield b;
    }
  }

  private ruleOf(e: Entry): Rule {
    return JSON.parse(this.texts.read(e.at, e.bytes)) as Rule;
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
    candidates.length = 0;
    const extensions = event.certificate?.extensions;
    for (const fi of this.fieldList) {
      if (fi.count === 0) continue;
      if (fi.oid !== undefined) {
        const v = extensions?.[fi.oid];
        if (v !== undefined) this.probe(fi, v, stamp);
        continue;
      }
      const values = this.values;
      values.length = 0;
      pushFieldValues(event, fi.field, values);
      for (let i = 0; i < values.length; i++) this.probe(fi, values[i]!, stamp);
    }
    if (this.scan.size > 0) for (const e of this.scan) this.take(e, stamp);
    if (candidates.length === 0) return [];
    const out: RuleMatch[] = [];
    for (const e of candidates) {
      e.compiled ??= compileRule(this.ruleOf(e));
      const matched = evaluateRule(e.compiled, event);
      if (matched !== undefined) out.push(toRuleMatch(e.subscriptionId, e.ruleId, matched));
    }
    candidates.length = 0;
    return out;
  }

  /** Collect the candidates that one value of `fi`'s field selects, from each non-empty structure. */
  private probe(fi: FieldIndex, v: string, stamp: number): void {
    if (fi.exact.size > 0) {
      const b = fi.exact.get(v);
      if (b !== undefined) {
        if (b instanceof Entry) this.take(b, stamp);
        else for (const e of b) this.take(e, stamp);
      }
    }
    if (fi.trie.size > 0) {
      const found = this.found;
      found.length = 0;
      fi.trie.collect(v, found);
      for (let i = 0; i < found.length; i++) this.take(found[i]!, stamp);
    }
    if (fi.tokens.size > 0) {
      const items = this.items;
      items.length = 0;
      fi.tokens.collect(v, items);
      for (let i = 0; i < items.length; i++) {
        const it = items[i]!;
        if (it.entry.stamp !== stamp && v.includes(it.literal)) this.take(it.entry, stamp);
      }
    }
    if (fi.grams.size > 0) {
      const items = this.items;
      items.length = 0;
      fi.grams.collect(v, items);
      for (let i = 0; i < items.length; i++) {
        const it = items[i]!;
        if (it.entry.stamp !== stamp && v.includes(it.literal)) this.take(it.entry, stamp);
      }
    }
  }

  private take(e: Entry, stamp: number): void {
    if (e.stamp === stamp) return;
    e.stamp = stamp;
    this.candidates.push(e);
  }

  private countLiterals(anchor: Anchor, delta: 1 | -1): void {
    const fi = this.fieldIndex(anchor.field);
    for (const plan of anchor.plans) {
      if (plan.kind !== 'substring') continue;
      if (delta > 0) {
        fi.tokens.countLiterals(plan.literals);
        if (gramFiled(plan.literals)) fi.grams.countLiterals(plan.literals);
      } else {
        fi.tokens.uncountLiterals(plan.literals);
        if (gramFiled(plan.literals)) fi.grams.uncountLiterals(plan.literals);
      }
    }
  }

  private insert(r: RuleRecord, anchor: Anchor | undefined): void {
    const fi = anchor === undefined ? undefined : this.fieldIndex(anchor.field);
    const text = this.texts.store(JSON.stringify(r.rule));
    const entry = new Entry(r.subscriptionId, r.ruleId, text.at, text.bytes, fi);
    if (anchor === undefined || fi === undefined) {
      this.scan.add(entry);
      this.counts.scan++;
    } else {
      for (const plan of anchor.plans) {
        fi.count++;
        if (plan.kind === 'exact') {
          fi.exact.add(plan.key, entry);
          this.counts.exact++;
        } else if (plan.kind === 'prefix') {
          fi.trie.insert(plan.key, entry);
          this.counts.prefix++;
        } else {
          const item = new LiteralItem(entry);
          const byToken = fi.tokens.insert(plan.literals, item);
          if (byToken !== undefined) {
            item.literal = byToken.literal;
            item.key = byToken.key;
            this.counts.token++;
          } else {
            const byGram = fi.grams.insert(plan.literals, item);
            item.literal = byGram.literal;
            item.key = byGram.key;
            this.counts.gram++;
          }
          if (entry.items === undefined) entry.items = item;
          else if (Array.isArray(entry.items)) entry.items.push(item);
          else entry.items = [entry.items, item];
        }
      }
    }
    this.counts.rules++;
    const b = this.bySubscription.get(r.subscriptionId);
    if (b === undefined) this.bySubscription.set(r.subscriptionId, entry);
    else if (Array.isArray(b)) b.push(entry);
    else this.bySubscription.set(r.subscriptionId, [b, entry]);
  }

  private unplace(entry: Entry): void {
    this.counts.rules--;
    this.texts.free(entry.bytes);
    const fi = entry.field;
    if (fi === undefined) {
      this.scan.delete(entry);
      this.counts.scan--;
      return;
    }
    const anchor = anchorOf(entry.compiled?.rule ?? this.ruleOf(entry));
    if (anchor === undefined) throw new Error('RuleIndex: a filed rule no longer has an anchor');
    const items = entry.items === undefined ? [] : Array.isArray(entry.items) ? entry.items : [entry.items];
    let k = 0;
    for (const plan of anchor.plans) {
      fi.count--;
      if (plan.kind === 'exact') {
        fi.exact.remove(plan.key, entry);
        this.counts.exact--;
      } else if (plan.kind === 'prefix') {
        fi.trie.remove(plan.key, entry);
        this.counts.prefix--;
      } else {
        const item = items[k++]!;
        if (typeof item.key === 'string') {
          fi.tokens.remove(item.key, item);
          this.counts.token--;
        } else {
          fi.grams.remove(item.key, item);
          this.counts.gram--;
        }
      }
    }
    this.countLiterals(anchor, -1);
  }

  private fieldIndex(field: FieldKey): FieldIndex {
    let fi = this.fields.get(field);
    if (fi === undefined) {
      fi = new FieldIndex(field, field.startsWith('extension:') ? internalized(field.slice('extension:'.length)) : undefined);
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

function anchorOf(rule: Rule): Anchor | undefined {
  return chooseAnchor(compileRule(rule).conditions);
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
