/**
 * Certificate chain status of MATCHED entries (DESIGN.md "Parsing": the full certificate check only where an
 * entry matched; the ingest path leaves `chain` 'unknown'). The queued event carries no certificate bytes, so
 * the matcher reads each matched entry's leaf again from its log by index — Rekor v1/v2 through the follower's
 * own readers (`createSource`), CT with its extra_data (logs/ct-entry.ts) — and chainVerdict (chain-verdict.ts)
 * judges it against the Fulcio CAs of the trusted root.
 *
 * An alert is never lost, nor held for long, over this: any failure (the log down or slow, the log list not
 * loadable, a leaf other than the verified one) gives 'unknown' and a logged reason; a check takes at most
 * `timeoutMs`, and its request is aborted then; a log that failed is not asked again for `unreachableMs`, so a
 * batch of matches from a log that is down costs one timeout, not one each.
 */
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import { TILE_WIDTH, type TrustedRoot } from '@sigwatch/tlog';
import type { SigningEvent } from '@sigwatch/rules';
import { registry } from '../metrics.js';
import { createSource } from '../follow/role.js';
import { fetchCtEntry } from '../logs/ct-entry.js';
import type { LogConfig } from '../logs/log-list.js';
import { chainVerdict, type ChainVerdict, type FetchedEntry } from './chain-verdict.js';

const checked = new Counter({
  name: 'sigwatch_chain_checks_total',
  help: 'Certificate chains of matched entries checked, by status (unknown: the log could not be read or the leaf was not the verified one)',
  labelNames: ['status'] as const,
  registers: [registry],
});

/** What a check needs besides the log: the trusted root (its Fulcio CAs) and the followed logs. */
export interface TrustMaterial {
  root: TrustedRoot;
  logs: readonly LogConfig[];
}

