/**
 * Rekor v2 tile reader (C2SP tlog-tiles; PROTOCOLS.md §3.2): `<url>/checkpoint` (Ed25519 C2SP note whose
 * origin is the shard's host), hash tiles `tile/<L>/<N>[.p/<W>]` (256 hashes of 32 bytes per full tile), entry
 * bundles `tile/entries/<N>[.p/<W>]` (uint16-length-prefixed entries). Tiles are immutable: hash tiles and
 * full bundles are fetched once (tile-cache.ts); the partial bundle at the tree's end is read only once it has
 * waited `tailWaitMs` (tile-tail.ts, via `readEnd`). Prefix proofs and the start point come from the hash
 * tiles: the subtrees right of a verified range, or the right edge.
 */
import {
  CompactRange,
  TlogError,
  bytesEqual,
  ed25519NoteVerifier,
  hashChildren,
  splitEntryBundle,
  tilePath,
  TILE_WIDTH,
  verifyCheckpoint,
  type NoteVerifier,
} from '@sigwatch/tlog';
import { AdaptiveLimiter, LogHttpError, request, type HttpOptions } from './http.js';
import type { LogConfig } from './log-list.js';
import type { FetchedLeaf, LogHead, LogSource } from './log-source.js';
import { TileCache } from './tile-cache.js';
import { PartialTileHold } from './tile-tail.js';
import { alignedSubtrees, compactRangeSubtrees, rootFromSubtrees, rootMismatch, subtreeKey, type Subtree } from '../follow/merkle-edges.js';

const HASH = 32;

export interface RekorV2Options {
  http?: HttpOptions;
  /** How long the partial bundle at the tree's end may wait before it is read (tile-tail.ts); 0 (default) = at once. */
  tailWaitMs?: number;
  /** Bytes of full entry bundles kept (default 32 MiB ≈ 80 bundles of real hashedrekord entries). */
  bundleCacheBytes?: number;
  /** How long a fetched tile is kept (default 10 s: past a retry two poll intervals later, before a halted log's 30 s retry). */
  cacheTtlMs?: number;
}

export class RekorV2Source implements LogSource {
  readonly maxStep = 256 * 64;
  private readonly verifier: NoteVerifier;
  private readonly http: HttpOptions;
  private readonly hold: PartialTileHold;
  private readonly hashTiles: TileCache<Uint8Array>;
  private readonly bundles: TileCache<Uint8Array[]>;

  constructor(
    readonly config: LogConfig,
    options: RekorV2Options = {},
  ) {
    this.verifier = ed25519NoteVerifier(config.origin, config.publicKey);
    const http = options.http ?? {};
    this.http = { ...http, limiter: http.limiter ?? new AdaptiveLimiter(8, 1, 32) };
    this.hold = new PartialTileHold(options.tailWaitMs ?? 0);
    const ttlMs = options.cacheTtlMs ?? 10_000;
    this.hashTiles = new TileCache((t) => t.length, { maxBytes: 4 * 1024 * 1024, ttlMs });
    this.bundles = new TileCache((b) => b.reduce((n, e) => n + e.length + 2, 0), { maxBytes: options.bundleCacheBytes ?? 32 * 1024 * 1024, ttlMs });
  }

  readEnd(head: LogHead, verifiedSize: bigint): bigint {
    return this.hold.end(head.size, verifiedSize);
  }

  async fetchHead(): Promise<LogHead> {
    this.hashTiles.sweep();
    this.bundles.sweep();
    const bytes = await request(`${this.config.url}/checkpoint`, { accept: 'text/plain' }, this.http);
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    const { checkpoint } = verifyCheckpoint(text, { logKeys: [this.verifier], origin: this.config.origin });
    return { size: checkpoint.size, rootHash: checkpoint.rootHash, signed: text };
  }

  async fetchLeaves(from: bigint, to: bigint): Promise<FetchedLeaf[]> {
    const W = BigInt(TILE_WIDTH);
    const jobs: Promise<FetchedLeaf[]>[] = [];
    for (let n = from / W; n * W < to; n++) {
      const tileStart = n * W;
      const tileEnd = tileStart + W <= to ? tileStart + W : to;
      jobs.push(
        this.fetchBundle(n, Number(tileEnd - tileStart)).then((entries) => {
          const lo = Number((from > tileStart ? from : tileStart) - tileStart);
          const hi = Number(tileEnd - tileStart);
          return entries.slice(lo, hi).map((leaf) => ({ leaf }));
        }),
      );
    }
    return (await Promise.all(jobs)).flat();
  }

