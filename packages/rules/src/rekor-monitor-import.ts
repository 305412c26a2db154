/**
 * Import of a rekor-monitor `monitoredValues` configuration (sigstore/rekor-monitor
 * pkg/notifications ConfigMonitoredValues) into Sigwatch rules, one rule per monitored value.
 *
 * rekor-monitor's semantics, which the import reproduces except where it reports otherwise:
 * - certIdentities: `certSubject` is a Go RE2 regex matched UNANCHORED (a substring search) against every
 *   SAN; `issuers` (optional) are unanchored regexes, any of which must match the OIDC issuer (.1.8,
 *   else .1.1). A certificate without an issuer never matches.
 * - subjects: unanchored regexes against the key's subjects — for certificates that is every SAN.
 * - fingerprints: exact (lower-case hex SHA-256 of the DER key or certificate; SSH/PGP formats too).
 * - oidMatchers: exact extension values; fulcioExtensions `issuer` means both .1.1 and .1.8; when the same
 *   OID appears in oidExtensions, fulcioExtensions and customExtensions, the later list replaces the earlier.
 *
 * Anchoring: a pattern anchored at both ends keeps its meaning; one anchored at one end keeps its meaning
 * as a prefix (or an explicit `.*` on the open side); a pattern anchored at neither end is, in the default
 * `strict` mode, anchored to the whole value — which changes its meaning, and each such place is reported
 * (`user@x\.com` no longer matches `evil-user@x.com`). `preserve` mode keeps every meaning instead.
 */
import { parse as parseYaml } from 'yaml';
import { FULCIO_EXTENSION_BY_NAME, OID_ISSUER_V1, OID_ISSUER_V2 } from './fulcio-extensions.js';
import { quoteRe2 } from './glob.js';
import { re2CompileError } from './re2-cache.js';
import { hasTopLevelAlternation, regexAsLiteral } from './regex-literals.js';
import { RuleError } from './rule-error.js';
import { RuleSchema, type Rule } from './schema.js';
import { MAX_PATTERN_LENGTH, type ValueMatcher } from './value-matcher.js';

export type AnchoringMode = 'strict' | 'preserve';

export type ImportNoteKind =
  /** The imported pattern is anchored where rekor-monitor's was not: fewer values match. */
  | 'anchoring-changed'
  /** Kept unanchored (`preserve` mode): it still matches any value containing the pattern. */
  | 'unanchored-kept'
  /** A value that cannot be imported (too long, not RE2, a fingerprint format Sigwatch does not see). */
  | 'skipped'
  /** Normalised in a way that makes it match where rekor-monitor would not (e.g. upper-case hex). */
  | 'normalized'
  /** An OID list replaced an earlier one for the same OID, as rekor-monitor does. */
  | 'overridden'
  /** Behaviour rekor-monitor has and the imported rule reproduces in a different shape, or does not. */
  | 'semantics';

export interface ImportNote {
  readonly kind: ImportNoteKind;
  /** YAML path of the value: `certIdentities[0].certSubject`, `oidMatchers.fulcioExtensions.build-trigger[1]`. */
  readonly source: string;
  readonly message: string;
  /** The rekor-monitor value. */
  readonly before?: string;
  /** What it became. */
  readonly after?: ValueMatcher;
}

export interface ImportedRule {
  /** Rule id inside the import, stable for the same file: the YAML path of the monitored value. */
  readonly id: string;
  readonly rule: Rule;
}

export interface RekorMonitorImport {
  readonly rules: ImportedRule[];
  readonly notes: ImportNote[];
}

export interface ImportOptions {
  readonly anchoring?: AnchoringMode;
}

/** Deeper than any real rekor-monitor config; a YAML parser recursing thousands of levels can kill the process. */
export const MAX_YAML_DEPTH = 32;

/**
 * Guard in front of the YAML parser (which recurses per nesting level): deeply nested flow collections
 * (`[[[[…`) or block indentation are refused before parsing. The parser running out of stack is fatal to
 * the process (found by the API's fuzz test), not a catchable RangeError.
 */
export function yamlDepthProblem(text: string): string | undefined {
  let depth = 0;
  for (const ch of text) {
    if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') depth = Math.max(0, depth - 1);
    if (depth > MAX_YAML_DEPTH) return `nested more than ${MAX_YAML_DEPTH} levels deep`;
  }
  for (const line of text.split('\n')) {
    const indent = /^[ \t-]*/.exec(line)?.[0].length ?? 0;
    if (indent > MAX_YAML_DEPTH * 4) return `indented more than ${MAX_YAML_DEPTH * 4} columns`;
  }
  return undefined;
}

