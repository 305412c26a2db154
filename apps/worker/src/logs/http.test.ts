import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AdaptiveLimiter, LogHttpError, parseRetryAfter, request, requestJson } from './http.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('AdaptiveLimiter', () => {
  it('never loses a wake-up: a refused request releasing its slot still lets every waiter run (regression)', async () => {
    const limiter = new AdaptiveLimiter(2, 1, 8);
    let inFlight = 0;
    let peak = 0;
    const started = Date.now();
    // 200 tasks, every third one "throttled" with a short Retry-After, as a load-shedding log does.
    await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        await limiter.acquire();
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 1));
        inFlight--;
        limiter.release(i % 3 === 0 ? 'throttled' : 'ok', i % 3 === 0 ? 1_000 : undefined);
      }),
    );
    expect(peak).toBeLessThanOrEqual(8);
    // With lost wake-ups the waiters only moved when another release happened; 200 tasks of ~1 ms each must not take seconds.
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('holds every request during a long Retry-After (a spent budget)', async () => {
    const limiter = new AdaptiveLimiter(4);
    await limiter.acquire();
    limiter.release('throttled', 2_500);
    const t = Date.now();
    await limiter.acquire();
    expect(Date.now() - t).toBeGreaterThanOrEqual(2_000);
    limiter.release('ok');
  });
});

describe('request', () => {
  it('parses Retry-After as seconds or a date', () => {
    expect(parseRetryAfter('3')).toBe(3_000);
    expect(parseRetryAfter(new Date(Date.now() + 10_000).toUTCString())).toBeGreaterThan(8_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it('waits out 429s with Retry-After without spending retries, then succeeds', async () => {
    let n = 0;
    const url = await serve((_req, res) => {
      n++;
      if (n <= 4) {
        res.writeHead(429, { 'retry-after': '0' }).end('slow down');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    expect(await requestJson(url, {}, { retries: 1, backoffMs: 1 })).toEqual({ ok: true });
    expect(n).toBe(5);
  });

  it('gives up on a 4xx at once with a typed, non-retryable error, and on repeated 5xx after the retries', async () => {
    let n = 0;
    const url = await serve((req, res) => {
      n++;
      res.writeHead(req.url === '/missing' ? 404 : 502).end('nope');
    });
    await expect(request(`${url}/missing`, {}, { retries: 3, backoffMs: 1 })).rejects.toMatchObject({ name: 'LogHttpError', status: 404, retryable: false });
    expect(n).toBe(1);
    await expect(request(`${url}/flaky`, {}, { retries: 2, backoffMs: 1 })).rejects.toBeInstanceOf(LogHttpError);
    expect(n).toBe(1 + 3);
  });

  it('reports a body that is not JSON as a LogHttpError', async () => {
    const url = await serve((_req, res) => res.writeHead(200).end('{"half":'));
    await expect(requestJson(url, {}, { retries: 0 })).rejects.toMatchObject({ name: 'LogHttpError' });
  });
});
