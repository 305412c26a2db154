/**
 * Substring prefilter: each item is filed under one 3-character gram of a literal it requires (the gram
 * with the fewest items at insertion time). `collect(s)` visits items whose gram occurs in `s`, which
 * costs one Map probe per position of `s`, whatever the number of items.
 */
export const GRAM = 3;

function gramKey(s: string, i: number): number {
  // three UTF-16 code units packed into one safe integer (< 2^48)
  return s.charCodeAt(i) * 4294967296 + s.charCodeAt(i + 1) * 65536 + s.charCodeAt(i + 2);
}

export class GramIndex<T> {
  private readonly postings = new Map<number, T[]>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** File `item` under the rarest gram of `literal` (length ≥ GRAM); returns the key for `remove`. */
  insert(literal: string, item: T): number {
    let best = gramKey(literal, 0);
    let bestCount = this.postings.get(best)?.length ?? 0;
    for (let i = 1; i + GRAM <= literal.length && bestCount > 0; i++) {
      const k = gramKey(literal, i);
      const c = this.postings.get(k)?.length ?? 0;
      if (c < bestCount) {
        best = k;
        bestCount = c;
      }
    }
    const list = this.postings.get(best);
    if (list === undefined) this.postings.set(best, [item]);
    else list.push(item);
    this.count++;
    return best;
  }

  remove(key: number, item: T): boolean {
    const list = this.postings.get(key);
    const i = list?.indexOf(item) ?? -1;
    if (list === undefined || i < 0) return false;
    list.splice(i, 1);
    if (list.length === 0) this.postings.delete(key);
    this.count--;
    return true;
  }

  /** Visit the items filed under each gram of `s` (an item may be visited more than once). */
  collect(s: string, visit: (item: T) => void): void {
    if (this.count === 0) return;
    for (let i = 0; i + GRAM <= s.length; i++) {
      const list = this.postings.get(gramKey(s, i));
      if (list !== undefined) for (const it of list) visit(it);
    }
  }
}
