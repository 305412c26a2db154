/**
 * A counting hash filter in front of a Map: `mayHave(h)` is false for most absent keys without touching
 * the Map (no string slice, no hash-table probe). Buckets count keys, so removal works; the table grows
 * to ≥ 8 buckets per key (under ~12 % false positives) and is rebuilt from the owner's keys when it does.
 * A saturated bucket stays set (only more false positives).
 */
export class ProbeFilter {
  private counts = new Uint16Array(1024);
  private mask = 1023;
  private keys = 0;

  /** False: no key with this hash was added. True: maybe. */
  mayHave(h: number): boolean {
    return this.counts[h & this.mask] !== 0;
  }

  /** Record one more key with hash `h`; `allHashes` lists every key's hash (this one included) for a resize. */
  add(h: number, allHashes: () => Iterable<number>): void {
    this.keys++;
    if (this.keys * 8 > this.counts.length) {
      let size = this.counts.length;
      while (this.keys * 8 > size) size *= 2;
      this.counts = new Uint16Array(size);
      this.mask = size - 1;
      for (const x of allHashes()) this.bump(x);
    } else this.bump(h);
  }

  remove(h: number): void {
    this.keys--;
    const i = h & this.mask;
    const c = this.counts[i]!;
    if (c > 0 && c < 0xffff) this.counts[i] = c - 1;
  }

  private bump(h: number): void {
    const i = h & this.mask;
    const c = this.counts[i]!;
    if (c < 0xffff) this.counts[i] = c + 1;
  }
}

/** FNV-1a over the UTF-16 code units s[start, end). */
export function hashRange(s: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h ^ (h >>> 15)) >>> 0;
}