/** Parse YAML text: a whole rekor-monitor config (with `monitoredValues:`) or the monitoredValues mapping itself. */
export function importRekorMonitorYaml(text: string, options: ImportOptions = {}): RekorMonitorImport {
  const deep = yamlDepthProblem(text);
  if (deep !== undefined) throw new RuleError('INVALID_IMPORT', `YAML ${deep}`, '');
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new RuleError('INVALID_IMPORT', `not YAML: ${err instanceof Error ? err.message : String(err)}`, '', { cause: err });
  }
  return importRekorMonitorValues(doc, options);
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function strings(v: unknown, path: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string' && typeof s !== 'number')) {
    throw new RuleError('INVALID_IMPORT', `${path}: expected a list of strings`, path);
  }
  return v.map(String);
}

export function importRekorMonitorValues(doc: unknown, options: ImportOptions = {}): RekorMonitorImport {
  const mode = options.anchoring ?? 'strict';
  const root = isObj(doc) && isObj(doc['monitoredValues']) ? doc['monitoredValues'] : doc;
  if (!isObj(root)) throw new RuleError('INVALID_IMPORT', 'expected a rekor-monitor config with "monitoredValues"', '');
  const known = new Set(['certIdentities', 'fingerprints', 'subjects', 'oidMatchers']);
  if (!Object.keys(root).some((k) => known.has(k))) {
    throw new RuleError('INVALID_IMPORT', 'no certIdentities, fingerprints, subjects or oidMatchers found', '');
  }
  const rules: ImportedRule[] = [];
  const notes: ImportNote[] = [];
  const push = (id: string, input: unknown): void => {
    const r = RuleSchema.safeParse(input);
    if (r.success) rules.push({ id, rule: r.data });
    else notes.push({ kind: 'skipped', source: id, message: `could not be imported: ${r.error.issues[0]?.message ?? 'invalid'}` });
  };

  // certIdentities
  const certIds = root['certIdentities'] ?? [];
  if (!Array.isArray(certIds)) throw new RuleError('INVALID_IMPORT', 'certIdentities: expected a list', 'certIdentities');
  certIds.forEach((ci: unknown, i) => {
    const base = `certIdentities[${i}]`;
    if (!isObj(ci) || typeof ci['certSubject'] !== 'string' || ci['certSubject'] === '') {
      throw new RuleError('INVALID_IMPORT', `${base}: expected { certSubject: <regex>, issuers: [<regex>…] }`, base);
    }
    const san = translatePattern(ci['certSubject'], `${base}.certSubject`, mode, notes);
    const issuers = strings(ci['issuers'], `${base}.issuers`).map((iss, j) => translatePattern(iss, `${base}.issuers[${j}]`, mode, notes));
    if (san === undefined || issuers.some((m) => m === undefined)) {
      notes.push({ kind: 'skipped', source: base, message: 'skipped: a pattern of this identity could not be imported' });
      return;
    }
    if (issuers.length === 0) {
      notes.push({
        kind: 'semantics',
        source: base,
        message: 'rekor-monitor ignores certificates that carry no OIDC issuer extension; the imported rule (no issuers) also matches those (Fulcio always sets one)',
      });
    }
    push(base, { name: `rekor-monitor ${base}`, san, ...(issuers.length > 0 ? { issuers } : {}) });
  });

  // fingerprints
  strings(root['fingerprints'], 'fingerprints').forEach((fp, i) => {
    const source = `fingerprints[${i}]`;
    const hex = fp.trim();
    if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
      notes.push({
        kind: 'skipped',
        source,
        before: fp,
        message: 'skipped: Sigwatch sees SHA-256 fingerprints (64 hex digits) of DER keys and certificates; SSH base64 and PGP SHA-1 fingerprints are not available',
      });
      return;
    }
    if (hex !== hex.toLowerCase()) {
      notes.push({ kind: 'normalized', source, before: fp, message: 'upper-case hex: rekor-monitor compares case-sensitively with lower-case hex and never matched it; the imported rule ignores case' });
    }
    push(source, { name: `rekor-monitor ${source}`, fingerprint: { type: 'exact', value: hex.toLowerCase() } });
  });

  // subjects: rekor-monitor matches them against key subjects *and* certificate SANs
  strings(root['subjects'], 'subjects').forEach((s, i) => {
    const source = `subjects[${i}]`;
    const m = translatePattern(s, source, mode, notes);
    if (m === undefined) return;
    push(source, { name: `rekor-monitor ${source}`, subject: m });
    push(`${source}#san`, { name: `rekor-monitor ${source} (certificate SANs)`, san: m });
    notes.push({
      kind: 'semantics',
      source,
      message: "rekor-monitor's subjects also match certificate SANs; imported as two rules, one on key subjects and one on SANs",
    });
  });

  // oidMatchers
  const oidm = root['oidMatchers'];
  if (oidm !== undefined && oidm !== null) {
    if (!isObj(oidm)) throw new RuleError('INVALID_IMPORT', 'oidMatchers: expected a mapping', 'oidMatchers');
    for (const m of renderOidMatchers(oidm, notes)) {
      m.values.forEach((value, j) => {
        const source = `${m.source}[${j}]`;
        push(source, { name: `rekor-monitor ${source}`, extensions: [{ oid: m.oid, value: { type: 'exact', value } }] });
      });
    }
  }
  return { rules, notes };
}

