/**
 * DeliveryError: every way one delivery attempt can fail, with a closed code and whether trying again can
 * help. The processor decides by `permanent` (STYLE.md §Errors): permanent → the delivery ends (`failed` or
 * `disabled`) and the job ends with BullMQ's UnrecoverableError; transient → `retrying`, rethrown for the
 * retry schedule. The message is shown to the user on the attempt, so it says what happened in plain words
 * and never includes a secret.
 *
 * - `SSRF_BLOCKED` — the URL or an address it resolves to is not allowed (scheme, private/reserved range).
 * - `DNS_FAILED` — the host name did not resolve (transient: DNS can come back).
 * - `CONNECT_FAILED` — TCP/TLS connection refused, reset or failed (certificate errors included).
 * - `TIMEOUT` — no answer within the time limit.
 * - `HTTP_REDIRECT` — the receiver answered 3xx; redirects are never followed.
 * - `HTTP_GONE` — 410: the receiver asked us to stop; the endpoint is disabled at once.
 * - `HTTP_CLIENT_ERROR` / `HTTP_SERVER_ERROR` — any other non-2xx answer (retried).
 * - `SMTP_TRANSIENT` / `SMTP_PERMANENT` — the mail server refused for now (4xx, connection) or for good (5xx).
 * - `RECIPIENT_NOT_ALLOWED` — address unverified or unsubscribed, subscription muted, endpoint disabled.
 * - `MISSING_DATA` — the delivery's match, endpoint or address no longer exists, or its payload is invalid.
 * - `SCHEDULE_EXHAUSTED` — the last retry failed too.
 */
export type DeliveryErrorCode =
  | 'SSRF_BLOCKED'
  | 'DNS_FAILED'
  | 'CONNECT_FAILED'
  | 'TIMEOUT'
  | 'HTTP_REDIRECT'
  | 'HTTP_GONE'
  | 'HTTP_CLIENT_ERROR'
  | 'HTTP_SERVER_ERROR'
  | 'SMTP_TRANSIENT'
  | 'SMTP_PERMANENT'
  | 'RECIPIENT_NOT_ALLOWED'
  | 'MISSING_DATA'
  | 'SCHEDULE_EXHAUSTED';

export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(
    readonly code: DeliveryErrorCode,
    message: string,
    readonly permanent: boolean,
    options: { cause?: unknown; statusCode?: number; responseExcerpt?: string; retryAfterMs?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.statusCode = options.statusCode;
    this.responseExcerpt = options.responseExcerpt;
    this.retryAfterMs = options.retryAfterMs;
  }
  readonly statusCode: number | undefined;
  readonly responseExcerpt: string | undefined;
  /** The receiver's Retry-After (429/503), honoured by the backoff when longer than the schedule's step. */
  readonly retryAfterMs: number | undefined;
}

/** The text stored on the attempt: `CODE: message`, so users and support can grep by code. */
export function describeError(err: DeliveryError): string {
  return `${err.code}: ${err.message}`;
}
