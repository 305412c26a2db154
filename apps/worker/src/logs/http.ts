/**
 * HTTP for log readers: a timeout on every request, jittered exponential retries on network errors,
 * 408, 429 and 5xx, `Retry-After` honoured, and a typed `LogHttpError` (status + retryable) otherwise.
 * A shared `AdaptiveLimiter` (AIMD) bounds requests in flight per log: it grows by one after a run of
 * successes and halves on a 429/5xx, so the reader backs off a log that is rate-limiting it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { request as undiciRequest } from 'undici';

export class LogHttpError extends Error {
  override readonly name = 'LogHttpError';
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly retryable: boolean,
    readonly url: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface HttpOptions {
  timeoutMs?: number;
  retries?: number;
  /** Base delay of the exponential backoff. */
  backoffMs?: number;
  maxBackoffMs?: number;
  userAgent?: string;
  /** A 429/503 answered with Retry-After is the log pacing us, not a failure: keep waiting up to this long in all. */
  maxThrottleWaitMs?: number;
  limiter?: AdaptiveLimiter;
  signal?: AbortSignal;
}

const DEFAULTS = { timeoutMs: 15_000, retries: 5, maxThrottleWaitMs: 5 * 60_000, backoffMs: 250, maxBackoffMs: 30_000, userAgent: 'sigwatch/0.1 (+transparency log monitor)' };

const LONG_RETRY_AFTER_MS = 2_000;

/** Requests in flight, additive increase / multiplicative decrease. */
export class AdaptiveLimiter {
  private inFlight = 0;
  private successes = 0;
  private readonly waiters: Array<() => void> = [];
  private pausedUntil = 0;
  private timer: NodeJS.Timeout | undefined;
  constructor(
    private limit: number,
    readonly min = 1,
    readonly max = 32,
  ) {}

  get current(): number {
    return this.limit;
  }

  /** Take a slot; waiters are served in order, each handed a slot as one frees up. */
  async acquire(): Promise<void> {
    if (this.waiters.length === 0 && this.inFlight < this.limit && Date.now() >= this.pausedUntil) {
      this.inFlight++;
      return;
    }
    const handed = new Promise<void>((r) => this.waiters.push(r));
    // Free slots may exist while paused: make sure someone wakes this waiter when the pause ends.
    this.pump();
    await handed;
  }

  release(outcome: 'ok' | 'throttled' | 'error', retryAfterMs?: number): void {
    this.inFlight--;
    if (outcome === 'ok') {
      if (++this.successes >= this.limit && this.limit < this.max) {
        this.limit++;
        this.successes = 0;
      }
    } else if (outcome === 'throttled') {
      this.limit = Math.max(this.min, Math.floor(this.limit / 2));
      this.successes = 0;
      // A long Retry-After means the budget is spent: hold every request. A short one (a log shedding
      // some load) is honoured by the refused request alone, while concurrency halves.
      if (retryAfterMs !== undefined && retryAfterMs >= LONG_RETRY_AFTER_MS) this.pausedUntil = Math.max(this.pausedUntil, Date.now() + retryAfterMs);
    }
    this.pump();
  }

  /** Hand free slots to waiters (the slot is taken on their behalf, so no wake-up is ever lost). */
  private pump(): void {
    const pause = this.pausedUntil - Date.now();
    if (pause > 0) {
      if (this.timer === undefined && this.waiters.length > 0) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, pause);
      }
      return;
    }
    while (this.waiters.length > 0 && this.inFlight < this.limit) {
      this.inFlight++;
      this.waiters.shift()?.();
    }
  }
}

export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Math.min(Number(value.trim()) * 1000, 300_000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.min(at - now, 300_000));
}

function jitter(ms: number): number {
  return Math.round(ms / 2 + Math.random() * (ms / 2));
}

const RETRYABLE = (status: number) => status === 408 || status === 429 || status >= 500;

export async function request(
  url: string,
  init: { method?: 'GET' | 'POST'; body?: unknown; accept?: string } = {},
  opts: HttpOptions = {},
): Promise<Uint8Array> {
  const o = { ...DEFAULTS, ...opts };
  let attempt = 0;
  let throttledMs = 0;
  for (;;) {
    attempt++;
    await o.limiter?.acquire();
    let outcome: 'ok' | 'throttled' | 'error' = 'error';
    let retryAfter: number | undefined;
    try {
      const signals = [AbortSignal.timeout(o.timeoutMs)];
      if (o.signal) signals.push(o.signal);
      // undici's request() rather than fetch(): no WHATWG streams or Response objects per call, which cost
      // the follower's thread about a fifth of its time on the tiles path. Redirects are not followed: a
      // 3xx is an error like any other non-2xx.
      const res = await undiciRequest(url, {
        method: init.method ?? 'GET',
        headers: {
          'user-agent': o.userAgent,
          accept: init.accept ?? 'application/json',
          ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
        signal: AbortSignal.any(signals),
      });
      const body = new Uint8Array(await res.body.arrayBuffer());
      if (res.statusCode >= 200 && res.statusCode < 300) {
        outcome = 'ok';
        return body;
      }
      const status = res.statusCode;
      const header = res.headers['retry-after'];
      retryAfter = parseRetryAfter(Array.isArray(header) ? (header[0] ?? null) : (header ?? null));
      if (status === 429 || status === 503) {
        outcome = 'throttled';
        // Never hammer a log that says "Retry-After: 0".
        if (retryAfter !== undefined) retryAfter = Math.max(retryAfter, 100);
      }
      const retryable = RETRYABLE(status);
      const excerpt = new TextDecoder().decode(body.slice(0, 200));
      const err = new LogHttpError(`${init.method ?? 'GET'} ${url}: HTTP ${status} ${excerpt}`.trim(), status, retryable, url);
      if (outcome === 'throttled' && retryAfter !== undefined && throttledMs + retryAfter <= o.maxThrottleWaitMs) {
        // Paced by the log: wait as told without spending a retry.
        throttledMs += retryAfter;
        attempt--;
      } else if (!retryable || attempt > o.retries) throw err;
    } catch (e) {
      if (e instanceof LogHttpError && (!e.retryable || attempt > o.retries)) throw e;
      if (o.signal?.aborted) throw new LogHttpError(`${url}: aborted`, undefined, false, url, { cause: e });
      if (!(e instanceof LogHttpError) && attempt > o.retries) {
        throw new LogHttpError(`${init.method ?? 'GET'} ${url}: ${e instanceof Error ? e.message : String(e)}`, undefined, true, url, { cause: e });
      }
    } finally {
      o.limiter?.release(outcome, retryAfter);
    }
    const backoff = Math.min(o.maxBackoffMs, o.backoffMs * 2 ** (attempt - 1));
    await sleep(retryAfter ?? jitter(backoff));
  }
}

/** GET/POST and parse JSON; a body that is not JSON is a non-retryable LogHttpError with the reason. */
export async function requestJson(url: string, init: { method?: 'GET' | 'POST'; body?: unknown } = {}, opts: HttpOptions = {}): Promise<unknown> {
  const bytes = await request(url, init, opts);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new LogHttpError(`${url}: response is not JSON (${e instanceof Error ? e.message : String(e)})`, 200, true, url, { cause: e });
  }
}