interface RenderedOid {
  readonly oid: string;
  readonly values: string[];
  readonly source: string;
}

/** rekor-monitor's RenderOIDMatchers: oidExtensions, then fulcioExtensions, then customExtensions; a later list for the same OID replaces the earlier. */
function renderOidMatchers(oidm: Obj, notes: ImportNote[]): RenderedOid[] {
  const byOid = new Map<string, RenderedOid>();
  const set = (r: RenderedOid): void => {
    const prev = byOid.get(r.oid);
    if (prev !== undefined) {
      notes.push({ kind: 'overridden', source: r.source, message: `replaces ${prev.source} for OID ${r.oid}, as in rekor-monitor (the values of ${prev.source} are not imported)` });
      byOid.delete(r.oid);
    }
    byOid.set(r.oid, r);
  };
  const list = (v: unknown, path: string): unknown[] => {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw new RuleError('INVALID_IMPORT', `${path}: expected a list`, path);
    return v;
  };
  list(oidm['oidExtensions'], 'oidMatchers.oidExtensions').forEach((e, i) => {
    const path = `oidMatchers.oidExtensions[${i}]`;
    const oid = isObj(e) ? e['objectIdentifier'] : undefined;
    if (!Array.isArray(oid) || oid.length < 2 || oid.some((n) => !Number.isInteger(n) || (n as number) < 0)) {
      throw new RuleError('INVALID_IMPORT', `${path}.objectIdentifier: expected a list of integers like [1, 3, 6, 1, 4, 1, 57264, 1, 12]`, `${path}.objectIdentifier`);
    }
    set({ oid: oid.join('.'), values: strings((e as Obj)['extensionValues'], `${path}.extensionValues`), source: `${path}.extensionValues` });
  });
  const fx = oidm['fulcioExtensions'];
  if (fx !== undefined && fx !== null) {
    if (!isObj(fx)) throw new RuleError('INVALID_IMPORT', 'oidMatchers.fulcioExtensions: expected a mapping', 'oidMatchers.fulcioExtensions');
    for (const [name, vals] of Object.entries(fx)) {
      const path = `oidMatchers.fulcioExtensions.${name}`;
      const values = strings(vals, path);
      if (values.length === 0) continue;
      if (name === 'issuer') {
        // rekor-monitor renders `issuer` as both the deprecated raw .1.1 and the DER .1.8
        set({ oid: OID_ISSUER_V1, values, source: path });
        set({ oid: OID_ISSUER_V2, values, source: `${path}#v2` });
        continue;
      }
      const info = FULCIO_EXTENSION_BY_NAME.get(name);
      if (info === undefined || info.oid === OID_ISSUER_V1 || info.oid === OID_ISSUER_V2) {
        throw new RuleError('INVALID_IMPORT', `${path}: unknown Fulcio extension name`, path);
      }
      if (name === 'deployment-environment' || name === 'token-subject') {
        notes.push({ kind: 'semantics', source: path, message: `rekor-monitor does not know "${name}" and silently ignores it; Sigwatch imports it` });
      }
      set({ oid: info.oid, values, source: path });
    }
  }
  list(oidm['customExtensions'], 'oidMatchers.customExtensions').forEach((e, i) => {
    const path = `oidMatchers.customExtensions[${i}]`;
    const oid = isObj(e) ? e['objectIdentifier'] : undefined;
    if (typeof oid !== 'string' || !/^[0-2](\.(0|[1-9][0-9]*))+$/.test(oid)) {
      throw new RuleError('INVALID_IMPORT', `${path}.objectIdentifier: expected a dotted OID like "1.3.6.1.4.1.57264.1.12"`, `${path}.objectIdentifier`);
    }
    set({ oid, values: strings((e as Obj)['extensionValues'], `${path}.extensionValues`), source: `${path}.extensionValues` });
  });
  return [...byOid.values()];
}

