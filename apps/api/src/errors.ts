/**
 * AppError: every failure a client can cause, with a closed code, the HTTP status it maps to and the
 * field it concerns. The one error handler (app.ts) turns it into `{code, message, field?}`.
 */
export type AppErrorCode =
  | 'VALIDATION'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'CSRF'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'BAD_REQUEST';

const STATUS: Record<AppErrorCode, number> = {
  VALIDATION: 400,
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  CSRF: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
};

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: AppErrorCode;
  readonly statusCode: number;
  /** Dotted path of the offending input field, when one is to blame. */
  readonly field: string | undefined;
  /** Seconds until a rate-limited client may try again. */
  readonly retryAfter: number | undefined;

  constructor(code: AppErrorCode, message: string, opts: { field?: string; cause?: unknown; retryAfter?: number } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.statusCode = STATUS[code];
    this.field = opts.field;
    this.retryAfter = opts.retryAfter;
  }
}

export const notFound = (what: string): AppError => new AppError('NOT_FOUND', `${what} not found`);
export const invalid = (field: string, message: string): AppError => new AppError('VALIDATION', message, { field });
