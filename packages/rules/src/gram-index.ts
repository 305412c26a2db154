/**
 * Substring prefilter: each item is filed under one 3-character gram of the literals it requires.
 * The gram chosen is the one the fewest items' literals contain (`popularity`), so items whose
 * literals share common text ("/.github/workflows/", "example.org") are filed under their distinctive
 * part. `collect(s)` visits items whose gram occurs in `s`: one Map probe per position of `s`, whatever
 * the number of items.
 */
import { addPosting, appendPosting, postingSize, removePosting, type Posting } from './postings.js';
import { ProbeFilter } from './probe-filter.js';

export const GRAM = 3;

function gramKey(s: string, i: number): number {
  // three UTF-16 code units packed into one safe integer (< 2^48)
  return s.charCodeAt(i) * 4294967296 + s.charCodeAt(i + 1) * 65536 + s.charCodeAt(i + 2);
}

function gramsOf(literals: readonly string[]): Set<number> {
  const keys = new Set<number>();
  for (const lit of literals) for (let i = 0; i + GRAM <= lit.length; i++) keys.add(gramKey(lit, i));
  return keys;
}

/** 32-bit hash of the gram at s[i] (for the probe filter; equal grams, equal hashes). */
function gramHash(s: string, i: number): number {
  const h = Math.imul(s.charCodeAt(i), 0x9e3779b1) ^ Math.imul(s.charCodeAt(i + 1), 0x85ebca77) ^ Math.imul(s.charCodeAt(i + 2), 0xc2b2ae3d);
  return (h ^ (h >>> 15)) >>> 0;
}

function gramHashOfKey(key: number): number {
  const c0 = Math.floor(key / 4294967296);
  const c1 = Math.floor(key / 65536) % 65536;
  const c2 = key % 65536;
  return gramHash(String.fromCharCode(c0, c1, c2), 0);
}


export class GramIndex<T> {
  private readonly postings = new Map<number, Posting<T>>();
  /** How many counted items' literals contain each gram. */
  private readonly popularity = new Map<number, number>();
  private readonly filter = new ProbeFilter();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Count the grams of one item's literals (before `insert`; `build` counts every item first). */
  countLiterals(literals: readonly string[]): void {
    for (const k of gramsOf(literals)) this.popularity.set(k, (this.popularity.get(k) ?? 0) + 1);
  }

  /** Undo `countLiterals` (on removal). */
  uncountLiterals(literals: readonly string[]): void {
    for (const k of gramsOf(literals)) {
      const n = (this.popularity.get(k) ?? 1) - 1;
      if (n <= 0) this.popularity.delete(k);
      else this.popularity.set(k, n);
    }
  }

  /**
   * File `item` under the least popular gram of `literals` (each ≥ GRAM long, at least one).
   * Returns the gram key (for `remove`) and the literal that contains it (for a quick `includes` check).
   */
  insert(literals: readonly string[], item: T): { key: number; literal: string } {
    let best: { key: number; literal: string; pop: number; len: number } | undefined;
    for (const lit of literals) {
      if (lit.length < GRAM) continue;
      for (let i = 0; i + GRAM <= lit.length; i++) {
        const key = gramKey(lit, i);
        const pop = this.popularity.get(key) ?? 0;
        const p = this.postings.get(key);
        const len = postingSize(p);
        if (best === undefined || pop < best.pop || (pop === best.pop && len < best.len)) best = { key, literal: lit, pop, len };
      }
    }
    if (best === undefined) throw new Error('GramIndex.insert: no literal of at least 3 characters');
    if (addPosting(this.postings, best.key, item)) this.filter.add(gramHashOfKey(best.key), () => this.keyHashes());
    this.count++;
    return { key: best.key, literal: best.literal };
  }

  remove(key: number, item: T): boolean {
    const outcome = removePosting(this.postings, key, item);
    if (outcome === 'absent') return false;
    if (outcome === 'emptied') this.filter.remove(() => this.keyHashes());
    this.count--;
    return true;
  }

  /** Append to `out` the items filed under each gram of `s` (an item may be appended more than once). */
  collect(s: string, out: T[]): void {
    if (this.count === 0) return;
    for (let i = 0; i + GRAM <= s.length; i++) {
      if (!this.filter.mayHave(gramHash(s, i))) continue;
      const p = this.postings.get(gramKey(s, i));
      if (p === undefined) continue;
      appendPosting(p, out);
    }
  }

  private *keyHashes(): Iterable<number> {
    for (const k of this.postings.keys()) yield gramHashOfKey(k);
  }
}
