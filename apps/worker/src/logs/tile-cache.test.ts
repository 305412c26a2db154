import { describe, expect, it } from 'vitest';
import { TileCache } from './tile-cache.js';

function cache(maxBytes = 1_000, ttlMs = 10_000) {
  let t = 0;
  const loads: string[] = [];
  const c = new TileCache<Uint8Array>((v) => v.length, { maxBytes, ttlMs, now: () => t });
  const get = (path: string, bytes = 100) =>
    c.get(path, async () => {
      loads.push(path);
      return new Uint8Array(bytes);
    });
  return { c, get, loads, tick: (ms: number) => (t += ms) };
}

describe('TileCache', () => {
  it('loads a tile once: a second request, also one made while the first is in flight, shares it', async () => {
    const { get, loads } = cache();
    const [a, b] = await Promise.all([get('tile/0/000'), get('tile/0/000')]);
    expect(a).toBe(b);
    await get('tile/0/000');
    expect(loads).toEqual(['tile/0/000']);
  });

  it('does not keep a failed load', async () => {
    const { c, get, loads } = cache();
    await expect(c.get('tile/entries/000', () => Promise.reject(new Error('truncated')))).rejects.toThrow('truncated');
    await get('tile/entries/000');
    expect(loads).toEqual(['tile/entries/000']);
  });

  it('evicts the least recently used tiles beyond its byte budget', async () => {
    const { c, get, loads } = cache(300);
    await get('a');
    await get('b');
    await get('c');
    await get('a'); // touched: b is now the oldest
    await get('d');
    expect(c.sizeBytes).toBe(300);
    await get('a');
    await get('c');
    await get('d');
    await get('b');
    expect(loads).toEqual(['a', 'b', 'c', 'd', 'b']);
  });

  it('drops tiles once they are older than the TTL, and everything on clear()', async () => {
    const { c, get, loads, tick } = cache(1_000, 5_000);
    await get('a');
    tick(4_999);
    await get('a');
    tick(1);
    c.sweep();
    expect(c.count).toBe(0);
    expect(c.sizeBytes).toBe(0);
    await get('a');
    await get('b');
    c.clear();
    await get('b');
    expect(loads).toEqual(['a', 'a', 'b', 'b']);
  });
});
