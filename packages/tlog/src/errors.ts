/**
 * Typed errors for everything in `@sigwatch/tlog`.
 *
 * Log data (notes, checkpoints, proofs, entries, tiles) is attacker-controlled: every parse or verification
 * failure in this package surfaces as a `TlogError` with one of the codes below — never as a raw
 * `SyntaxError`/`RangeError`/`TypeError`. Callers decide behaviour by `code` (see STYLE.md §Errors).
 */

/**
 * The closed set of failure codes.
 *
 * - `ROOT_MISMATCH` — an inclusion proof (or recomputed tree) yields a root other than the expected one.
 * - `BAD_PROOF_SIZE` — a proof has the wrong number of hashes for the (index, size) pair, or is absurdly long.
 * - `BAD_HASH_SIZE` — a hash (leaf, node, root, proof element) is not 32 bytes.
 * - `INDEX_OUT_OF_RANGE` — a leaf index / tree size is negative, ≥ 2^64, or index ≥ size.
 * - `INCONSISTENT_TREE` — a consistency proof does not link the two tree heads (or size1 > size2, size1 = 0).
 * - `BAD_SIGNATURE` — a signature from a known key (or a SET/STH/SCT signature) does not verify.
 * - `UNKNOWN_KEY` — no signature on a note/checkpoint comes from a key we trust; unknown log id.
 * - `KEY_NOT_VALID_AT_TIME` — a trusted key exists but its validity window excludes the given time.
 * - `MALFORMED_KEY` — a public/private key or verifier-key string cannot be parsed or has the wrong type.
 * - `MALFORMED_NOTE` — a signed note is not well formed (encoding, blank line, signature lines, dash, base64).
 * - `MALFORMED_CHECKPOINT` — a checkpoint body is not well formed (origin, non-canonical size, root).
 * - `ORIGIN_MISMATCH` — a checkpoint's origin is not the one expected.
 * - `MALFORMED_TILE` — a tlog-tiles path, tile or entry bundle is not well formed.
 * - `MALFORMED_CT` — a CT TLS structure (STH signature, MerkleTreeLeaf, SCT) is not well formed.
 * - `MALFORMED_ENTRY` — a Rekor entry / bundle / API response is not well formed.
 * - `ENTRY_MISMATCH` — parts of one entry disagree (checkpoint vs inclusion proof, body vs UUID, log ids).
 * - `MALFORMED_TRUSTED_ROOT` — a Sigstore trusted_root.json fails validation.
 * - `CERT_CHAIN_INVALID` — a certificate does not chain to a trusted Fulcio CA (or is outside validity).
 * - `NOT_LOGGED` — a Fulcio certificate carries no SCT that verifies against a trusted CT log although one ran.
 * - `UNSUPPORTED` — well-formed input using an algorithm / kind / version this package does not handle.
 */
export type TlogErrorCode =
  | 'ROOT_MISMATCH'
  | 'BAD_PROOF_SIZE'
  | 'BAD_HASH_SIZE'
  | 'INDEX_OUT_OF_RANGE'
  | 'INCONSISTENT_TREE'
  | 'BAD_SIGNATURE'
  | 'UNKNOWN_KEY'
  | 'KEY_NOT_VALID_AT_TIME'
  | 'MALFORMED_KEY'
  | 'MALFORMED_NOTE'
  | 'MALFORMED_CHECKPOINT'
  | 'ORIGIN_MISMATCH'
  | 'MALFORMED_TILE'
  | 'MALFORMED_CT'
  | 'MALFORMED_ENTRY'
  | 'ENTRY_MISMATCH'
  | 'MALFORMED_TRUSTED_ROOT'
  | 'CERT_CHAIN_INVALID'
  | 'NOT_LOGGED'
  | 'UNSUPPORTED';

export const TLOG_ERROR_CODES: readonly TlogErrorCode[] = [
  'ROOT_MISMATCH',
  'BAD_PROOF_SIZE',
  'BAD_HASH_SIZE',
  'INDEX_OUT_OF_RANGE',
  'INCONSISTENT_TREE',
  'BAD_SIGNATURE',
  'UNKNOWN_KEY',
  'KEY_NOT_VALID_AT_TIME',
  'MALFORMED_KEY',
  'MALFORMED_NOTE',
  'MALFORMED_CHECKPOINT',
  'ORIGIN_MISMATCH',
  'MALFORMED_TILE',
  'MALFORMED_CT',
  'MALFORMED_ENTRY',
  'ENTRY_MISMATCH',
  'MALFORMED_TRUSTED_ROOT',
  'CERT_CHAIN_INVALID',
  'NOT_LOGGED',
  'UNSUPPORTED',
];

export class TlogError extends Error {
  readonly code: TlogErrorCode;

  constructor(code: TlogErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = 'TlogError';
  }
}

export function isTlogError(err: unknown, code?: TlogErrorCode): err is TlogError {
  return err instanceof TlogError && (code === undefined || err.code === code);
}

/**
 * Runs `fn`, converting anything it throws that is not already a `TlogError` into one with `code`
 * (keeping the original as `cause`). Use around low-level decoders (JSON, ASN.1, crypto key import).
 */
export function wrapErrors<T>(code: TlogErrorCode, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof TlogError) throw err;
    const detail = err instanceof Error ? err.message : String(err);
    throw new TlogError(code, `${what}: ${detail}`, { cause: err });
  }
}
