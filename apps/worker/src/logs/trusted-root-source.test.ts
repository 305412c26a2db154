/** Updates of one TUF cache directory take turns (inTurn); other directories do not wait. */
import { describe, expect, it } from 'vitest';
import { inTurn } from './trusted-root-source.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('inTurn', () => {
  it('runs calls for one key one after the other, in order, even when one fails; other keys at once', async () => {
    const log: string[] = [];
    const job = (name: string, ms: number, fail = false) => async () => {
      log.push(`${name} start`);
      await tick(ms);
      log.push(`${name} end`);
      if (fail) throw new Error(name);
      return name;
    };
    const a1 = inTurn('a', job('a1', 30, true));
    const a2 = inTurn('a', job('a2', 10));
    const b1 = inTurn('b', job('b1', 5));
    await expect(a1).rejects.toThrow('a1');
    await expect(a2).resolves.toBe('a2');
    await expect(b1).resolves.toBe('b1');
    expect(log.indexOf('a2 start')).toBeGreaterThan(log.indexOf('a1 end'));
    expect(log.indexOf('b1 end')).toBeLessThan(log.indexOf('a1 end'));
  });
});
