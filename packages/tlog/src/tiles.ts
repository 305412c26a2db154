/**
 * C2SP tlog-tiles (`tlog-tiles.md`) and static-ct-api paths and entry bundles.
 *
 * - Hash tiles: `tile/<L>/<N>[.p/<W>]`, 256 hashes per full tile (8192 bytes), partial width W in 1..255.
 * - Entry bundles: `tile/entries/<N>[.p/<W>]` — a sequence of big-endian uint16 length-prefixed entries.
 * - Static CT data tiles: `tile/data/<N>[.p/<W>]` (see `static-ct.ts` for their entries).
 * - `<N>` is written in groups of three zero-padded decimal digits, every group but the last prefixed by `x`:
 *   1234067 → `x001/x234/067`.
 * Malformed paths, tiles and bundles throw `MALFORMED_TILE`.
 */
import { TlogError } from './errors.js';
import { HASH_SIZE } from './hash.js';
import { concatBytes, MAX_U64 } from './encoding.js';

export const TILE_WIDTH = 256;
export const TILE_HEIGHT = 8;

export type TileKind = 'hash' | 'entries' | 'data';

export interface TileRef {
  kind: TileKind;
  /** Level (hash tiles only; 0 for entries/data tiles). */
  level: number;
  /** Tile index. */
  index: bigint;
  /** Number of entries: 256 for a full tile, 1..255 for a partial one. */
  width: number;
}

/** Encodes a tile index as `x001/x234/067`. */
export function encodeTileIndex(n: bigint | number): string {
  let x = BigInt(n);
  if (x < 0n || x > MAX_U64) throw new TlogError('MALFORMED_TILE', `tile index ${x} out of range`);
  const groups: string[] = [];
  do {
    groups.unshift((x % 1000n).toString().padStart(3, '0'));
    x /= 1000n;
  } while (x > 0n);
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

/** Path of a tile relative to the log's prefix. */
export function tilePath(t: TileRef): string {
  if (!Number.isInteger(t.width) || t.width < 1 || t.width > TILE_WIDTH) throw new TlogError('MALFORMED_TILE', `tile width ${t.width} not in 1..256`);
  if (t.kind === 'hash' && (!Number.isInteger(t.level) || t.level < 0 || t.level > 63)) throw new TlogError('MALFORMED_TILE', `tile level ${t.level} not in 0..63`);
  const dir = t.kind === 'hash' ? String(t.level) : t.kind;
  return `tile/${dir}/${encodeTileIndex(t.index)}${t.width < TILE_WIDTH ? `.p/${t.width}` : ''}`;
}

/** Parses a tile path (as produced by `tilePath`); rejects non-canonical index encodings. */
export function parseTilePath(path: string): TileRef {
  const m = /^tile\/(entries|data|[0-9]|[1-5][0-9]|6[0-3])\/((?:x[0-9]{3}\/){0,6}[0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/.exec(path);
  if (m === null) throw new TlogError('MALFORMED_TILE', `not a tile path: "${path.slice(0, 200)}"`);
  const [, dir, idx, w] = m as unknown as [string, string, string, string | undefined];
  const groups = idx.split('/').map((g) => g.replace(/^x/, ''));
  if (groups.length > 1 && groups[0] === '000') throw new TlogError('MALFORMED_TILE', `tile index "${idx}" has a leading zero group`);
  const index = BigInt(groups.join(''));
  if (index > MAX_U64) throw new TlogError('MALFORMED_TILE', 'tile index out of range');
  const width = w === undefined ? TILE_WIDTH : Number(w);
  if (w !== undefined && width >= TILE_WIDTH) throw new TlogError('MALFORMED_TILE', `partial tile width ${width} must be below ${TILE_WIDTH}`);
  const kind: TileKind = dir === 'entries' ? 'entries' : dir === 'data' ? 'data' : 'hash';
  return { kind, level: kind === 'hash' ? Number(dir) : 0, index, width };
}

/**
 * The level-`level` tiles a verifier needs for a tree of `treeSize` leaves: full tiles up to the last
 * complete one, plus the partial tile (if any). For level 0 these are also the entry-bundle indexes.
 */
export function tilesForSize(treeSize: bigint, level = 0): TileRef[] {
  const unit = 1n << BigInt(TILE_HEIGHT * level);
  const entries = treeSize / unit; // number of hashes at this level
  const full = entries / BigInt(TILE_WIDTH);
  const partial = Number(entries % BigInt(TILE_WIDTH));
  if (full > 1_000_000n) throw new TlogError('MALFORMED_TILE', 'too many tiles to list');
  const out: TileRef[] = [];
  for (let i = 0n; i < full; i++) out.push({ kind: 'hash', level, index: i, width: TILE_WIDTH });
  if (partial > 0) out.push({ kind: 'hash', level, index: full, width: partial });
  return out;
}

/** Splits a hash tile into its 32-byte hashes; the byte length must be a multiple of 32 within 1..256 hashes. */
export function splitHashTile(tile: Uint8Array, expectedWidth?: number): Uint8Array[] {
  if (tile.length === 0 || tile.length % HASH_SIZE !== 0 || tile.length > TILE_WIDTH * HASH_SIZE) {
    throw new TlogError('MALFORMED_TILE', `hash tile of ${tile.length} bytes is not 1..256 hashes`);
  }
  const n = tile.length / HASH_SIZE;
  if (expectedWidth !== undefined && n !== expectedWidth) throw new TlogError('MALFORMED_TILE', `hash tile has ${n} hashes, want ${expectedWidth}`);
  return Array.from({ length: n }, (_, i) => tile.slice(i * HASH_SIZE, (i + 1) * HASH_SIZE));
}

/**
 * Splits an entry bundle into its entries (uint16 big-endian length, then the bytes). With `expectedCount`,
 * the bundle must hold exactly that many. Truncation or trailing bytes throw `MALFORMED_TILE`. The entries
 * are views into `bundle`, not copies.
 */
export function splitEntryBundle(bundle: Uint8Array, expectedCount?: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let off = 0;
  while (off < bundle.length) {
    if (out.length >= TILE_WIDTH) throw new TlogError('MALFORMED_TILE', `entry bundle has more than ${TILE_WIDTH} entries`);
    if (off + 2 > bundle.length) throw new TlogError('MALFORMED_TILE', `entry bundle truncated in a length prefix at byte ${off}`);
    const len = ((bundle[off] as number) << 8) | (bundle[off + 1] as number);
    off += 2;
    if (off + len > bundle.length) throw new TlogError('MALFORMED_TILE', `entry ${out.length} (${len} bytes) runs past the bundle end`);
    out.push(bundle.subarray(off, off + len));
    off += len;
  }
  if (expectedCount !== undefined && out.length !== expectedCount) {
    throw new TlogError('MALFORMED_TILE', `entry bundle has ${out.length} entries, want ${expectedCount}`);
  }
  return out;
}

/** Joins entries into an entry bundle (each ≤ 65535 bytes, at most 256). */
export function joinEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  if (entries.length > TILE_WIDTH) throw new TlogError('MALFORMED_TILE', `an entry bundle holds at most ${TILE_WIDTH} entries`);
  const parts: Uint8Array[] = [];
  for (const [i, e] of entries.entries()) {
    if (e.length > 0xffff) throw new TlogError('MALFORMED_TILE', `entry ${i} is ${e.length} bytes (max 65535)`);
    parts.push(Uint8Array.of(e.length >> 8, e.length & 0xff), e);
  }
  return concatBytes(...parts);
}
