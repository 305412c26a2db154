/**
 * Word prefilter: an item is filed under one *complete token* of a literal it requires — a maximal run
 * of ASCII letters and digits bounded inside the literal by other characters ("team42" and "example"
 * in "@team42.example.org", not "org", which the value might continue). If a value contains the literal,
 * it contains that token as a whole token, so tokenising the value and probing each token finds the item.
 * The least popular token is chosen, so shared words ("github", "example") are avoided.
 */
import { addPosting, appendPosting, removePosting, type Posting } from './postings.js';
import { ProbeFilter } from './probe-filter.js';

/**
 * The probe filter's key for the token s[start, end): its length and first, middle and last characters —
 * no per-character hashing (tokenising already reads every character; hashing them in JavaScript measured
 * slower than the Map probe it would save). Tokens that share a shape only cost a Map probe.
 */
function tokenShape(s: string, start: number, end: number): number {
  const h =
    Math.imul(end - start, 0x9e3779b1) ^
    Math.imul(s.charCodeAt(start), 0x85ebca77) ^
    Math.imul(s.charCodeAt((start + end) >>> 1), 0xc2b2ae3d) ^
    Math.imul(s.charCodeAt(end - 1), 0x27d4eb2f);
  return (h ^ (h >>> 15)) >>> 0;
}

/**
 * The (length, first character) classes of the filed tokens, as a bit set of 64 lengths × 128 characters
 * (1 KB). Tokenising a value yields a dozen tokens; each is first looked up here, in a table small enough
 * to stay in the L1 cache, and only a token whose class some filed token has goes on to the probe filter,
 * which grows with the number of rules and whose every probe is a random cache line (a cache miss once a
 * batch's parsing has evicted it).
 */
const CLASS_LENGTHS = 64;
const classOf = (length: number, first: number): number => (length < CLASS_LENGTHS ? length : CLASS_LENGTHS - 1) * 128 + first;

const isWordChar = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** Tokens of `lit` that are bounded by non-word characters inside `lit` on both sides. */
export function completeTokens(lit: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < lit.length) {
    if (!isWordChar(lit.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    while (i < lit.length && isWordChar(lit.charCodeAt(i))) i++;
    if (start > 0 && i < lit.length) out.push(lit.slice(start, i));
  }
  return out;
}


export class TokenIndex<T> {
  private readonly postings = new Map<string, Posting<T>>();
  private readonly popularity = new Map<string, number>();
  private readonly filter = new ProbeFilter();
  /** Bit set of the (length, first character) classes of the filed tokens, and how many tokens each has. */
  private readonly classes = new Uint32Array((CLASS_LENGTHS * 128) / 32);
  private readonly perClass = new Map<number, number>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  countLiterals(literals: readonly string[]): void {
    for (const t of new Set(literals.flatMap(completeTokens))) this.popularity.set(t, (this.popularity.get(t) ?? 0) + 1);
  }

  uncountLiterals(literals: readonly string[]): void {
    for (const t of new Set(literals.flatMap(completeTokens))) {
      const n = (this.popularity.get(t) ?? 1) - 1;
      if (n <= 0) this.popularity.delete(t);
      else this.popularity.set(t, n);
    }
  }

  /** File under the least popular complete token; undefined when the literals have none. */
  insert(literals: readonly string[], item: T): { key: string; literal: string } | undefined {
    let best: { key: string; literal: string; pop: number } | undefined;
    for (const lit of literals) {
      for (const t of completeTokens(lit)) {
        const pop = this.popularity.get(t) ?? 0;
        if (best === undefined || pop < best.pop || (pop === best.pop && t.length > best.key.length)) best = { key: t, literal: lit, pop };
      }
    }
    if (best === undefined) return undefined;
    if (addPosting(this.postings, best.key, item)) {
      this.filter.add(tokenShape(best.key, 0, best.key.length), () => this.keyHashes());
      this.countClass(best.key, 1);
    }
    this.count++;
    return { key: best.key, literal: best.literal };
  }

  remove(key: string, item: T): boolean {
    const outcome = removePosting(this.postings, key, item);
    if (outcome === 'absent') return false;
    if (outcome === 'emptied') {
      this.filter.remove(() => this.keyHashes());
      this.countClass(key, -1);
    }
    this.count--;
    return true;
  }

  /** Append to `out` the items filed under each token of `s` (no allocation for tokens nobody filed under). */
  collect(s: string, out: T[]): void {
    if (this.count === 0) return;
    let i = 0;
    while (i < s.length) {
      if (!isWordChar(s.charCodeAt(i))) {
        i++;
        continue;
      }
      const start = i;
      while (i < s.length && isWordChar(s.charCodeAt(i))) i++;
      const c = classOf(i - start, s.charCodeAt(start));
      if ((this.classes[c >>> 5]! & (1 << (c & 31))) === 0) continue;
      if (!this.filter.mayHave(tokenShape(s, start, i))) continue;
      const p = this.postings.get(s.slice(start, i));
      if (p === undefined) continue;
      appendPosting(p, out);
    }
  }

  /** A distinct filed token `key` came (+1) or went (−1): keep its class's bit equal to "has a token". */
  private countClass(key: string, delta: 1 | -1): void {
    const c = classOf(key.length, key.charCodeAt(0));
    const n = (this.perClass.get(c) ?? 0) + delta;
    if (n > 0) this.perClass.set(c, n);
    else this.perClass.delete(c);
    if (n > 0) this.classes[c >>> 5]! |= 1 << (c & 31);
    else this.classes[c >>> 5]! &= ~(1 << (c & 31));
  }

  private *keyHashes(): Iterable<number> {
    for (const k of this.postings.keys()) yield tokenShape(k, 0, k.length);
  }
}
