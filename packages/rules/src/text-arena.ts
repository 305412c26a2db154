/**
 * Many strings, stored as UTF-8 outside the V8 heap, addressed by (address, byte length): the index's
 * 100,000 rule texts cost their bytes and two integers each, with no string header, no per-string
 * allocation and no old-space fragmentation (the texts are written once, read back only when a rule is
 * first evaluated or removed).
 *
 * The bytes live in chunks of 1 MiB, filled one after the other and never copied while the arena grows
 * (a single buffer grown by doubling held up to twice the bytes in use, and for a moment the old buffer
 * beside the new one: 8 + 16 MiB at 100,000 rules). An address is chunk × 2^20 + offset.
 * Freed bytes are counted; `compact` (driven by the owner, who knows every live address) reclaims them.
 */
const encoder = new TextEncoder();
const decoder = new TextDecoder();

const CHUNK_BITS = 20;
const CHUNK = 1 << CHUNK_BITS;
/** Addresses stay below 2^31 (they are kept in Int32Arrays). */
const MAX_CHUNKS = 2048;

export class TextArena {
  private chunks: Uint8Array[] = [];
  /** Bytes used in the last chunk. */
  private tail = CHUNK;
  private used = 0;
  private freed = 0;
  /** Byte length of the text `store` wrote last. */
  lastBytes = 0;

  /** Bytes in use, bytes freed but not yet reclaimed, bytes allocated. */
  get stats(): { used: number; freed: number; capacity: number } {
    return { used: this.used, freed: this.freed, capacity: this.chunks.length * CHUNK };
  }

  /**
   * Append `s`; returns its address (its byte length is then in `lastBytes`).
   * Precondition: `s` is at most 2^20 bytes in UTF-8 (a rule's JSON is far below: see schema.ts limits).
   */
  store(s: string): number {
    if (this.tail + s.length * 3 > CHUNK) {
      const bytes = s.length * 3 > CHUNK ? encoder.encode(s).length : 0;
      if (bytes > CHUNK) throw new RangeError(`TextArena: a text of ${bytes} bytes does not fit a chunk`);
      if (this.tail + bytes > CHUNK || bytes === 0) this.addChunk();
    }
    const chunk = this.chunks.length - 1;
    const { written } = encoder.encodeInto(s, this.chunks[chunk]!.subarray(this.tail));
    const at = chunk * CHUNK + this.tail;
    this.tail += written;
    this.used += written;
    this.lastBytes = written;
    return at;
  }

  read(at: number, bytes: number): string {
    const offset = at & (CHUNK - 1);
    return decoder.decode(this.chunks[at >>> CHUNK_BITS]!.subarray(offset, offset + bytes));
  }

  free(bytes: number): void {
    this.freed += bytes;
  }

  /** Worth compacting: more than half of what is written is freed. */
  get fragmented(): boolean {
    return this.freed > 65536 && this.freed * 2 > this.used;
  }

  /**
   * Copy every live text into fresh chunks. `visit` is called once with `relocate`, and calls it for
   * each live text (its address and byte length), storing the new address it returns.
   */
  compact(visit: (relocate: (at: number, bytes: number) => number) => void): void {
    const old = this.chunks;
    this.chunks = [];
    this.tail = CHUNK;
    this.used = 0;
    this.freed = 0;
    visit((at, bytes) => {
      if (this.tail + bytes > CHUNK) this.addChunk();
      const offset = at & (CHUNK - 1);
      const chunk = this.chunks.length - 1;
      this.chunks[chunk]!.set(old[at >>> CHUNK_BITS]!.subarray(offset, offset + bytes), this.tail);
      const moved = chunk * CHUNK + this.tail;
      this.tail += bytes;
      this.used += bytes;
      return moved;
    });
  }

  private addChunk(): void {
    if (this.chunks.length === MAX_CHUNKS) throw new RangeError('TextArena: full (2 GiB)');
    this.chunks.push(new Uint8Array(CHUNK));
    this.tail = 0;
  }
}
