/**
 * Typed errors of the rules package. Every failure a user can cause (a bad rule, a bad template input,
 * an unreadable rekor-monitor file) is a RuleError with a closed code and the path of the offending field,
 * so the API can point at the field and the CLI can print an actionable line.
 */
export type RuleErrorCode =
  /** The rule does not have the expected shape (zod issue). */
  | 'INVALID_RULE'
  /** A regex or glob pattern does not compile under RE2 semantics, or is too long. */
  | 'INVALID_PATTERN'
  /** A Fulcio extension name that is not in the OID table. */
  | 'UNKNOWN_EXTENSION'
  /** The rule has no identity condition (only entry kinds / logs), so it would match whole logs. */
  | 'NO_IDENTITY_CONDITION'
  /** A template was given an input it cannot turn into a correct rule. */
  | 'INVALID_TEMPLATE_INPUT'
  /** A rekor-monitor configuration could not be read. */
  | 'INVALID_IMPORT';

export class RuleError extends Error {
  override readonly name = 'RuleError';
  readonly code: RuleErrorCode;
  /** Dotted path of the offending field inside the input (`san.value`, `extensions.0.name`), '' for the whole input. */
  readonly field: string;

  constructor(code: RuleErrorCode, message: string, field = '', options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.field = field;
  }
}

export function isRuleError(err: unknown): err is RuleError {
  return err instanceof RuleError;
}
