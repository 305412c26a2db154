/**
 * Word prefilter: an item is filed under one *complete token* of a literal it requires — a maximal run
 * of ASCII letters and digits bounded inside the literal by other characters ("team42" and "example"
 * in "@team42.example.org", not "org", which the value might continue). If a value contains the literal,
 * it contains that token as a whole token, so tokenising the value and probing each token finds the item.
 * The least popular token is chosen, so shared words ("github", "example") are avoided.
 */
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
  private readonly postings = new Map<string, T[]>();
  private readonly popularity = new Map<string, number>();
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
    const list = this.postings.get(best.key);
    if (list === undefined) this.postings.set(best.key, [item]);
    else list.push(item);
    this.count++;
    return { key: best.key, literal: best.literal };
  }

  remove(key: string, item: T): boolean {
    const list = this.postings.get(key);
    const i = list?.indexOf(item) ?? -1;
    if (list === undefined || i < 0) return false;
    list.splice(i, 1);
    if (list.length === 0) this.postings.delete(key);
    this.count--;
    return true;
  }

  /** Visit the items filed under each token of `s`. */
  collect(s: string, visit: (item: T) => void): void {
    if (this.count === 0) return;
    let i = 0;
    while (i < s.length) {
      if (!isWordChar(s.charCodeAt(i))) {
        i++;
        continue;
      }
      const start = i;
      while (i < s.length && isWordChar(s.charCodeAt(i))) i++;
      const list = this.postings.get(s.slice(start, i));
      if (list !== undefined) for (const it of list) visit(it);
    }
  }
}
