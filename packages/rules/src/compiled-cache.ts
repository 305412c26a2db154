/**
 * The index's compiled rules, kept for at most `capacity` entries and evicted by CLOCK (second chance):
 * a hit only sets the entry's "used" bit; a miss that finds the cache full sweeps from the oldest entry,
 * clearing used bits, and evicts the first entry not used since the last sweep passed it.
 *
 * An LRU kept in a Map's insertion order (delete and set again on every hit) measured ~1.3 µs per hit
 * at 100,000 rules: the Map fills with deleted slots and rehashes, and a candidate's lookup is cold. Here
 * a hit is a Map probe and one byte written. Ids are small integers (EntryTable rows).
 */
export class CompiledCache<T> {
  private readonly entries = new Map<number, T>();
  /** Used bit per id. */
  private used = new Uint8Array(1024);

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(id: number): T | undefined {
    const v = this.entries.get(id);
    if (v !== undefined) this.used[id] = 1;
    return v;
  }

  set(id: number, value: T): void {
    if (id >= this.used.length) this.grow(id);
    if (!this.entries.has(id) && this.entries.size >= Math.max(1, this.capacity)) this.evictOne();
    this.entries.set(id, value);
    this.used[id] = 0;
  }

  delete(id: number): void {
    this.entries.delete(id);
  }

  /** Evict one entry: the oldest not used since it was (re)inserted; used ones go round again. */
  private evictOne(): void {
    for (;;) {
      const oldest = this.entries.entries().next();
      if (oldest.done === true) return;
      const [id, value] = oldest.value;
      this.entries.delete(id);
      if (this.used[id] === 0) return;
      this.used[id] = 0;
      this.entries.set(id, value);
    }
  }

  private grow(id: number): void {
    let n = this.used.length;
    while (n <= id) n *= 2;
    const used = new Uint8Array(n);
    used.set(this.used);
    this.used = used;
  }
}
