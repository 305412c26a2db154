/**
 * The compiled index of every enabled rule of every subscription, held in memory by the matcher worker.
 *
 * Each rule is filed under one *anchor* condition, the most selective one it has:
 *   exact values                         → a hash map per field          (one probe per event value)
 *   prefixes; globs and regexes with a literal prefix → a prefix index  (one probe per stored length)
 *   regexes/globs whose best literal is inside → a word index (complete tokens of the literal), else a
 *                                          3-gram index                  (one probe per token / position)
 *   nothing literal (e.g. `.*`)          → the scan list                 (evaluated on every event)
 * Every map sits behind a blocked Bloom filter (probe-filter.ts), so a value nobody named costs one
 * cache line, not a probe into a table of 100,000 keys.
 * A lookup gathers the candidate rules from those structures and evaluates only them, completely
 * (compile-rule.ts), so the result equals the naive matcher's (match.ts) — that equivalence is tested.
 * The cost per event depends on the event's values and its few candidates, not on the number of rules.
 *
 * Memory: a rule is a row of an EntryTable (typed arrays, no object per rule); its JSON, with common
 * fragments coded (rule-text.ts), is kept in a TextArena off the V8 heap and compiled only when the rule
 * is a candidate; compiled rules and regex programs live in bounded caches (compiled-cache.ts, re2-cache.ts). Building files the rules of a batch as they come and keeps
 * only the substring-filed ones (which need the whole batch's literal counts) until the end, so what a
 * build leaves behind for the garbage collector is small.
 * Updates are per subscription (`replace`, `remove`) and touch only that subscription's entries.
 * Each call is synchronous, so with JavaScript's single thread a lookup never sees half an update.
 */
import { compileRule, evaluateRule, ruleConditions, type CompiledRule, type RuleCondition } from './compile-rule.js';
import { EntryTable } from './entry-table.js';
import { CompiledCache } from './compiled-cache.js';
import { writeFieldValues, type FieldKey } from './event-fields.js';
import { ExactMap } from './exact-map.js';
import { GRAM, GramIndex } from './gram-index.js';
import { toRuleMatch, type RuleMatch } from './match.js';
import { PrefixIndex } from './prefix-index.js';
import { ProbeBatch } from './probe-batch.js';
import { decodeRule, encodeRule } from './rule-text.js';
import type { Rule, RuleRecord } from './schema.js';
import type { SigningEvent } from './signing-event.js';
import { TextArena } from './text-arena.js';
import { TokenIndex, completeTokens } from './token-index.js';
import { matcherLiterals, type MatchType, type MatcherLiterals, type ValueMatcher } from './value-matcher.js';

/** An entry's substring plan: where it is filed in the word or gram index. */
class LiteralItem {
  /** The literal containing the key the item is filed under: a cheap `includes` check before evaluation. */
  literal = '';
  /** The word (TokenIndex) or gram (GramIndex) it is filed under. */
  key: string | number = '';
  constructor(readonly entry: number) {}
}

/** Hash-map buckets and posting lists hold one entry id directly, several in an array. */
type Ids = number | number[];

class FieldIndex {
  readonly exact = new ExactMap<number>();
  readonly prefixes = new PrefixIndex<number>();
  readonly tokens = new TokenIndex<LiteralItem>();
  readonly grams = new GramIndex<LiteralItem>();
  /** Entries filed under this field (all structures). */
  count = 0;
  /** Ids of `exact` and `prefixes` in the index's probe batch. */
  readonly exactId: number;
  readonly prefixId: number;
  constructor(
    /** Its number in the index's field list (an entry's `field`). */
    readonly no: number,
    readonly field: FieldKey,
    /** For `extension:<oid>` fields, the OID (read without string work on the hot path). */
    readonly oid: string | undefined,
    batch: ProbeBatch<number>,
  ) {
    this.exactId = this.exact.register(batch);
    this.prefixId = this.prefixes.register(batch);
  }
}

