/**
 * Warnings for valid rules that probably match far more than the user meant, or that cost the matcher
 * more than they should. Lint never rejects: the API shows the warnings next to the rule.
 */
import { compileValueMatcher, type ValueMatcher } from './value-matcher.js';
import { planMatcher } from './rule-index.js';
import type { Rule } from './schema.js';
import { compileGlob } from './glob.js';

export type LintCode =
  /** Regex/glob begins with `.*`, `.+`, `*`, `**`: it matches any value that merely ends with the rest. */
  | 'LEADING_WILDCARD'
  /** Regex ends with `.*`/`.+`: it is a prefix match, so values you do not own may extend it. */
  | 'TRAILING_WILDCARD'
  /** The only identity condition is the OIDC issuer: every entry of that issuer matches. */
  | 'ISSUER_ONLY'
  /** A glob or prefix with very little literal text, or a prefix that stops at a host. */
  | 'BROAD_PATTERN'
  /** No literal the index can use: the rule is evaluated on every entry. */
  | 'UNINDEXED_PATTERN'
  /** An e-mail identity without an issuer: any issuer vouching for the address matches. */
  | 'EMAIL_WITHOUT_ISSUER';

export interface LintWarning {
  readonly code: LintCode;
  readonly severity: 'warning' | 'info';
  /** Path of the value in the rule (`san.value`, `issuers.0.value`, `extensions.1.value.value`), '' for the rule. */
  readonly field: string;
  readonly message: string;
}

const MIN_LITERAL = 8;
const HOST_ONLY = /^[a-z][a-z0-9+.-]*:\/\/[^/]*\/?$/i;

export function lintRule(rule: Rule): LintWarning[] {
  const out: LintWarning[] = [];
  const visit = (m: ValueMatcher, field: string): void => lintValue(m, field, out);
  if (rule.san !== undefined) visit(rule.san, 'san.value');
  rule.issuers?.forEach((m, i) => visit(m, `issuers.${i}.value`));
  rule.extensions?.forEach((e, i) => visit(e.value, `extensions.${i}.value.value`));
  if (rule.fingerprint !== undefined) visit(rule.fingerprint, 'fingerprint.value');
  if (rule.subject !== undefined) visit(rule.subject, 'subject.value');
  if (rule.digest !== undefined) visit(rule.digest, 'digest.value');

  const others = [rule.san, rule.extensions, rule.fingerprint, rule.subject, rule.digest];
  if (rule.issuers !== undefined && others.every((c) => c === undefined)) {
    out.push({
      code: 'ISSUER_ONLY',
      severity: 'warning',
      field: 'issuers',
      message: 'this rule has only an issuer: it matches every signature made with that identity provider (thousands a day); add an identity (san) or an extension',
    });
  }
  if (rule.san?.type === 'exact' && rule.san.value.includes('@') && !rule.san.value.includes('/') && rule.issuers === undefined) {
    out.push({
      code: 'EMAIL_WITHOUT_ISSUER',
      severity: 'info',
      field: 'san',
      message: 'an e-mail identity without an issuer matches whichever identity provider vouched for the address; add the issuer you sign with to be alerted only for it, or keep it to be alerted for all',
    });
  }
  return out;
}

function lintValue(m: ValueMatcher, field: string, out: LintWarning[]): void {
  if (m.type === 'regex') {
    const body = m.value.replace(/^\^/, '');
    if (/^(\(\?s\))?(\(\?s:)?\.[*+]/.test(body)) {
      out.push({
        code: 'LEADING_WILDCARD',
        severity: 'warning',
        field,
        message: `"${m.value}" starts with a wildcard, so it matches any value that ends with the rest (e.g. evil-user@x.com for .*user@x\\.com); anchor it to the text you own`,
      });
    }
    if (/\.[*+]\)?\$?$/.test(m.value) && !/\\\.[*+]\$?$/.test(m.value)) {
      out.push({
        code: 'TRAILING_WILDCARD',
        severity: 'info',
        field,
        message: `"${m.value}" ends with a wildcard, so anything appended to the rest matches; if you mean "starts with", type "prefix" is clearer and faster`,
      });
    }
  }
  if (m.type === 'glob') {
    const g = compileGlob(m.value);
    if (m.value.startsWith('*')) {
      out.push({
        code: 'LEADING_WILDCARD',
        severity: 'warning',
        field,
        message: `"${m.value}" starts with a wildcard, so it matches any value that ends with the rest; begin with the text you own`,
      });
    }
    if (g.literalLength < MIN_LITERAL) {
      out.push({ code: 'BROAD_PATTERN', severity: 'warning', field, message: `"${m.value}" has only ${g.literalLength} literal characters and matches a great many values` });
    }
  }
  if (m.type === 'prefix' && (m.value.length < MIN_LITERAL || HOST_ONLY.test(m.value))) {
    out.push({ code: 'BROAD_PATTERN', severity: 'warning', field, message: `prefix "${m.value}" matches every identity under it; extend it to your organisation or repository` });
  }
  if ((m.type === 'regex' || m.type === 'glob') && planMatcher(compileValueMatcher(m)) === undefined) {
    out.push({
      code: 'UNINDEXED_PATTERN',
      severity: 'warning',
      field,
      message: `"${m.value}" has no fixed text the matcher can look up, so it is tested against every entry; include a literal part (and avoid (?i))`,
    });
  }
}
