/**
 * Word prefilter: an item is filed under one *complete token* of a literal it requires — a maximal run
 * of ASCII letters and digits bounded inside the literal by other characters ("team42" and "example"
 * in "@team42.example.org", not "org", which the value might continue). If a value contains the literal,
 * it contains that token as a whole token, so tokenising the value and probing each token finds the item.
 * The least popular token is chosen, so shared words ("github", "example") are avoided.
 */
import { ProbeFilter, hashRange } from './probe-filter.js';

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

/** Postings hold one item directly, several in an array (T must not be an array). */
type Posting<T> = T | T[];

export class TokenIndex<T> {
  private readonly postings = new Map<string, Posting<T>>();
  private readonly popularity = new Map<string, number>();
  private readonly filter = new ProbeFilter();
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
    const p = this.postings.get(best.key);
    if (p === undefined) {
      this.postings.set(best.key, item);
      this.filter.add(hashRange(best.key, 0, best.key.length), () => this.keyHashes());
    } else if (Array.isArray(p)) p.push(item);
    else this.postings.set(best.key, [p, item]);
    this.count++;
    return { key: best.key, literal: best.literal };
  }

  remove(key: string, item: T): boolean {
    const p = this.postings.get(key);
    if (p === undefined) return false;
    if (Array.isArray(p)) {
      const i = p.indexOf(item);
      if (i < 0) return false;
      p.splice(i, 1);
      if (p.length === 1) this.postings.set(key, p[0]!);
    } else if (p === item) {
      this.postings.delete(key);
      this.filter.remove(hashRange(key, 0, key.length));
    } else return false;
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
      let h = 0x811c9dc5;
      while (i < s.length) {
        const c = s.charCodeAt(i);
        if (!isWordChar(c)) break;
        h = Math.imul(h ^ c, 16777619);
        i++;
      }
      if (!this.filter.mayHave((h ^ (h >>> 15)) >>> 0)) continue;
      const p = this.postings.get(s.slice(start, i));
      if (p === undefined) continue;
      if (Array.isArray(p)) for (const it of p) out.push(it);
      else out.push(p);
    }
  }

  private *keyHashes(): Iterable<number> {
    for (const k of this.postings.keys()) yield hashRange(k, 0, k.length);
  }
}
