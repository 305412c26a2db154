import fc from 'fast-check';
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { extractRegexLiterals } from './regex-literals.js';

/** Random RE2 patterns over a small alphabet, with the constructs the extraction must get right. */
const atom: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('a', 'b', '/', '-', '@') },
  { weight: 1, arbitrary: fc.constantFrom('\\.', '.', '[ab]', '[^a]', '\\d', '\\w', '\\b', '\\x61', '\\Qa.\\E', '[[:alpha:]]', '😀') },
);
const quant = fc.constantFrom('', '', '', '*', '+', '?', '{2}', '{0,1}', '{1,}', '*?', '{,2}');
const piece: fc.Arbitrary<string> = fc.letrec<{ p: string; seq: string }>((tie) => ({
  p: fc.oneof(
    { weight: 5, arbitrary: fc.tuple(atom, quant).map(([a, q]) => a + q) },
    { weight: 1, arbitrary: fc.tuple(tie('seq'), tie('seq'), quant).map(([x, y, q]) => `(${x}|${y})${q}`) },
    { weight: 1, arbitrary: fc.tuple(tie('seq'), quant).map(([x, q]) => `(?:${x})${q}`) },
  ),
  seq: fc.array(tie('p'), { minLength: 1, maxLength: 4 }).map((xs) => xs.join('')),
})).seq;
const pattern = fc
  .tuple(fc.constantFrom('', '^', '(?i)', '(?s)'), piece, fc.constantFrom('', '$', '|ab', '|'), fc.constantFrom('', 'ab/-'))
  .map(([a, p, b, c]) => a + p + c + b);
const subject = fc.stringMatching(/^[ab/.@\-😀0-9A]{0,10}$/u);

function compiles(p: string): RE2JS | undefined {
  try {
    return RE2JS.compile(p);
  } catch {
    return undefined;
  }
}

describe('extractRegexLiterals', () => {
  it('finds the literal prefix and atoms of typical identity patterns', () => {
    expect(extractRegexLiterals('https://github\\.com/org/.*')).toEqual({ prefix: 'https://github.com/org/', atoms: ['https://github.com/org/'] });
    expect(extractRegexLiterals('^user@x\\.com$')).toEqual({ prefix: 'user@x.com', atoms: ['user@x.com'] });
    expect(extractRegexLiterals('.*@example-1\\.com')).toEqual({ prefix: '', atoms: ['@example-1.com'] });
    expect(extractRegexLiterals('abc?d')).toEqual({ prefix: 'ab', atoms: ['ab', 'd'] });
    expect(extractRegexLiterals('ab+c')).toEqual({ prefix: 'ab', atoms: ['ab', 'c'] });
    expect(extractRegexLiterals('x(y|z)w')).toEqual({ prefix: 'x', atoms: ['x', 'w'] });
  });
  it('gives up where literals would be unsound', () => {
    expect(extractRegexLiterals('a|b')).toEqual({ prefix: '', atoms: [] });
    expect(extractRegexLiterals('(?i)user@x\\.com')).toEqual({ prefix: '', atoms: [] });
    expect(extractRegexLiterals('a(?i:b)c')).toEqual({ prefix: '', atoms: [] });
  });
  it('is sound: every full match starts with the prefix and contains every atom (property)', () => {
    fc.assert(
      fc.property(pattern, fc.array(subject, { minLength: 20, maxLength: 20 }), (p, subjects) => {
        const re = compiles(p);
        if (re === undefined) return;
        const { prefix, atoms } = extractRegexLiterals(p);
        for (const s of subjects) {
          if (!re.matches(s)) continue;
          expect(s.startsWith(prefix), `${p} matched ${s} without prefix ${prefix}`).toBe(true);
          for (const a of atoms) expect(s.includes(a), `${p} matched ${s} without atom ${a}`).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });
  it('is sound on strings built from the pattern itself', () => {
    // strings made of the pattern's own literal pieces match far more often than random ones
    fc.assert(
      fc.property(pattern, fc.array(fc.nat(), { minLength: 8, maxLength: 8 }), (p, picks) => {
        const re = compiles(p);
        if (re === undefined) return;
        const pieces = p.replace(/[\\^$|()[\]{}*+?:]/g, '').split('');
        const s = picks.map((n) => pieces[n % Math.max(1, pieces.length)] ?? '').join('');
        for (const cand of [s, s.slice(0, 4), s + s]) {
          if (!re.matches(cand)) continue;
          const { prefix, atoms } = extractRegexLiterals(p);
          expect(cand.startsWith(prefix)).toBe(true);
          for (const a of atoms) expect(cand.includes(a)).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
