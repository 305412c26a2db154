/** Catastrophic-backtracking patterns with 100,000-character values and the right full-match answer. */
const N = 100_000;
const a = 'a'.repeat(N);
const x = 'x'.repeat(N);

/** [pattern, value, expected full match] */
export const REDOS_CORPUS: ReadonlyArray<readonly [string, string, boolean]> = [
  ['(a+)+$', a, true],
  ['(a+)+$', a + '!', false],
  ['(a|aa)+$', a, true],
  ['(a|aa)+$', a + 'b', false],
  ['(a|a?)+', a + 'b', false],
  ['(.*a){20}', a, true],
  ['(.*a){20}', a + 'b', false],
  ['(x+x+)+y', x, false],
  ['(x+x+)+y', x + 'y', true],
  ['(a*)*b', a, false],
  ['(a?){25}a{25}', a, false],
  ['(\\w+\\s?)*$', a + '!', false],
  ['^(([a-z])+.)+[A-Z]([a-z])+$', a, false],
  ['([a-zA-Z0-9])(([\\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}(([a-z]{2,3})|([a-z]{2,3}[.]{1}[a-z]{2,3}))', a, false],
  ['(.*)*@(.*)*\\.com', a + '@' + a + '.co', false],
  ['((a+)+)+(b+)+c', a + 'b', false],
];

