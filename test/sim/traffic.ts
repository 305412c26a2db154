/**
 * Steady traffic (`--rate <entries/s>`): every 200 ms, appends the due number of entries to each log, with
 * identities drawn from the realistic mix (workflows, e-mails, GitLab, bare keys; v1 kinds mixed).
 */
import type { Appender } from './append.js';
import { LOG_KINDS } from './append.js';

const TICK_MS = 200;

export class Traffic {
  readonly #appender: Appender;
  readonly #rate: number;
  #timer: NodeJS.Timeout | undefined;
  #due = 0;
  #busy = false;

  constructor(appender: Appender, rate: number) {
    this.#appender = appender;
    this.#rate = rate;
  }

  start(): void {
    if (this.#rate <= 0 || this.#timer !== undefined) return;
    this.#timer = setInterval(() => void this.#tick(), TICK_MS);
    this.#timer.unref();
  }

  async #tick(): Promise<void> {
    this.#due += (this.#rate * TICK_MS) / 1000;
    const n = Math.floor(this.#due);
    if (n < 1 || this.#busy) return;
    this.#due -= n;
    this.#busy = true;
    try {
      for (const log of LOG_KINDS) {
        // CT logs two leaves (precert + x509) per certificate.
        const count = log === 'ct' ? Math.max(1, Math.round(n / 2)) : n;
        await this.#appender.append({ log, count });
      }
    } finally {
      this.#busy = false;
    }
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
