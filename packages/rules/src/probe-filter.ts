/**
 * A blocked Bloom filter in front of a Map: `mayHave(h)` is false for most absent keys without touching
 * the Map (no string slice, no V8 string hash of a fresh value, no probe into a multi-megabyte table).
 * The owner supplies cheap 32-bit hashes (a sampled hash, a token's shape, a gram's characters).
 *
 * Each key sets four bits inside one 64-byte block (one cache line): a lookup reads one line. At 16 bits
 * per key that is ~0.3 % false "maybe"s (one bit per key in a filter of the same size gives ~6 %), and
 * each false "maybe" costs the owner a Map probe: V8 hashes the whole fresh string and misses the cache in
 * a table that grows with the number of keys. The four bits are read without a branch between them, so
 * the CPU runs on to the next probe while the line is fetched (a branch per bit measured ~3× slower).
 * Removal leaves the bits set (false positives, never a false negative) and counts the key as stale; the
 * bits are rebuilt from the owner's keys when they grow or when stale keys outnumber live ones.
 */
const BITS_PER_KEY = 16;
/** 16 words of 32 bits: one 64-byte cache line. */
const BLOCK_WORDS = 16;
const MIN_BLOCKS = 4;

/** The block of hash `h` among `blocks`, from its high bits (multiply-shift: any block count, not only powers of two). */
const blockOf = (h: number, blocks: number): number => Math.floor(((h >>> 0) * blocks) / 4294967296);

/** 32 bits for the four 9-bit positions inside the block: a remix of `h`, whose high bits chose the block. */
function inBlock(h: number): number {
  const g = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  return g ^ (g >>> 12);
}

export class ProbeFilter {
  private bits = new Uint32Array(MIN_BLOCKS * BLOCK_WORDS);
  private blocks = MIN_BLOCKS;
  private keys = 0;
  private stale = 0;

  /** Number of live keys. */
  get size(): number {
    return this.keys;
  }

  /** False: no key with this hash was added. True: maybe. */
  mayHave(h: number): boolean {
    const bits = this.bits;
    const base = blockOf(h, this.blocks) * BLOCK_WORDS;
    const g = inBlock(h);
    const p0 = g & 511;
    const p1 = (g >>> 9) & 511;
    const p2 = (g >>> 18) & 511;
    const p3 = ((g >>> 27) | (g << 5)) & 511;
    const all =
      (bits[base + (p0 >>> 5)]! >>> p0) & (bits[base + (p1 >>> 5)]! >>> p1) & (bits[base + (p2 >>> 5)]! >>> p2) & (bits[base + (p3 >>> 5)]! >>> p3);
    return (all & 1) !== 0;
  }

  /** Record one more key with hash `h`; `allHashes` lists every live key's hash (this one included). */
  add(h: number, allHashes: () => Iterable<number>): void {
    this.keys++;
    if (this.keys * BITS_PER_KEY > this.blocks * BLOCK_WORDS * 32) this.rebuild(allHashes);
    else this.set(h);
  }

  /** One key with hash `h` is gone; `allHashes` lists every live key's hash (for a rebuild). */
  remove(allHashes: () => Iterable<number>): void {
    this.keys--;
    this.stale++;
    if (this.stale > this.keys + 64) this.rebuild(allHashes);
  }

  private rebuild(allHashes: () => Iterable<number>): void {
    // 25 % headroom, so that a growing owner rebuilds every ~25 % of growth rather than at every key
    const blocks = Math.max(MIN_BLOCKS, Math.ceil((this.keys * BITS_PER_KEY * 1.25) / (BLOCK_WORDS * 32)));
    this.bits = new Uint32Array(blocks * BLOCK_WORDS);
    this.blocks = blocks;
    this.stale = 0;
    for (const h of allHashes()) this.set(h);
  }

  private set(h: number): void {
    const bits = this.bits;
    const base = blockOf(h, this.blocks) * BLOCK_WORDS;
    const g = inBlock(h);
    for (const p of [g & 511, (g >>> 9) & 511, (g >>> 18) & 511, ((g >>> 27) | (g << 5)) & 511]) bits[base + (p >>> 5)]! |= 1 << p;
  }
}