  /** Entries of bundle `n`, at least `width` of them (a partial path when width < 256, full tile fallback). */
  private async fetchBundle(n: bigint, width: number): Promise<Uint8Array[]> {
    const url = (w: number) => `${this.config.url}/${tilePath({ kind: 'entries', level: 0, index: n, width: w })}`;
    const get = async (w: number) => this.checkBundle(n, w, await request(url(w), { accept: 'application/octet-stream' }, this.http));
    // Full bundles are kept; a partial one is read once, when the tail is due, and not kept.
    const full = () => this.bundles.get(url(TILE_WIDTH), () => get(TILE_WIDTH));
    if (width === TILE_WIDTH) return full();
    // A partial bundle may be gone once the tile is full: fall back to the full one.
    return get(width).catch((e: unknown) => {
      if (e instanceof LogHttpError && e.status === 404) return full();
      throw e;
    });
  }

  private checkBundle(n: bigint, width: number, bytes: Uint8Array): Uint8Array[] {
    const entries = splitEntryBundle(bytes);
    if (entries.length < width) throw new TlogError('MALFORMED_TILE', `${this.config.origin}: entry bundle ${n} has ${entries.length} entries, want ${width}`);
    return entries;
  }

  private fetchHashes(level: number, n: bigint, width: number): Promise<Uint8Array> {
    const path = tilePath({ kind: 'hash', level, index: n, width });
    return this.hashTiles.get(path, async () => {
      const bytes = await request(`${this.config.url}/${path}`, { accept: 'application/octet-stream' }, this.http);
      if (bytes.length !== width * HASH) throw new TlogError('MALFORMED_TILE', `${this.config.origin}: tile ${path} has ${bytes.length} bytes, want ${width * HASH}`);
      return bytes;
    });
  }

  /** Hash of an aligned subtree of a tree of `treeSize` leaves, read from the hash tiles. */
  private async subtreeHash(t: Subtree, treeSize: bigint): Promise<Uint8Array> {
    const height = t.size.toString(2).length - 1;
    const level = Math.floor(height / 8);
    const shift = BigInt(8 * level);
    const count = 1 << (height - 8 * level);
    const first = t.start >> shift;
    const n = first >> 8n;
    const nodesAtLevel = treeSize >> shift;
    const width = Number(nodesAtLevel - n * 256n < 256n ? nodesAtLevel - n * 256n : 256n);
    const tile = await this.fetchHashes(level, n, width);
    const offset = Number(first - n * 256n);
    let layer: Uint8Array[] = [];
    for (let i = 0; i < count; i++) layer.push(tile.subarray((offset + i) * HASH, (offset + i + 1) * HASH));
    while (layer.length > 1) {
      const next: Uint8Array[] = [];
      for (let i = 0; i < layer.length; i += 2) next.push(hashChildren(layer[i] as Uint8Array, layer[i + 1] as Uint8Array));
      layer = next;
    }
    return layer[0] as Uint8Array;
  }

  async provePrefix(range: CompactRange, head: LogHead): Promise<void> {
    const nodes = new Map<string, Uint8Array>();
    compactRangeSubtrees(range.size).forEach((t, i) => nodes.set(subtreeKey(t), range.hashes[i] as Uint8Array));
    for (const t of alignedSubtrees(range.size, head.size)) nodes.set(subtreeKey(t), await this.subtreeHash(t, head.size));
    const root = rootFromSubtrees(head.size, nodes);
    if (!bytesEqual(root, head.rootHash)) throw this.proofFailed(rootMismatch(`${this.config.origin}: tree at ${range.size} extended by the hash tiles to ${head.size}`, root, head.rootHash));
  }

  async rangeAt(size: bigint, head: LogHead): Promise<CompactRange> {
    const hashes: Uint8Array[] = [];
    for (const t of compactRangeSubtrees(size)) hashes.push(await this.subtreeHash(t, head.size));
    return CompactRange.fromHashes(size, hashes);
  }

  async compactRangeAt(head: LogHead): Promise<CompactRange> {
    const range = await this.rangeAt(head.size, head);
    if (!bytesEqual(range.root(), head.rootHash)) throw this.proofFailed(rootMismatch(`${this.config.origin}: right edge of the hash tiles at ${head.size}`, range.root(), head.rootHash));
    return range;
  }

  /** A proof failed: some tile the log served is false, so nothing it served is kept. */
  private proofFailed(e: TlogError): TlogError {
    this.hashTiles.clear();
    this.bundles.clear();
    return e;
  }
}
