/**
 * A one-bit-per-bucket hash filter in front of a Map: `mayHave(h)` is false for most absent keys without
 * touching the Map (no string slice, no hash-table probe, no cache miss into a large table). The owner
 * supplies cheap hashes (a token's shape, a gram's three characters). 16 bits per
 * key (~6 % false positives, 2 bytes per key: 100,000 keys fit in 200 KB, mostly in cache).
 * Removal leaves the bit set (a false positive, never a false negative) and counts it as stale; the
 * bits are rebuilt from the owner's keys when they grow or when stale bits outnumber live keys.
 */
const BITS_PER_KEY = 16;
const MIN_BITS = 1024;

export class ProbeFilter {
  private bits = new Uint32Array(MIN_BITS / 32);
  private mask = MIN_BITS - 1;
  private keys = 0;
  private stale = 0;

  /** Number of live keys. */
  get size(): number {
    return this.keys;
  }

  /** False: no key with this hash was added. True: maybe. */
  mayHave(h: number): boolean {
    const b = h & this.mask;
    return (this.bits[b >>> 5]! & (1 << (b & 31))) !== 0;
  }

  /** Record one more key with hash `h`; `allHashes` lists every live key's hash (this one included). */
  add(h: number, allHashes: () => Iterable<number>): void {
    this.keys++;
    if (this.keys * BITS_PER_KEY > this.mask + 1) this.rebuild(allHashes);
    else this.set(h);
  }

  /** One key with hash `h` is gone; `allHashes` lists every live key's hash (for a rebuild). */
  remove(allHashes: () => Iterable<number>): void {
    this.keys--;
    this.stale++;
    if (this.stale > this.keys + 64) this.rebuild(allHashes);
  }

  private rebuild(allHashes: () => Iterable<number>): void {
    let size = MIN_BITS;
    while (this.keys * BITS_PER_KEY > size) size *= 2;
    this.bits = new Uint32Array(size / 32);
    this.mask = size - 1;
    this.stale = 0;
    for (const h of allHashes()) this.set(h);
  }

  private set(h: number): void {
    const b = h & this.mask;
    this.bits[b >>> 5]! |= 1 << (b & 31);
  }
}
