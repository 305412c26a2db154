/**
 * Compiled RE2 programs, shared and bounded. re2js programs are large (~15 KB compiled, ~60 KB once their
 * lazy DFA has run), so 30,000 user regexes cannot all stay compiled: the index compiles a pattern only
 * when a value passes its literal prefilter, and keeps the most recently used ones here (LRU).
 */
import { RE2JS } from 're2js';

let capacity = 512;
const cache = new Map<string, RE2JS>();

/** The compiled program for an RE2 source; throws re2js's syntax error when it does not compile. */
export function re2(source: string): RE2JS {
  const hit = cache.get(source);
  if (hit !== undefined) {
    cache.delete(source);
    cache.set(source, hit);
    return hit;
  }
  const compiled = RE2JS.compile(source);
  cache.set(source, compiled);
  if (cache.size > capacity) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  return compiled;
}

/** Change how many compiled programs are kept (at least 1). Returns the previous capacity. */
export function setRegexCacheCapacity(n: number): number {
  const previous = capacity;
  capacity = Math.max(1, Math.floor(n));
  while (cache.size > capacity) {
    const oldest = cache.keys().next();
    if (oldest.done === true) break;
    cache.delete(oldest.value);
  }
  return previous;
}

export function regexCacheSize(): number {
  return cache.size;
}

/** Compile-check a pattern without caching it: the message of the syntax error, or undefined if it compiles. */
export function re2CompileError(source: string): string | undefined {
  try {
    RE2JS.compile(source);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
