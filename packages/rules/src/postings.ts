/**
 * Posting lists keyed in a Map, as the prefix, word and 3-gram indexes keep them: one item is held directly, several
 * in an array (most keys have exactly one rule, and this saves an array per key at 100,000 rules).
 * T must not itself be an array.
 */
export type Posting<T> = T | T[];

/** File `item` under `key`; true when the key had no items before (the caller's filter learns the key). */
export function addPosting<K, T>(map: Map<K, Posting<T>>, key: K, item: T): boolean {
  const p = map.get(key);
  if (p === undefined) {
    map.set(key, item);
    return true;
  }
  if (Array.isArray(p)) p.push(item);
  else map.set(key, [p, item]);
  return false;
}

/** Remove one `item` from `key`: `absent` if it was not there, `emptied` when the key has no items left. */
export function removePosting<K, T>(map: Map<K, Posting<T>>, key: K, item: T): 'absent' | 'removed' | 'emptied' {
  const p = map.get(key);
  if (p === undefined) return 'absent';
  if (Array.isArray(p)) {
    const i = p.indexOf(item);
    if (i < 0) return 'absent';
    p.splice(i, 1);
    if (p.length === 1) map.set(key, p[0]!);
    return 'removed';
  }
  if (p !== item) return 'absent';
  map.delete(key);
  return 'emptied';
}

export function postingSize<T>(p: Posting<T> | undefined): number {
  return p === undefined ? 0 : Array.isArray(p) ? p.length : 1;
}

/** Append a posting's items to `out` (hot path: no allocation). */
export function appendPosting<T>(p: Posting<T>, out: T[]): void {
  if (Array.isArray(p)) for (const it of p) out.push(it);
  else out.push(p);
}
