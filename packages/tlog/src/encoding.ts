/**
 * Strict byte/text encodings used by the log formats: hex, standard base64 (RFC 4648 §4, padded,
 * canonical), and checked integer conversions. Node's `Buffer.from(s, 'base64')` silently skips garbage,
 * which is wrong for signed data, so every decoder here rejects anything but the canonical form.
 */
import { TlogError, type TlogErrorCode } from './errors.js';

const B64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;

export const MAX_U64 = (1n << 64n) - 1n;

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Decodes hex (either case); throws `code` on odd length or non-hex characters. */
export function fromHex(s: string, code: TlogErrorCode = 'MALFORMED_ENTRY', what = 'hex string'): Uint8Array {
  if (typeof s !== 'string' || !HEX_RE.test(s)) throw new TlogError(code, `${what} is not valid hex`);
  return new Uint8Array(Buffer.from(s, 'hex'));
}

/** Decodes canonical padded standard base64; throws `code` otherwise (bad alphabet, padding, non-zero pad bits). */
export function fromBase64(s: string, code: TlogErrorCode = 'MALFORMED_ENTRY', what = 'base64 string'): Uint8Array {
  if (typeof s !== 'string' || !B64_RE.test(s)) throw new TlogError(code, `${what} is not valid base64`);
  const buf = Buffer.from(s, 'base64');
  if (buf.toString('base64') !== s) throw new TlogError(code, `${what} is not canonical base64`);
  return new Uint8Array(buf);
}

/**
 * A hash given as hex (Rekor v1 API) or base64 (bundles): 64 hex characters are hex, anything else must be
 * canonical base64.
 */
export function fromHexOrBase64(s: string, code: TlogErrorCode = 'MALFORMED_ENTRY', what = 'hash'): Uint8Array {
  if (typeof s === 'string' && s.length === 64 && HEX_RE.test(s)) return fromHex(s, code, what);
  return fromBase64(s, code, what);
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes UTF-8, throwing `code` on invalid sequences. */
export function decodeUtf8(bytes: Uint8Array, code: TlogErrorCode, what: string): string {
  try {
    return strictUtf8.decode(bytes);
  } catch (err) {
    throw new TlogError(code, `${what} is not valid UTF-8`, { cause: err });
  }
}

/**
 * Converts a tree size / leaf index given as bigint, safe-integer number or canonical decimal string into a
 * bigint in [0, 2^64). Throws `INDEX_OUT_OF_RANGE` (or `code`) otherwise.
 */
export function toU64(v: bigint | number | string, what: string, code: TlogErrorCode = 'INDEX_OUT_OF_RANGE'): bigint {
  let b: bigint;
  if (typeof v === 'bigint') b = v;
  else if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new TlogError(code, `${what} ${String(v)} is not a safe integer`);
    b = BigInt(v);
  } else if (typeof v === 'string') {
    if (!/^(0|[1-9][0-9]{0,19})$/.test(v)) throw new TlogError(code, `${what} "${v.slice(0, 40)}" is not a canonical decimal`);
    b = BigInt(v);
  } else {
    throw new TlogError(code, `${what} has type ${typeof v}`);
  }
  if (b < 0n || b > MAX_U64) throw new TlogError(code, `${what} ${b} is outside [0, 2^64)`);
  return b;
}
