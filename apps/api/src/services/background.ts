/**
 * Work finished after the answer has gone out, so that the answer's timing does not depend on it (a
 * sign-up for a new and for an existing address must take the same time). `idle()` waits for it all
 * (shutdown, tests); failures are logged, never thrown at a request.
 */
export class BackgroundTasks {
  private readonly inFlight = new Set<Promise<void>>();
  constructor(private readonly onError: (err: unknown, what: string) => void = () => {}) {}

  run(what: string, task: () => Promise<void>): void {
    const p = task()
      .catch((err: unknown) => this.onError(err, what))
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }
}
