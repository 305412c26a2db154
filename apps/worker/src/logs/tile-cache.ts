/**
 * Tiles a tile-log reader already fetched, by path. A tile's content is fixed by its path (tlog-tiles: a
 * full tile, or the first W entries at `.p/W`), so a tile is fetched once: requests for a tile in flight
 * share its fetch (a follower's prefetch and its step), and a tile fetched by a poll that then failed is
 * still here for the retry (two poll intervals later).
 *
 * Only what `load` returned is kept: a tile that failed its shape check is never cached. Bounded by bytes
 * (least recently used out first) and by age: a tile is dropped `ttlMs` after it was fetched — shorter than
 * the wait before a halted log is retried, so a log that served a well-formed but false tile is read afresh
 * then — and `clear()` drops everything (the reader calls it when its own proof fails).
 */
export interface TileCacheOptions {
  maxBytes: number;
  ttlMs: number;
  now?: () => number;
}

interface Entry<T> {
  value: Promise<T>;
  bytes: number;
  at: number;
}

export class TileCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private bytes = 0;
  private readonly now: () => number;

  constructor(
    private readonly size: (value: T) => number,
    private readonly options: TileCacheOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** The tile at `path`, from the cache or from `load` (whose rejection is passed on and not cached). */
  get(path: string, load: () => Promise<T>): Promise<T> {
    this.sweep();
    const hit = this.entries.get(path);
    if (hit !== undefined) {
      // Most recently used last: eviction walks the map from its start.
      this.entries.delete(path);
      this.entries.set(path, hit);
      return hit.value;
    }
    const entry: Entry<T> = { value: load(), bytes: 0, at: this.now() };
    this.entries.set(path, entry);
    entry.value.then(
      (v) => {
        if (this.entries.get(path) !== entry) return;
        entry.bytes = this.size(v);
        this.bytes += entry.bytes;
        this.trim();
      },
      () => {
        if (this.entries.get(path) === entry) this.entries.delete(path);
      },
    );
    return entry.value;
  }

  /** Drops tiles older than the TTL (also called by the reader on every poll, so an idle log holds nothing). */
  sweep(): void {
    const oldest = this.now() - this.options.ttlMs;
    for (const [path, e] of this.entries) if (e.at <= oldest) this.drop(path, e);
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  get sizeBytes(): number {
    return this.bytes;
  }

  get count(): number {
    return this.entries.size;
  }

  private trim(): void {
    for (const [path, e] of this.entries) {
      if (this.bytes <= this.options.maxBytes) return;
      this.drop(path, e);
    }
  }

  private drop(path: string, e: Entry<T>): void {
    this.entries.delete(path);
    this.bytes -= e.bytes;
  }
}
