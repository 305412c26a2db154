/**
 * Per-client request budget (`POST /control/rate-limit {perMinute}`): a fixed one-minute window per client
 * (the `x-sim-client` header if sent, else the remote address). Beyond the budget: 429 with Retry-After =
 * seconds until the window ends. `perMinute: null` switches it off.
 */
export class RateLimiter {
  perMinute: number | null = null;
  readonly #windows = new Map<string, { start: number; count: number }>();

  /** Returns undefined if allowed, else the Retry-After seconds. */
  check(client: string, now = Date.now()): number | undefined {
    if (this.perMinute === null) return undefined;
    let w = this.#windows.get(client);
    if (w === undefined || now - w.start >= 60_000) {
      w = { start: now, count: 0 };
      this.#windows.set(client, w);
    }
    w.count++;
    if (w.count <= this.perMinute) return undefined;
    return Math.max(1, Math.ceil((w.start + 60_000 - now) / 1000));
  }

  set(perMinute: number | null): void {
    this.perMinute = perMinute;
    this.#windows.clear();
  }
}
