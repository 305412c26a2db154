/**
 * Conservative literal extraction from an RE2 pattern, for the index's prefilter (the idea of RE2's
 * FilteredRE2 / Chromium's RegexSetMatcher: only patterns whose required literals occur are evaluated).
 *
 * Contract (soundness): for a pattern P that RE2 compiles, every string that P matches *as a whole*
 * (anchored at both ends) starts with `prefix` and contains every string in `atoms`. The extraction may
 * return less than the truth (an empty prefix, fewer atoms) but never more. When unsure it gives up:
 * top-level alternation, case-insensitive flags, anything it does not recognise.
 */
export interface PatternLiterals {
  /** Every full match starts with this ('' when unknown). */
  readonly prefix: string;
  /** Every full match contains each of these (non-empty strings). */
  readonly atoms: readonly string[];
}

const NONE: PatternLiterals = { prefix: '', atoms: [] };

/** `(?i)`, `(?si:`, `(?-s+i)`… — case folding makes literals unsound, so give up. */
const CASE_FOLD_FLAG = /\(\?[A-Za-z-]*i/;
const REPEAT = /^\{(\d+)(,\d*)?\}/;

export function extractRegexLiterals(pattern: string): PatternLiterals {
  if (CASE_FOLD_FLAG.test(pattern)) return NONE;
  const cps = Array.from(pattern); // code points, so a quantifier never splits a surrogate pair
  const runs: string[] = [];
  let run = '';
  let runAtStart = true; // the current run began at the first consuming position
  let prefix: string | undefined;
  let lastWasLiteral = false;
  let i = 0;

  const endRun = (): void => {
    if (runAtStart && prefix === undefined) prefix = run;
    if (run.length > 0) runs.push(run);
    run = '';
    runAtStart = false;
  };
  const other = (): void => {
    endRun();
    lastWasLiteral = false;
  };

  if (cps[0] === '^') i = 1;
  while (i < cps.length) {
    const c = cps[i]!;
    if (c === '\\') {
      const n = cps[i + 1];
      if (n === undefined) return NONE;
      if (!/[0-9A-Za-z]/.test(n)) {
        run += n;
        lastWasLiteral = true;
        i += 2;
        continue;
      }
      i = skipAlnumEscape(cps, i);
      if (i < 0) return NONE;
      other();
      continue;
    }
    if (c === '[') {
      i = skipClass(cps, i);
      if (i < 0) return NONE;
      other();
      continue;
    }
    if (c === '(') {
      i = skipGroup(cps, i);
      if (i < 0) return NONE;
      other();
      continue;
    }
    if (c === '|' || c === ')') return NONE;
    if (c === '*' || c === '+' || c === '?' || (c === '{' && REPEAT.test(cps.slice(i, i + 24).join('')))) {
      let min = c === '+' ? 1 : 0;
      let len = 1;
      if (c === '{') {
        const m = REPEAT.exec(cps.slice(i, i + 24).join(''))!;
        min = Number(m[1]);
        len = m[0].length;
      }
      if (lastWasLiteral) {
        const chars = Array.from(run);
        if (min === 0) chars.pop(); // the quantified character is optional
        run = chars.join('');
      }
      other();
      i += len;
      if (cps[i] === '?') i += 1; // non-greedy
      continue;
    }
    if (c === '.' || c === '^' || c === '$') {
      other();
      i += 1;
      continue;
    }
    run += c;
    lastWasLiteral = true;
    i += 1;
  }
  endRun();
  return { prefix: prefix ?? '', atoms: runs };
}

/** Index after an escape like `\d`, `\pL`, `\p{Greek}`, `\x41`, `\x{263a}`, `\Q…\E`, `\012`; -1 if malformed. */
function skipAlnumEscape(cps: string[], i: number): number {
  const n = cps[i + 1]!;
  if (n === 'p' || n === 'P' || n === 'x') {
    if (cps[i + 2] === '{') {
      const close = cps.indexOf('}', i + 3);
      return close < 0 ? -1 : close + 1;
    }
    return n === 'x' ? i + 4 : i + 3;
  }
  if (n === 'Q') {
    for (let j = i + 2; j < cps.length - 1; j++) if (cps[j] === '\\' && cps[j + 1] === 'E') return j + 2;
    return cps.length;
  }
  if (/[0-7]/.test(n)) {
    let j = i + 1;
    while (j < cps.length && j < i + 4 && /[0-7]/.test(cps[j]!)) j++;
    return j;
  }
  return i + 2;
}

/** Index after the character class starting at `[`; -1 if unterminated. */
function skipClass(cps: string[], i: number): number {
  let j = i + 1;
  if (cps[j] === '^') j++;
  if (cps[j] === ']') j++; // a leading ] is literal
  while (j < cps.length) {
    const c = cps[j]!;
    if (c === '\\') j += 2;
    else if (c === '[' && cps[j + 1] === ':') {
      // POSIX class `[:alpha:]` / `[:^alpha:]` inside a class; otherwise `[` is an ordinary member.
      const m = /^\[:\^?[a-z]+:\]/.exec(cps.slice(j, j + 16).join(''));
      j += m === null ? 1 : m[0].length;
    } else if (c === ']') return j + 1;
    else j++;
  }
  return -1;
}

/** Index after the group starting at `(`; -1 if unbalanced. */
function skipGroup(cps: string[], i: number): number {
  let depth = 0;
  let j = i;
  while (j < cps.length) {
    const c = cps[j]!;
    if (c === '\\') j += 2;
    else if (c === '[') {
      j = skipClass(cps, j);
      if (j < 0) return -1;
    } else {
      if (c === '(') depth++;
      else if (c === ')') {
        depth--;
        if (depth === 0) return j + 1;
      }
      j++;
    }
  }
  return -1;
}

/** Does the pattern have an alternation `|` outside every group? (`a|b`, not `(a|b)`) */
export function hasTopLevelAlternation(pattern: string): boolean {
  const cps = Array.from(pattern);
  let i = 0;
  while (i < cps.length) {
    const c = cps[i]!;
    if (c === '\\') i += 2;
    else if (c === '[') {
      i = skipClass(cps, i);
      if (i < 0) return true; // malformed: say yes, the conservative answer for callers
    } else if (c === '(') {
      i = skipGroup(cps, i);
      if (i < 0) return true;
    } else if (c === '|') return true;
    else i++;
  }
  return false;
}

/** The text a pattern matches when it is a plain literal (`user@x\.com` → `user@x.com`), else undefined. */
export function regexAsLiteral(pattern: string): string | undefined {
  let out = '';
  const cps = Array.from(pattern);
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i]!;
    if (c === '\\') {
      const n = cps[i + 1];
      if (n === undefined || /[0-9A-Za-z]/.test(n)) return undefined;
      out += n;
      i++;
    } else if ('.+*?()|[]{}^$'.includes(c)) return undefined;
    else out += c;
  }
  return out;
}
