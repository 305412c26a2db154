/**
 * A real HTTP webhook receiver on 127.0.0.1:<random port> that records every request (headers, raw body,
 * arrival time) and answers as programmed: a status per attempt number, a delay, a redirect, a huge body.
 *
 *   const rx = await startWebhookReceiver({ respond: (n) => (n <= 3 ? { status: 500 } : { status: 204 }) });
 *   … endpoint url = rx.url('/hook') …
 *   const req = await rx.waitFor((r) => r.headers['webhook-id'] === id);
 *   await rx.close();
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  /** 1-based arrival number on this receiver. */
  n: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  receivedAt: number;
}

export interface ProgrammedResponse {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  /** Wait this long before answering (a slow receiver). */
  delayMs?: number;
  /** Send this many bytes of body (to test the read cap). */
  bodyBytes?: number;
}

export interface ReceiverOptions {
  /** Answer for the n-th request (1-based) on this receiver; default 200 "ok". */
  respond?: (n: number, req: ReceivedRequest) => ProgrammedResponse;
}

export interface WebhookReceiver {
  port: number;
  url(path?: string): string;
  requests: ReceivedRequest[];
  /** Requests currently being answered (for concurrency checks) and the most seen at once. */
  inFlight(): number;
  maxInFlight(): number;
  waitFor(match: (r: ReceivedRequest) => boolean, timeoutMs?: number): Promise<ReceivedRequest>;
  waitForCount(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(options: ReceiverOptions = {}): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const waiters = new Set<() => void>();
  let current = 0;
  let peak = 0;
  const server = createServer((req, res) => {
    // A sender killed mid-request (chaos tests) resets the socket: that is data, not a crash of the test.
    req.on('error', () => {});
    res.on('error', () => {});
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      current += 1;
      peak = Math.max(peak, current);
      const r: ReceivedRequest = {
        n: requests.length + 1,
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAt: Date.now(),
      };
      requests.push(r);
      for (const w of waiters) w();
      const answer = options.respond?.(r.n, r) ?? { status: 200, body: 'ok' };
      const send = (): void => {
        current -= 1;
        res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
        if (answer.bodyBytes !== undefined) res.end(Buffer.alloc(answer.bodyBytes, 'x'));
        else res.end(answer.body ?? '');
      };
      if (answer.delayMs === undefined) send();
      else setTimeout(send, answer.delayMs);
    });
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const waitUntil = (ok: () => boolean, what: () => string, timeoutMs: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (!ok()) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`webhook receiver: ${what()} within ${timeoutMs} ms (${requests.length} requests received)`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });

  return {
    port,
    url: (path = '/hook') => `http://127.0.0.1:${port}${path}`,
    requests,
    inFlight: () => current,
    maxInFlight: () => peak,
    async waitFor(match, timeoutMs = 10_000) {
      await waitUntil(() => requests.some(match), () => 'no matching request', timeoutMs);
      return requests.find(match) as ReceivedRequest;
    },
    waitForCount: (count, timeoutMs = 10_000) => waitUntil(() => requests.length >= count, () => `fewer than ${count} requests`, timeoutMs),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
