/**
 * One value test: `exact`, `prefix`, `glob` or `regex`, always against the whole value.
 * Regexes are RE2 syntax run by re2js (linear time, no backreferences or lookaround), at most
 * MAX_PATTERN_LENGTH characters; `user@x\.com` matches `user@x.com` and never `evil-user@x.com`.
 */
import { z } from 'zod';
import { compileGlob, quoteRe2 } from './glob.js';
import { re2, re2CompileError } from './re2-cache.js';
import { extractRegexLiterals } from './regex-literals.js';

export const MATCH_TYPES = ['exact', 'prefix', 'glob', 'regex'] as const;
export const MatchTypeSchema = z.enum(MATCH_TYPES);
export type MatchType = z.infer<typeof MatchTypeSchema>;

/** Longest regex or glob accepted (a user pattern is a policy, not a program). */
export const MAX_PATTERN_LENGTH = 256;
/** Longest exact or prefix value accepted. */
export const MAX_VALUE_LENGTH = 4096;

export const ValueMatcherSchema = z
  .object({
    type: MatchTypeSchema,
    value: z.string().min(1, 'must not be empty').max(MAX_VALUE_LENGTH),
  })
  .strict()
  .superRefine((m, ctx) => {
    const problem = patternProblem(m);
    if (problem !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: problem, params: { ruleCode: 'INVALID_PATTERN' } });
    }
  });
export type ValueMatcher = z.infer<typeof ValueMatcherSchema>;

/** Why a regex/glob value is unusable (too long, does not compile), or undefined when it is fine. */
export function patternProblem(m: ValueMatcher): string | undefined {
  if (m.type !== 'regex' && m.type !== 'glob') return undefined;
  if (m.value.length > MAX_PATTERN_LENGTH) {
    return `${m.type} is ${m.value.length} characters long; the limit is ${MAX_PATTERN_LENGTH}`;
  }
  const source = m.type === 'regex' ? m.value : compileGlob(m.value).source;
  const err = re2CompileError(source);
  if (err === undefined) return undefined;
  return m.type === 'regex'
    ? `regex does not compile under RE2 syntax (no backreferences or lookaround): ${err}`
    : `glob does not compile: ${err}`;
}

/** The literal text every value matching `m` starts with and contains (for the index's lookups). */
export interface MatcherLiterals {
  /** Every matching value starts with this ('' when unknown). */
  readonly prefix: string;
  /** Every matching value contains each of these. */
  readonly atoms: readonly string[];
}

export interface CompiledValueMatcher extends MatcherLiterals {
  readonly type: MatchType;
  readonly value: string;
  /** RE2 source tested against the whole value (regex and glob only). */
  readonly source: string | undefined;
  test(candidate: string): boolean;
}

/** What `m` requires of a value, without compiling it (the index plans with this). */
export function matcherLiterals(m: ValueMatcher): MatcherLiterals {
  switch (m.type) {
    case 'exact':
    case 'prefix':
      return { prefix: m.value, atoms: [m.value] };
    case 'glob':
      return compileGlob(m.value);
    case 'regex':
      return extractRegexLiterals(m.value);
  }
}

export function compileValueMatcher(m: ValueMatcher): CompiledValueMatcher {
  switch (m.type) {
    case 'exact':
      return { type: m.type, value: m.value, prefix: m.value, atoms: [m.value], source: undefined, test: (s) => s === m.value };
    case 'prefix':
      return { type: m.type, value: m.value, prefix: m.value, atoms: [m.value], source: undefined, test: (s) => s.startsWith(m.value) };
    case 'glob': {
      const g = compileGlob(m.value);
      return patternMatcher(m, g.source, g.prefix, g.atoms);
    }
    case 'regex': {
      const lits = extractRegexLiterals(m.value);
      return patternMatcher(m, m.value, lits.prefix, lits.atoms);
    }
  }
}

function patternMatcher(m: ValueMatcher, source: string, prefix: string, atoms: readonly string[]): CompiledValueMatcher {
  const test = (s: string): boolean => {
    if (!s.startsWith(prefix)) return false;
    for (const a of atoms) if (!s.includes(a)) return false;
    try {
      return re2(source).matches(s);
    } catch {
      return false; // validated on input; a pattern that stopped compiling matches nothing
    }
  };
  return { type: m.type, value: m.value, prefix, atoms, source, test };
}

/** The exact matcher for a literal value. */
export function exact(value: string): ValueMatcher {
  return { type: 'exact', value };
}

/** A regex that matches exactly `literal` (escaped for RE2). */
export function literalRegex(literal: string): string {
  return quoteRe2(literal);
}
