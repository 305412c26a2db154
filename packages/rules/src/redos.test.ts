/**
 * Catastrophic-backtracking patterns on 100,000-character values: with RE2 semantics each finishes in
 * linear time and gives the right answer. (The "< 50 ms" figure is measured by bench/match.bench.ts;
 * tests check completion and correctness, not speed.)
 */
import { describe, expect, it } from 'vitest';
import { matchRule } from './match.js';
import { parseRule } from './schema.js';
import { realEvent } from './testing/real-events.js';
import type { SigningEvent } from './signing-event.js';
import { REDOS_CORPUS } from './testing/redos-corpus.js';

function eventWithSan(value: string): SigningEvent {
  const e = realEvent('email-a-tny-town');
  return { ...e, certificate: { ...e.certificate!, sans: [{ type: 'email', value }] } };
}

describe('ReDoS corpus on 100,000-character values', () => {
  const a = 'a'.repeat(100_000);
  for (const [pattern, value, expected] of REDOS_CORPUS) {
    it(`${pattern} on ${value.length} chars → ${expected}`, () => {
      const rule = parseRule({ san: { type: 'regex', value: pattern } });
      expect(matchRule(eventWithSan(value), rule) !== undefined).toBe(expected);
    });
  }
  it('globs with many stars stay linear', () => {
    const rule = parseRule({ san: { type: 'glob', value: '**a**a**a**a**a**a**a**a**a**a**b' } });
    expect(matchRule(eventWithSan(a), rule)).toBeUndefined();
    expect(matchRule(eventWithSan(a + 'b'), rule)).toBeDefined();
  });
});
