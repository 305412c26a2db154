/**
 * EntryParseError: the one error the entry parser throws.
 *
 * Log leaves are attacker-controlled (anyone can write to Rekor; CT logs accept any chain to a trusted root),
 * so every failure to decode one is an expected, typed outcome: the follower stores the leaf as a
 * MalformedEntry with `code` + `message` and moves on. Nothing else (RangeError, TypeError, SyntaxError)
 * may escape the parser; low-level errors are wrapped with `cause`.
 */
export type EntryParseErrorCode =
  /** DER structure broken: truncated, bad length, wrong tag, trailing bytes. */
  | 'BAD_DER'
  /** A time field that is not a valid UTCTime / GeneralizedTime. */
  | 'BAD_TIME'
  /** The same extension OID twice (RFC 5280 §4.2 forbids it; matching would be ambiguous). */
  | 'DUPLICATE_EXTENSION'
  /** PEM framing or base64 is broken. */
  | 'BAD_ENCODING'
  /** The body is not JSON, or a required field is missing / of the wrong type. */
  | 'BAD_JSON'
  /** Kind/apiVersion this parser does not know. */
  | 'UNSUPPORTED_KIND'
  /** A digest that is not hex / base64 of the right length. */
  | 'BAD_DIGEST'
  /** A public key we cannot read (not SPKI, PGP or SSH). */
  | 'BAD_KEY'
  /** The CT MerkleTreeLeaf / TimestampedEntry framing is broken or of an unknown type. */
  | 'BAD_CT_LEAF'
  /** Input larger than any real entry (defence against memory blow-up). */
  | 'TOO_LARGE';

export class EntryParseError extends Error {
  override readonly name = 'EntryParseError';
  readonly code: EntryParseErrorCode;

  constructor(code: EntryParseErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Run `fn`; rethrow EntryParseErrors, wrap anything else (a bug or a library error) as `code`. */
export function guard<T>(code: EntryParseErrorCode, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof EntryParseError) throw err;
    throw new EntryParseError(code, `${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
