/**
 * Where the worker's trusted root comes from, read again at every log-list refresh:
 * - `SIGWATCH_TRUSTED_ROOT` set: that file (an operator keeps it current);
 * - else, unless `SIGWATCH_TUF_MIRROR=off`: the `trusted_root.json` target of a TUF repository, through
 *   @sigstore/tuf (the client Sigstore's own tools use). The default mirror is the public-good one, whose
 *   first root.json @sigstore/tuf embeds; another mirror needs its first root.json in `SIGWATCH_TUF_ROOT`.
 *   Verified metadata is cached in `SIGWATCH_TUF_CACHE`, so a restart without the network still starts
 *   from the last verified root while the cached metadata has not expired;
 * - else: the production root embedded in @sigstore/tuf, which changes only with an upgrade.
 *
 * A TUF update that fails (mirror down, bad signature, expired or rolled-back metadata) never replaces a
 * trusted root with an unverified one: the last root this source verified stays in force and the failure is
 * logged. With none verified yet, the public-good mirror falls back to the embedded root (logged), and any
 * other mirror is an error saying what to fix.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MIRROR_URL as PUBLIC_GOOD_TUF_MIRROR, initTUF } from '@sigstore/tuf';
import { Counter, Gauge } from 'prom-client';
import { embeddedTrustedRoot, parseTrustedRoot, type TrustedRoot } from '@sigwatch/tlog';
import { registry } from '../metrics.js';
import { loadTrustedRoot } from './log-list.js';

/** For an alert on a TUF mirror that has not verified for a while (the root in force then grows old). */
export const trustMetrics = {
  verifiedAt: new Gauge({ name: 'sigwatch_trusted_root_verified_timestamp_seconds', help: 'Unix time the TUF trusted root was last verified', labelNames: ['mirror'] as const, registers: [registry] }),
  failures: new Counter({ name: 'sigwatch_trusted_root_update_failures_total', help: 'TUF updates of the trusted root that failed (the last verified root stayed in force)', labelNames: ['mirror'] as const, registers: [registry] }),
};

const TRUSTED_ROOT_TARGET = 'trusted_root.json';

export interface TrustedRootConfig {
  readonly SIGWATCH_TRUSTED_ROOT?: string | undefined;
  readonly SIGWATCH_TUF_MIRROR: string;
  readonly SIGWATCH_TUF_ROOT?: string | undefined;
  readonly SIGWATCH_TUF_CACHE?: string | undefined;
}

export interface TrustedRootLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface TrustedRootSource {
  /** The trusted root as of now. */
  load(): Promise<TrustedRoot>;
  /** Where it comes from, for logs and `sigwatch config check`. */
  readonly description: string;
}

export class TrustedRootSourceError extends Error {
  override readonly name = 'TrustedRootSourceError';
}

function defaultTufCache(): string {
  return join(homedir(), '.cache', 'sigwatch', 'tuf');
}

export function trustedRootSource(config: TrustedRootConfig, log: TrustedRootLog, options: { timeoutMs?: number } = {}): TrustedRootSource {
  const file = config.SIGWATCH_TRUSTED_ROOT;
  if (file !== undefined) return { description: `file ${file}`, load: () => loadTrustedRoot(file) };
  if (config.SIGWATCH_TUF_MIRROR === 'off') return { description: 'the root embedded in @sigstore/tuf', load: async () => embeddedTrustedRoot() };
  return new TufTrustedRoot(config, log, options.timeoutMs ?? 10_000);
}

class TufTrustedRoot implements TrustedRootSource {
  readonly description: string;
  private readonly mirror: string;
  private last: TrustedRoot | undefined;
  private lastText: string | undefined;
  private loading: Promise<TrustedRoot> | undefined;

  constructor(
    private readonly config: TrustedRootConfig,
    private readonly log: TrustedRootLog,
    private readonly timeoutMs: number,
  ) {
    this.mirror = config.SIGWATCH_TUF_MIRROR.replace(/\/+$/, '');
    if (this.mirror !== PUBLIC_GOOD_TUF_MIRROR && config.SIGWATCH_TUF_ROOT === undefined) {
      throw new TrustedRootSourceError(
        `SIGWATCH_TUF_MIRROR=${this.mirror}: set SIGWATCH_TUF_ROOT to that repository's first root.json (only ${PUBLIC_GOOD_TUF_MIRROR} has one built in)`,
      );
    }
    this.description = `TUF ${this.mirror}`;
  }

  /** Concurrent calls (the follow and match roles share a source) share one update. */
  load(): Promise<TrustedRoot> {
    this.loading ??= this.update().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async update(): Promise<TrustedRoot> {
    try {
      const text = await this.fetch(false);
      trustMetrics.verifiedAt.set({ mirror: this.mirror }, Date.now() / 1000);
      if (text !== this.lastText) {
        this.last = parseTrustedRoot(text);
        if (this.lastText !== undefined) this.log.info({ mirror: this.mirror }, 'TUF: a new trusted root was verified and is now in force');
        this.lastText = text;
      }
      return this.last as TrustedRoot;
    } catch (e) {
      const reason = describe(e);
      trustMetrics.failures.inc({ mirror: this.mirror });
      if (this.last !== undefined) {
        this.log.warn({ mirror: this.mirror, err: reason }, 'TUF: could not update the trusted root; the last verified one stays in force');
        return this.last;
      }
      // Nothing verified in this process yet: metadata cached by an earlier run, while it has not expired.
      try {
        const text = await this.fetch(true);
        this.last = parseTrustedRoot(text);
        this.lastText = text;
        this.log.warn({ mirror: this.mirror, err: reason }, 'TUF: the mirror could not be reached; using the trusted root cached by an earlier run');
        return this.last;
      } catch {
        // fall through
      }
      if (this.mirror === PUBLIC_GOOD_TUF_MIRROR && this.config.SIGWATCH_TUF_ROOT === undefined) {
        this.log.warn({ mirror: this.mirror, err: reason }, 'TUF: no trusted root could be verified; using the one embedded in @sigstore/tuf until the mirror answers');
        return embeddedTrustedRoot();
      }
      throw new TrustedRootSourceError(`TUF ${this.mirror}: no trusted root could be verified (${reason}); check the mirror URL, SIGWATCH_TUF_ROOT and the network`);
    }
  }

  /** The verified `trusted_root.json` target (`cached`: from the cache alone, no network). */
  private async fetch(cached: boolean): Promise<string> {
    const tuf = await initTUF({
      mirrorURL: this.mirror,
      cachePath: this.config.SIGWATCH_TUF_CACHE ?? defaultTufCache(),
      ...(this.config.SIGWATCH_TUF_ROOT !== undefined ? { rootPath: this.config.SIGWATCH_TUF_ROOT } : {}),
      timeout: this.timeoutMs,
      retry: { retries: 1, factor: 2, minTimeout: 500, maxTimeout: 2_000 },
      forceCache: cached,
    });
    return tuf.getTarget(TRUSTED_ROOT_TARGET);
  }
}

function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = (e as { cause?: unknown }).cause;
  return cause instanceof Error ? `${e.message}: ${cause.message}` : e.message;
}
