import { describe, expect, it } from 'vitest';
import { PartialTileHold } from './tile-tail.js';

/** A hold on a clock the test moves. */
function hold(waitMs: number) {
  let t = 1_000_000;
  const h = new PartialTileHold(waitMs, () => t);
  return { end: (head: number, verified: number) => Number(h.end(BigInt(head), BigInt(verified))), tick: (ms: number) => (t += ms) };
}

describe('PartialTileHold', () => {
  it('reads a tile-aligned head and every full tile at once', () => {
    const h = hold(1_000);
    expect(h.end(512, 3)).toBe(512);
    expect(h.end(1024, 512)).toBe(1024);
    // 603 = two full tiles and a partial one: the full ones are read now, the tail waits.
    expect(h.end(603, 3)).toBe(512);
  });

  it('reads the partial tail once the checkpoint has stayed at its size for the wait', () => {
    const h = hold(1_000);
    expect(h.end(300, 256)).toBe(256);
    h.tick(999);
    expect(h.end(300, 256)).toBe(256);
    h.tick(1);
    expect(h.end(300, 256)).toBe(300);
    // Read: nothing is held any more.
    expect(h.end(300, 300)).toBe(300);
  });

  it('on a log that keeps growing inside one tile, reads the tail at most one wait after its first entry came into view', () => {
    const h = hold(1_000);
    expect(h.end(260, 256)).toBe(256);
    h.tick(600);
    expect(h.end(270, 256)).toBe(256);
    h.tick(400);
    expect(h.end(280, 256)).toBe(280);
    // Entries after the read wait their own while.
    h.tick(100);
    expect(h.end(290, 280)).toBe(280);
    h.tick(999);
    expect(h.end(300, 280)).toBe(280);
    h.tick(1);
    expect(h.end(300, 280)).toBe(300);
  });

  it('restarts the wait when the tail moves into the next tile (the held entries are read as a full tile)', () => {
    const h = hold(1_000);
    expect(h.end(300, 256)).toBe(256);
    h.tick(900);
    expect(h.end(520, 256)).toBe(512);
    h.tick(900);
    expect(h.end(530, 512)).toBe(512);
    h.tick(100);
    expect(h.end(530, 512)).toBe(530);
  });

  it('keeps the clock of a tail whose read failed: the retry reads it at once', () => {
    const h = hold(1_000);
    expect(h.end(300, 256)).toBe(256);
    h.tick(1_000);
    expect(h.end(300, 256)).toBe(300);
    // The poll failed: the verified size is still 256.
    expect(h.end(310, 256)).toBe(310);
  });

  it('with a wait of 0 reads every tail at once', () => {
    const h = hold(0);
    expect(h.end(300, 3)).toBe(300);
    expect(h.end(301, 300)).toBe(301);
  });
});