export interface ChainCheckerOptions {
  /** Loads the trusted root (file or TUF) and SIGWATCH_LOGS; called at the first check and again after `reloadMs`. */
  load: () => Promise<TrustMaterial>;
  log: Logger;
  /** Longest one check may take before the Match is written with 'unknown' (default 5 s). */
  timeoutMs?: number;
  /** Checks in flight per job (default 4). */
  concurrency?: number;
  /** How long a log that failed to answer is not asked again (default 30 s). */
  unreachableMs?: number;
  /**
   * How old the trusted root and log list may get before the next check reloads them (default 5 min;
   * Infinity: never). A load that failed is tried again after at most a minute.
   */
  reloadMs?: number;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class ChainStatusChecker {
  readonly #o: Required<ChainCheckerOptions>;
  #current: TrustMaterial | undefined;
  #loading: Promise<void> | undefined;
  #loadedAt = 0;
  #loadError: string | undefined;
  /** Log id → time before which it is not asked again. */
  readonly #down = new Map<string, number>();

  constructor(options: ChainCheckerOptions) {
    this.#o = { timeoutMs: 5_000, concurrency: 4, unreachableMs: 30_000, reloadMs: 300_000, ...options };
  }

  /**
   * `events` (all of log `logId`) with each certificate's chain status filled in: new objects for events with a
   * certificate, the others as they are. At most `concurrency` checks at once. Never throws.
   */
  async annotate(logId: string, events: readonly SigningEvent[]): Promise<SigningEvent[]> {
    const out = events.slice();
    let next = 0;
    const work = async (): Promise<void> => {
      for (let i = next++; i < out.length; i = next++) {
        const event = out[i] as SigningEvent;
        if (event.certificate === undefined) continue;
        const { status } = await this.verdict(logId, event);
        out[i] = { ...event, certificate: { ...event.certificate, chain: status } };
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#o.concurrency, out.length) }, work));
    return out;
  }

  /** The chain verdict for one event of log `logId`, within about `timeoutMs`. Never throws. */
  async verdict(logId: string, event: SigningEvent): Promise<ChainVerdict> {
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => {
        abort.abort();
        resolve(undefined);
      }, this.#o.timeoutMs);
    });
    let v: ChainVerdict;
    try {
      v = (await Promise.race([this.#check(logId, event, abort.signal), late])) ?? this.#failed(logId, `no answer within ${this.#o.timeoutMs} ms`);
    } catch (e) {
      v = { status: 'unknown', reason: `chain check failed: ${message(e)}` };
    } finally {
      clearTimeout(timer);
    }
    checked.inc({ status: v.status });
    const fields = { logId, index: event.index, leafHash: event.leafHash, chain: v.status, reason: v.reason };
    if (v.status === 'valid') this.#o.log.debug(fields, 'matched certificate chains to the trusted Fulcio CAs');
    else if (v.status === 'invalid') this.#o.log.warn(fields, 'matched certificate does NOT chain to the trusted Fulcio CAs');
    else this.#o.log.warn(fields, 'matched certificate chain status unknown: the alert goes out without it');
    return v;
  }

  async #check(logId: string, event: SigningEvent, signal: AbortSignal): Promise<ChainVerdict> {
    if ((this.#down.get(logId) ?? 0) > Date.now()) return { status: 'unknown', reason: 'the log failed to answer a moment ago' };
    let trust: TrustMaterial;
    try {
      trust = await this.#material();
    } catch (e) {
      return { status: 'unknown', reason: `the trusted root or the log list cannot be loaded: ${message(e)}` };
    }
    const config = trust.logs.find((l) => l.id === logId);
    if (config === undefined) return { status: 'unknown', reason: `log ${logId} is not in the configured log list` };
    let entry: FetchedEntry;
    try {
      entry = await this.#fetch(config, event, signal);
    } catch (e) {
      return this.#failed(logId, `reading entry ${event.index} from ${config.url} failed: ${message(e)}`);
    }
    return chainVerdict(trust.root, event, entry);
  }

  #failed(logId: string, reason: string): ChainVerdict {
    this.#down.set(logId, Date.now() + this.#o.unreachableMs);
    return { status: 'unknown', reason };
  }

  async #fetch(config: LogConfig, event: SigningEvent, signal: AbortSignal): Promise<FetchedEntry> {
    const index = BigInt(event.index);
    // A few retries, all cut off at the deadline (a source per check: its requests end with the check).
    const http = { timeoutMs: this.#o.timeoutMs, retries: 2, signal };
    if (config.kind === 'ct') return fetchCtEntry(config, index, http);
    const source = createSource(config, { http });
    let to = index + 1n;
    if (config.kind === 'rekor-v2') {
      // tlog-tiles: a partial entry bundle exists only at the width of a checkpoint's tree size, so an entry
      // in the tree's last tile is read up to the current (verified) checkpoint, never at a width of its own.
      const size = (await source.fetchHead()).size;
      const tileEnd = (index / BigInt(TILE_WIDTH) + 1n) * BigInt(TILE_WIDTH);
      to = size < tileEnd ? size : tileEnd;
      if (to <= index) throw new Error(`entry ${index} is past the log's checkpoint (size ${size})`);
    }
    // Rekor v1 reads by global index: local index + the sizes of the inactive shards before it.
    const [fetched] = await source.fetchLeaves(index, to, { offset: BigInt(event.globalIndex) - index });
    if (fetched === undefined) throw new Error(`no leaf ${index} in the answer`);
    return { leaf: fetched.leaf };
  }

  /** The last good trust material, reloaded when older than `reloadMs` (a failed reload keeps the old one). */
  async #material(): Promise<TrustMaterial> {
    const age = Date.now() - this.#loadedAt;
    if (this.#loading === undefined && age >= (this.#current === undefined ? Math.min(this.#o.reloadMs, 60_000) : this.#o.reloadMs)) {
      this.#loadedAt = Date.now();
      this.#loading = this.#o
        .load()
        .then(
          (m) => {
            this.#current = m;
            this.#loadError = undefined;
          },
          (e: unknown) => {
            this.#loadError = message(e);
            this.#o.log.warn({ err: this.#loadError }, 'chain status: cannot load the trusted root or the log list');
          },
        )
        .finally(() => {
          this.#loading = undefined;
        });
    }
    if (this.#current === undefined) await this.#loading;
    if (this.#current === undefined) throw new Error(this.#loadError ?? 'not loaded');
    return this.#current;
  }
}
