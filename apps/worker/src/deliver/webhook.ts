/**
 * One webhook POST (Standard Webhooks; scale-and-safety §2.7): to the address the SSRF guard vetted, with
 * the three signature headers, 10 s to connect and to get the response head, 15 s in all, no redirects
 * followed (3xx is a failure), keep-alive off (a fresh socket, so every attempt is vetted again), and at most
 * 64 KB of the answer read. Returns the outcome as data; the caller records it and decides about retries.
 */
import { Agent, request, errors as undiciErrors } from 'undici';
import { DeliveryError } from './errors.js';
import { pinnedLookup, vetWebhookUrl, type GuardOptions } from './ssrf-guard.js';
import { signatureHeaders, type EndpointSecrets } from './webhook-signature.js';

export interface WebhookLimits {
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  totalTimeoutMs: number;
  maxResponseBytes: number;
}

export const DEFAULT_WEBHOOK_LIMITS: WebhookLimits = {
  connectTimeoutMs: 10_000,
  headersTimeoutMs: 10_000,
  totalTimeoutMs: 15_000,
  maxResponseBytes: 64 * 1024,
};

/** What the user sees of an answer: the first characters only. */
export const EXCERPT_CHARS = 1024;

export interface WebhookSuccess {
  statusCode: number;
  responseExcerpt: string;
}

export interface WebhookRequest {
  url: string;
  secrets: EndpointSecrets;
  /** `webhook-id`: the delivery id, the same on every retry (the receiver's idempotency key). */
  id: string;
  body: string;
  now: Date;
}

/** Throws DeliveryError for every failure (SSRF, DNS, connect, timeout, non-2xx). */
export async function sendWebhook(req: WebhookRequest, guard: GuardOptions, limits: WebhookLimits = DEFAULT_WEBHOOK_LIMITS): Promise<WebhookSuccess> {
  const target = await vetWebhookUrl(req.url, guard);
  const agent = new Agent({
    connect: { lookup: pinnedLookup(target), timeout: limits.connectTimeoutMs },
    headersTimeout: limits.headersTimeoutMs,
    bodyTimeout: limits.headersTimeoutMs,
    pipelining: 0,
  });
  try {
    const res = await request(target.url, {
      dispatcher: agent,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Sigwatch-Webhooks/1',
        connection: 'close',
        ...signatureHeaders(req.secrets, req.id, req.body, req.now),
      },
      body: req.body,
      signal: AbortSignal.timeout(limits.totalTimeoutMs),
      maxRedirections: 0,
    });
    const excerpt = await readCapped(res.body, limits.maxResponseBytes);
    const status = res.statusCode;
    if (status >= 200 && status < 300) return { statusCode: status, responseExcerpt: excerpt };
    const opts = { statusCode: status, responseExcerpt: excerpt };
    if (status >= 300 && status < 400) {
      const location = String(res.headers['location'] ?? '').slice(0, 200);
      throw new DeliveryError('HTTP_REDIRECT', `the receiver answered ${status} (redirect to ${location || 'nowhere'}); redirects are not followed`, false, opts);
    }
    if (status === 410) throw new DeliveryError('HTTP_GONE', 'the receiver answered 410 Gone: the endpoint is disabled', true, opts);
    const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(res.headers['retry-after'], req.now) : undefined;
    const withRetry = retryAfterMs === undefined ? opts : { ...opts, retryAfterMs };
    if (status < 500) throw new DeliveryError('HTTP_CLIENT_ERROR', `the receiver answered ${status}`, false, withRetry);
    throw new DeliveryError('HTTP_SERVER_ERROR', `the receiver answered ${status}`, false, withRetry);
  } catch (err) {
    throw asDeliveryError(err);
  } finally {
    void agent.destroy().catch(() => {});
  }
}

/** Retry-After as delay-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now: Date): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

/** Read at most `max` bytes of the body, then drop the rest (and the socket with it). */
async function readCapped(body: AsyncIterable<Buffer> & { destroy(): unknown }, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= max) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, max).toString('utf8').slice(0, EXCERPT_CHARS);
}

function asDeliveryError(err: unknown): DeliveryError {
  if (err instanceof DeliveryError) return err;
  const e = err as Error & { code?: string; cause?: { code?: string; message?: string } };
  if (
    e instanceof undiciErrors.ConnectTimeoutError ||
    e instanceof undiciErrors.HeadersTimeoutError ||
    e instanceof undiciErrors.BodyTimeoutError ||
    e.name === 'TimeoutError' ||
    e.name === 'AbortError'
  ) {
    return new DeliveryError('TIMEOUT', `no answer in time (${e.message})`, false, { cause: err });
  }
  const code = e.code ?? e.cause?.code;
  const detail = e.cause?.message ?? e.message;
  return new DeliveryError('CONNECT_FAILED', `could not connect${code === undefined ? '' : ` (${code})`}: ${detail}`, false, { cause: err });
}
