/**
 * Many strings, stored as UTF-8 in one growing byte buffer outside the V8 heap, addressed by
 * (offset, byte length): the index's 100,000 rule texts cost their bytes and two small integers each,
 * with no string header, no per-string allocation, and no old-space fragmentation (the texts are written
 * once, read back only when a rule is first evaluated or removed).
 * Freed bytes are counted; `compact` (driven by the owner, who knows every live address) reclaims them.
 */
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface TextRef {
  at: number;
  bytes: number;
}

export class TextArena {
  private buf = new Uint8Array(1 << 16);
  private used = 0;
  private freed = 0;

  /** Bytes in use, bytes freed but not yet reclaimed. */
  get stats(): { used: number; freed: number; capacity: number } {
    return { used: this.used, freed: this.freed, capacity: this.buf.length };
  }

  /** Append `s`; returns where it is. */
  store(s: string): TextRef {
    this.reserve(s.length * 3);
    const { written } = encoder.encodeInto(s, this.buf.subarray(this.used));
    const ref = { at: this.used, bytes: written };
    this.used += written;
    return ref;
  }

  read(at: number, bytes: number): string {
    return decoder.decode(this.buf.subarray(at, at + bytes));
  }

  free(bytes: number): void {
    this.freed += bytes;
  }

  /** Worth compacting: more than half of what is written is freed. */
  get fragmented(): boolean {
    return this.freed > 65536 && this.freed * 2 > this.used;
  }

  /**
   * Copy every live text (each `refs` element once, its `at` updated in place) into a fresh buffer.
   */
  compact(refs: Iterable<TextRef>): void {
    const old = this.buf;
    let size = 1 << 16;
    while (size < (this.used - this.freed) * 1.25) size *= 2;
    this.buf = new Uint8Array(size);
    this.used = 0;
    this.freed = 0;
    for (const r of refs) {
      this.buf.set(old.subarray(r.at, r.at + r.bytes), this.used);
      r.at = this.used;
      this.used += r.bytes;
    }
  }

  private reserve(n: number): void {
    if (this.used + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (this.used + n > size) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.used));
    this.buf = next;
  }
}
