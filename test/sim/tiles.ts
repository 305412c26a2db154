/**
 * C2SP tlog-tiles paths (`tlog-tiles.md`): `tile/<L>/<N>[.p/<W>]` and `tile/entries/<N>[.p/<W>]`, with N
 * written as 3-digit groups, all but the last prefixed by `x` (1234067 → `x001/x234/067`). Tile height 8
 * (256 hashes or entries a full tile). Private to the simulator until `@sigwatch/tlog` exports its own.
 */
export const TILE_WIDTH = 256;
export const TILE_HEIGHT = 8;

export function formatTileIndex(n: number): string {
  let s = String(n);
  while (s.length % 3 !== 0) s = `0${s}`;
  const groups = s.match(/.{3}/g) ?? ['000'];
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

export interface TilePath {
  /** Hash tile level, or 'entries' for an entry bundle. */
  level: number | 'entries';
  index: number;
  /** Partial width 1–255, or undefined for a full tile. */
  width?: number;
}

export function formatTilePath(t: TilePath): string {
  const base = `tile/${t.level === 'entries' ? 'entries' : String(t.level)}/${formatTileIndex(t.index)}`;
  return t.width === undefined ? base : `${base}.p/${t.width}`;
}

/** Parses the part after `tile/`; returns undefined when it is not a well-formed tile path. */
export function parseTilePath(rest: string): TilePath | undefined {
  const m = /^(entries|[0-9]|[1-5][0-9]|6[0-3])\/((?:x[0-9]{3}\/)*)([0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/.exec(rest);
  if (m === null) return undefined;
  const [, lvl, xs, last, w] = m;
  const digits = `${(xs ?? '').replace(/x|\//g, '')}${last ?? ''}`;
  const index = Number(digits);
  if (!Number.isSafeInteger(index)) return undefined;
  // Canonical: no superfluous leading groups.
  if (formatTileIndex(index) !== `${xs ?? ''}${last ?? ''}`) return undefined;
  const width = w === undefined ? undefined : Number(w);
  if (width !== undefined && width >= TILE_WIDTH) return undefined;
  const out: TilePath = { level: lvl === 'entries' ? 'entries' : Number(lvl), index };
  if (width !== undefined) out.width = width;
  return out;
}

/** Entry bundle: each entry as a big-endian uint16 length ‖ bytes. */
export function entryBundle(entries: readonly Uint8Array[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const len = Buffer.alloc(2);
    len.writeUInt16BE(e.length);
    parts.push(len, Buffer.from(e.buffer, e.byteOffset, e.byteLength));
  }
  return Buffer.concat(parts);
}
