/** Bit arithmetic on tree sizes and indexes (bigint, < 2^64) shared by the proof verifiers. */

export function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

export function popCount(x: bigint): number {
  let n = 0;
  for (const c of x.toString(2)) if (c === '1') n++;
  return n;
}

export function trailingZeros(x: bigint): number {
  if (x === 0n) return 64;
  let n = 0;
  while ((x & 1n) === 0n) {
    x >>= 1n;
    n++;
  }
  return n;
}

/**
 * Splits the audit path of leaf `index` in a tree of `size` leaves (RFC 9162 §2.1.3) into its `inner` part
 * (siblings below the level where the path to `index` and the path to the last leaf diverge) and its `border`
 * part (left siblings above it, one per set bit). Requires index < size.
 */
export function decomposeInclusionProof(index: bigint, size: bigint): { inner: number; border: number } {
  const inner = bitLength(index ^ (size - 1n));
  const border = popCount(index >> BigInt(inner));
  return { inner, border };
}