const START = /^(\^|\\A)/;

function endAnchored(p: string): boolean {
  const m = /(\\*)(\$|\\z)$/.exec(p);
  if (m === null) return false;
  // `\$` is a literal dollar: the anchor counts only after an even number of backslashes
  return m[1]!.length % 2 === 0;
}

/**
 * Translate one unanchored rekor-monitor regex into a value matcher with explicit anchoring, reporting
 * where the meaning changes. Returns undefined (with a `skipped` note) when it cannot be imported.
 */
export function translatePattern(pattern: string, source: string, mode: AnchoringMode, notes: ImportNote[]): ValueMatcher | undefined {
  const compileErr = re2CompileError(pattern);
  if (compileErr !== undefined) {
    notes.push({ kind: 'skipped', source, before: pattern, message: `skipped: not an RE2 regex (${compileErr})` });
    return undefined;
  }
  const finish = (m: ValueMatcher, note?: Omit<ImportNote, 'source' | 'before' | 'after'>): ValueMatcher | undefined => {
    if (m.type === 'regex' && m.value.length > MAX_PATTERN_LENGTH) {
      notes.push({ kind: 'skipped', source, before: pattern, message: `skipped: the translated regex is longer than ${MAX_PATTERN_LENGTH} characters` });
      return undefined;
    }
    if (note !== undefined) notes.push({ ...note, source, before: pattern, after: m });
    return m;
  };
  const ANY = '(?s:.*)';
  const contains = (): ValueMatcher => ({ type: 'regex', value: `${ANY}(?:${pattern})${ANY}` });

  if (hasTopLevelAlternation(pattern)) {
    if (mode === 'preserve') return finish(contains(), { kind: 'unanchored-kept', message: 'kept unanchored: matches any value containing a match' });
    return finish(
      { type: 'regex', value: pattern },
      {
        kind: 'anchoring-changed',
        message: `rekor-monitor matched any value containing a match of one alternative of /${pattern}/; the imported rule requires the whole value to match one alternative`,
      },
    );
  }
  const start = START.exec(pattern);
  const atStart = start !== null;
  const atEnd = endAnchored(pattern);
  let body = atStart ? pattern.slice(start[0].length) : pattern;
  if (atEnd) body = body.replace(/(\$|\\z)$/, '');
  const literal = regexAsLiteral(body);

  if (body === '') {
    notes.push({ kind: 'skipped', source, before: pattern, message: 'skipped: the pattern matches empty values or everything' });
    return undefined;
  }
  if (atStart && atEnd) return finish(literal !== undefined ? { type: 'exact', value: literal } : { type: 'regex', value: body });
  if (atStart) return finish(literal !== undefined ? { type: 'prefix', value: literal } : { type: 'regex', value: `(?:${body})${ANY}` });
  if (atEnd) return finish({ type: 'regex', value: `${ANY}${literal !== undefined ? quoteRe2(literal) : `(?:${body})`}` });
  if (mode === 'preserve') {
    return finish(contains(), { kind: 'unanchored-kept', message: 'kept unanchored: matches any value that contains a match, as in rekor-monitor' });
  }
  const after: ValueMatcher = literal !== undefined ? { type: 'exact', value: literal } : { type: 'regex', value: body };
  return finish(after, {
    kind: 'anchoring-changed',
    message:
      literal !== undefined
        ? `rekor-monitor matched any value containing "${literal}" (for example "evil-${literal}" or "${literal}.evil"); the imported rule matches only the whole value "${literal}"`
        : `rekor-monitor matched any value containing a match of /${pattern}/; the imported rule requires the whole value to match`,
  });
}
