/**
 * A rule as the index keeps it: its JSON with the rule model's recurring fragments (keys, matcher types)
 * and the most common identity fragments (the GitHub Actions issuer, GitHub URLs and workflow refs)
 * replaced by one control character each. JSON.stringify never writes a raw control character (they are
 * escaped inside strings), so characters U+0001–U+001F are free to stand for fragments, and the text
 * decodes back exactly. At 100,000 rules the rule texts shrink from ~15 MB to ~5 MB of UTF-8.
 */
import type { Rule } from './schema.js';

/** Longest first where one fragment starts another: the regex alternation takes the first that matches. */
const FRAGMENTS = [
  '{"san":{"type":"exact","value":"',
  '{"san":{"type":"prefix","value":"',
  '{"san":{"type":"regex","value":"',
  '{"san":{"type":"glob","value":"',
  '"},"issuers":[{"type":"exact","value":"',
  '"},{"type":"exact","value":"',
  '","value":{"type":"exact","value":"',
  '{"type":"exact","value":"',
  '{"type":"prefix","value":"',
  '{"type":"regex","value":"',
  '{"type":"glob","value":"',
  '"extensions":[{"name":"',
  '{"name":"',
  '{"oid":"',
  '"fingerprint":',
  '"digest":',
  '"subject":',
  '"issuers":[',
  '"kinds":[',
  '"logs":[',
  '"}}]}',
  '"}]}',
  '"}},',
  '"},',
  'https://token.actions.githubusercontent.com',
  'https://accounts.google.com',
  'https://github.com/',
  '/.github/workflows/',
  '@refs/heads/',
  '@refs/tags/',
  'source-repository-',
] as const;

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const FRAGMENT = new RegExp(FRAGMENTS.map(escapeRegExp).join('|'), 'g');
const CODE_OF = new Map<string, string>(FRAGMENTS.map((f, i) => [f, String.fromCharCode(i + 1)]));
// eslint-disable-next-line no-control-regex -- the codes are control characters
const CODE = /[\u0001-\u001f]/g;

export function encodeRule(rule: Rule): string {
  return JSON.stringify(rule).replace(FRAGMENT, (f) => CODE_OF.get(f)!);
}

export function decodeRule(text: string): Rule {
  return JSON.parse(text.replace(CODE, (c) => FRAGMENTS[c.charCodeAt(0) - 1]!)) as Rule;
}