/** The same string, internalized (a property key): a keyed lookup with it skips V8's string-table probe. */
function internalized(s: string): string {
  return Object.keys({ [s]: 0 })[0] ?? s;
}

type MatcherPlan =
  | { kind: 'exact'; key: string; score: number }
  | { kind: 'prefix'; key: string; score: number }
  | { kind: 'substring'; literals: string[]; score: number };

/** A literal prefix at least this long goes to the prefix index even when a longer inner literal exists. */
const GOOD_PREFIX = 8;
/** Fields that select almost everything (few distinct values): anchor on them only as a last resort. */
const WEAK_FIELDS: ReadonlySet<string> = new Set(['issuer', 'kind', 'log']);
/**
 * Compiled rules kept (CLOCK, compiled-cache.ts). A rule is compiled when it is a candidate; the rules that match often stay
 * compiled, and an index of 100,000 rules does not grow by a compiled rule (~1–2 KB) for every rule
 * that was ever a candidate.
 */
const COMPILED_CAPACITY = 8192;

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
  private readonly bySubscription = new Map<string, Ids>();
  private readonly entries = new EntryTable();
  /** The substring plans of entries that have them, in plan order (one directly, several in an array). */
  private readonly itemsOf = new Map<number, LiteralItem | LiteralItem[]>();
  private readonly compiled: CompiledCache<CompiledRule>;
  private readonly scan = new Set<number>();
  /** Every rule's JSON. */
  private readonly texts = new TextArena();
  private generation = 0;
  // scratch arrays reused by every lookup (no allocation per event when nothing matches)
  private readonly candidates: number[] = [];
  private readonly found: number[] = [];
  private readonly items: LiteralItem[] = [];
  private readonly values: string[] = [];
  private readonly valueFields: FieldIndex[] = [];
  private readonly batch = new ProbeBatch<number>();
  /** (Keeps the touching pass of `match` from being optimised away.) */
  private touched = 0;
  private readonly counts = { rules: 0, exact: 0, prefix: 0, token: 0, gram: 0, scan: 0 };

  constructor(
    /** How many compiled rules to keep (at least 1). */
    compiledCapacity = COMPILED_CAPACITY,
  ) {
    this.compiled = new CompiledCache(compiledCapacity);
  }

  /** Build from records (disabled rules are skipped). Records of one subscription may come in any order. */
  static build(records: Iterable<RuleRecord>): RuleIndex {
    const index = new RuleIndex();
    index.add(records);
    return index;
  }

  /**
   * Add rules (keeps what the subscriptions already have; use `replace` to swap a subscription's rules).
   * The batch's inner literals are all counted before any substring plan is filed, so `build` files each
   * regex under its most distinctive word or gram; the other rules are filed at once.
   */
  add(records: Iterable<RuleRecord>): void {
    const deferred: Array<{ r: RuleRecord; anchor: Anchor }> = [];
    for (const r of records) {
      if (r.rule.enabled === false) continue;
      const anchor = anchorOf(r.rule);
      if (anchor !== undefined && anchor.plans.some((p) => p.kind === 'substring')) {
        this.countLiterals(anchor, 1);
        deferred.push({ r, anchor });
      } else this.insert(r, anchor);
    }
    for (const d of deferred) this.insert(d.r, d.anchor);
  }

  /** Remove every rule of a subscription. Returns how many were removed. */
  remove(subscriptionId: string): number {
    const ids = this.bySubscription.get(subscriptionId);
    if (ids === undefined) return 0;
    this.bySubscription.delete(subscriptionId);
    if (typeof ids === 'number') this.unplace(ids);
    else for (const id of ids) this.unplace(id);
    if (this.texts.fragmented) this.compactTexts();
    return typeof ids === 'number' ? 1 : ids.length;
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

  /**
   * Every enabled rule that matches `event` (one result per rule; order unspecified).
   * In four passes, so that the cache misses of one event are in flight together rather than one after
   * the other (the parsing of a batch of events evicts both the events' strings and, at 100,000 rules,
   * the index's filters): gather the values of every indexed field; touch each value once; hash each,
   * probing the small word and gram filters at once and queueing the probes of the exact-value and
   * prefix filters (probe-batch.ts); test the queued probes and resolve those that pass.
   */
  match(event: SigningEvent): RuleMatch[] {
    const stamp = this.nextStamp();
    const candidates = this.candidates;
    candidates.length = 0;
    const extensions = event.certificate?.extensions;
    const values = this.values;
    const valueFields = this.valueFields;
    let n = 0;
    for (const fi of this.fieldList) {
      if (fi.count === 0) continue;
      const from = n;
      if (fi.oid !== undefined) {
        const v = extensions?.[fi.oid];
        if (v !== undefined) values[n++] = v;
      } else n = writeFieldValues(event, fi.field, values, n);
      for (let i = from; i < n; i++) valueFields[i] = fi;
    }
    let touched = 0;
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      touched ^= (v.charCodeAt(0) | 0) ^ (v.charCodeAt(v.length - 1) | 0);
    }
    this.touched = touched;
    const batch = this.batch;
    for (let i = 0; i < n; i++) this.probe(valueFields[i]!, values[i]!, i, stamp);
    const passed = batch.test();
    if (passed > 0) {
      const found = this.found;
      for (let k = 0; k < passed; k++) {
        found.length = 0;
        batch.resolve(k, values, found);
        for (let j = 0; j < found.length; j++) this.take(found[j]!, stamp);
      }
    }
    if (this.scan.size > 0) for (const id of this.scan) this.take(id, stamp);
    if (candidates.length === 0) return [];
    const out: RuleMatch[] = [];
    const entries = this.entries;
    for (const id of candidates) {
      const matched = evaluateRule(this.compiledRule(id), event);
      if (matched !== undefined) out.push(toRuleMatch(entries.subscription[id]!, entries.ruleId[id]!, matched));
    }
    candidates.length = 0;
    return out;
  }

  /** Value number `no` of `fi`'s field: queue its exact and prefix probes, collect its word and gram candidates. */
  private probe(fi: FieldIndex, v: string, no: number, stamp: number): void {
    if (fi.exact.size > 0) fi.exact.plan(v, no, this.batch, fi.exactId);
    if (fi.prefixes.size > 0) fi.prefixes.plan(v, no, this.batch, fi.prefixId);
    if (fi.tokens.size > 0) {
      const items = this.items;
      items.length = 0;
      fi.tokens.collect(v, items);
      this.takeItems(items, v, stamp);
    }
    if (fi.grams.size > 0) {
      const items = this.items;
      items.length = 0;
      fi.grams.collect(v, items);
      this.takeItems(items, v, stamp);
    }
  }

  private takeItems(items: readonly LiteralItem[], v: string, stamp: number): void {
    const stamps = this.entries.stamp;
    for (let i = 0; i < items.length; i++) {
      const it = items[i]!;
      if (stamps[it.entry] !== stamp && v.includes(it.literal)) this.take(it.entry, stamp);
    }
  }

  private take(id: number, stamp: number): void {
    const stamps = this.entries.stamp;
    if (stamps[id] === stamp) return;
    stamps[id] = stamp;
    this.candidates.push(id);
  }

  private nextStamp(): number {
    if (this.generation === 0x7fffffff) {
      this.entries.clearStamps();
      this.generation = 0;
    }
    return ++this.generation;
  }

  /** The entry's rule, compiled (kept in a bounded cache). */
  private compiledRule(id: number): CompiledRule {
    let c = this.compiled.get(id);
    if (c === undefined) {
      c = compileRule(this.ruleOf(id));
      this.compiled.set(id, c);
    }
    return c;
  }

  private ruleOf(id: number): Rule {
    return decodeRule(this.texts.read(this.entries.at[id]!, this.entries.bytes[id]!));
  }

  private compactTexts(): void {
    const entries = this.entries;
    this.texts.compact((relocate) => {
      for (const ids of this.bySubscription.values()) {
        for (const id of typeof ids === 'number' ? [ids] : ids) entries.at[id] = relocate(entries.at[id]!, entries.bytes[id]!);
      }
    });
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
    const at = this.texts.store(encodeRule(r.rule));
    const id = this.entries.alloc(r.subscriptionId, r.ruleId, at, this.texts.lastBytes, fi?.no ?? -1);
    if (anchor === undefined || fi === undefined) {
      this.scan.add(id);
      this.counts.scan++;
    } else {
      let items: LiteralItem | LiteralItem[] | undefined;
      for (const plan of anchor.plans) {
        fi.count++;
        if (plan.kind === 'exact') {
          fi.exact.add(plan.key, id);
          this.counts.exact++;
        } else if (plan.kind === 'prefix') {
          fi.prefixes.insert(plan.key, id);
          this.counts.prefix++;
        } else {
          const item = new LiteralItem(id);
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
          items = items === undefined ? item : Array.isArray(items) ? [...items, item] : [items, item];
        }
      }
      if (items !== undefined) this.itemsOf.set(id, items);
    }
    this.counts.rules++;
    const b = this.bySubscription.get(r.subscriptionId);
    if (b === undefined) this.bySubscription.set(r.subscriptionId, id);
    else if (typeof b === 'number') this.bySubscription.set(r.subscriptionId, [b, id]);
    else b.push(id);
  }

  private unplace(id: number): void {
    const entries = this.entries;
    this.counts.rules--;
    this.texts.free(entries.bytes[id]!);
    const fi = this.fieldList[entries.field[id]!];
    const rule = this.compiled.get(id)?.rule ?? this.ruleOf(id);
    this.compiled.delete(id);
    entries.release(id);
    if (fi === undefined) {
      this.scan.delete(id);
      this.counts.scan--;
      return;
    }
    const anchor = anchorOf(rule);
    if (anchor === undefined) throw new Error('RuleIndex: a filed rule no longer has an anchor');
    const filed = this.itemsOf.get(id);
    this.itemsOf.delete(id);
    const items = filed === undefined ? [] : Array.isArray(filed) ? filed : [filed];
    let k = 0;
    for (const plan of anchor.plans) {
      fi.count--;
      if (plan.kind === 'exact') {
        fi.exact.remove(plan.key, id);
        this.counts.exact--;
      } else if (plan.kind === 'prefix') {
        fi.prefixes.remove(plan.key, id);
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
      fi = new FieldIndex(this.fieldList.length, field, field.startsWith('extension:') ? internalized(field.slice('extension:'.length)) : undefined, this.batch);
      this.fields.set(field, fi);
      this.fieldList = [...this.fieldList, fi];
    }
    return fi;
  }
}

/** How one matcher can be looked up, or undefined when it has no usable literal. */
export function planMatcher(m: { readonly type: MatchType; readonly value: string } & MatcherLiterals): MatcherPlan | undefined {
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

/** Where a rule is filed: planned from its uncompiled conditions (no regex program, no closures). */
function anchorOf(rule: Rule): Anchor | undefined {
  return chooseAnchor(ruleConditions(rule));
}

const planOf = (m: ValueMatcher): MatcherPlan | undefined => planMatcher({ type: m.type, value: m.value, ...matcherLiterals(m) });

/** The condition whose every matcher is indexable, with the best worst-case selectivity. */
function chooseAnchor(conditions: readonly RuleCondition[]): Anchor | undefined {
  let best: { field: FieldKey; plans: MatcherPlan[]; score: number } | undefined;
  for (const condition of conditions) {
    if (condition.field === 'kind' || condition.field === 'log') continue;
    const plans: MatcherPlan[] = [];
    let score = Infinity;
    for (const m of condition.matchers) {
      const plan = planOf(m);
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
