/**
 * Typed access to untrusted JSON (Rekor entry bodies): every missing or mistyped field is an
 * EntryParseError('BAD_JSON') naming its path, never a TypeError.
 */
import { EntryParseError } from './entry-parse-error.js';

export type Json = unknown;

/** `path` split at dots, memoised: the readers ask for the same few dozen constant paths. */
const splitPaths = new Map<string, readonly string[]>();
const SPLIT_PATHS_MAX = 1024;

function parts(path: string): readonly string[] {
  let p = splitPaths.get(path);
  if (p === undefined) {
    p = path.split('.');
    if (splitPaths.size < SPLIT_PATHS_MAX) splitPaths.set(path, p);
  }
  return p;
}

/** The value at `path` (dot-separated keys, numeric parts index arrays), or undefined. */
export function at(root: Json, path: string): Json {
  let v: Json = root;
  for (const part of parts(path)) {
    if (v === null || typeof v !== 'object') return undefined;
    if (Array.isArray(v)) {
      if (!/^\d+$/.test(part)) return undefined;
      v = v[Number(part)];
    } else {
      v = Object.hasOwn(v, part) ? (v as Record<string, Json>)[part] : undefined;
    }
  }
  return v;
}

export function str(root: Json, path: string): string {
  const v = at(root, path);
  if (typeof v !== 'string') throw new EntryParseError('BAD_JSON', `${path}: expected a string`);
  return v;
}

export function optStr(root: Json, path: string): string | undefined {
  const v = at(root, path);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new EntryParseError('BAD_JSON', `${path}: expected a string`);
  return v;
}

export function arr(root: Json, path: string): Json[] {
  const v = at(root, path);
  if (!Array.isArray(v)) throw new EntryParseError('BAD_JSON', `${path}: expected an array`);
  return v;
}

export function optArr(root: Json, path: string): Json[] {
  const v = at(root, path);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new EntryParseError('BAD_JSON', `${path}: expected an array`);
  return v;
}

const B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const B64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Strict standard base64 (Node's decoder silently skips junk; log data must not get that leniency).
 *
 * Fast path: decode with Buffer and accept when re-encoding gives back the input, which only canonical
 * padded base64 does (proof of strictness without a regex over the whole string: the regex cost ~9% of
 * parsing a Rekor v2 entry). Anything else (base64url, non-zero trailing bits, junk) takes the original
 * regex path, so what is accepted and what it decodes to are unchanged.
 */
export function base64Bytes(s: string, what: string): Uint8Array {
  const clean = s.indexOf('\n') < 0 && s.indexOf('\r') < 0 ? s : s.replace(/[\r\n]/g, '');
  if (clean.length % 4 === 0) {
    const buf = Buffer.from(clean, 'base64');
    if (buf.toString('base64') === clean) return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  if (!B64.test(clean)) {
    if (B64URL.test(clean) && clean.length % 4 !== 1) return new Uint8Array(Buffer.from(clean, 'base64url'));
    throw new EntryParseError('BAD_ENCODING', `${what}: not base64`);
  }
  return new Uint8Array(Buffer.from(clean, 'base64'));
}
