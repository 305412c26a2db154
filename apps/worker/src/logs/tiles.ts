/**
 * tlog-tiles paths and entry bundles (C2SP tlog-tiles). TEMPORARY local copy until @sigwatch/tlog exports
 * its tiles module; then this file re-exports from there.
 */
import { TlogError } from '@sigwatch/tlog';

export const TILE_WIDTH = 256;

/** `N` as zero-padded 3-digit path elements, all but the last prefixed with `x` (e.g. x001/x234/067). */
export function encodeTileIndex(n: bigint): string {
  const digits = n.toString();
  const padded = digits.padStart(Math.ceil(digits.length / 3) * 3, '0');
  const groups = padded.match(/.{3}/g) ?? ['000'];
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

export function tilePath(level: number, n: bigint, width?: number): string {
  return `tile/${level}/${encodeTileIndex(n)}${width !== undefined ? `.p/${width}` : ''}`;
}

export function entryBundlePath(n: bigint, width?: number): string {
  return `tile/entries/${encodeTileIndex(n)}${width !== undefined ? `.p/${width}` : ''}`;
}

export function splitEntryBundle(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let i = 0;
  while (i < bytes.length) {
    if (i + 2 > bytes.length) throw new TlogError('MALFORMED_TILE', `entry bundle truncated in a length prefix at byte ${i}`);
    const len = ((bytes[i] as number) << 8) | (bytes[i + 1] as number);
    i += 2;
    if (i + len > bytes.length) throw new TlogError('MALFORMED_TILE', `entry bundle truncated: entry at byte ${i - 2} needs ${len} bytes`);
    out.push(bytes.subarray(i, i + len));
    i += len;
  }
  return out;
}
