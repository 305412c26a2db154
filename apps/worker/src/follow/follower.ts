/**
 * One log's follower: verify, then advance (DESIGN.md "The follower"; certspotter monitor.go).
 *
 *   fetch head ─► verify signature ─► rollback / fork checks ─► prefix proof (consistency or tiles)
 *     ─► per step: fetch leaves ─► hash into a copy of the compact range ─► root = signed root (or prefix proof)
 *     ─► write-ahead mark ─► publish: parse + enqueue (job ids from log + range) ─► persist position +
 *        malformed entries (one tx)
 *
 * Steps overlap: while the publisher parses and queues step N (in worker threads, publish-threads.ts),
 * this thread fetches and verifies step N+1; step N+1 is published only after step N is persisted, so at
 * most one step is ever between its write-ahead mark and its position. Nothing unverified is ever parsed or enqueued. A verification failure (TlogError) halts the log with an
 * Incident holding the evidence; a transport failure (LogHttpError) is recorded and retried. A crash
 * repeats at most the last step, and the job ids and the matcher's unique keys make that a no-op.
 */
import type { Logger } from 'pino';
import { CompactRange, TlogError, bytesEqual, hashLeaf, toHex } from '@sigwatch/tlog';
import type { FetchedLeaf, LogHead, LogSource, ShardView } from '../logs/log-source.js';
import { LogReconfiguredError, type LogStateStore, type MalformedRecord, type VerifiedPosition } from './log-state-store.js';
import type { EventPublisher, PublishResult } from './publish.js';
import { RECENT_EVENTS_MAX } from './recent-events.js';
import { followMetrics as m } from './follow-metrics.js';

export interface FollowerDeps {
  source: LogSource;
  store: LogStateStore;
  /** Parses verified steps and queues their SigningEvents (publish.ts, publish-threads.ts). */
  publisher: EventPublisher;
  log: Logger;
  /** Called once when a new incident halts the log (webhook alerts to endpoints that opted in). */
  onIncident?: (incidentId: string) => Promise<void>;
  /** Backlog growth for this long marks the log `behind`. */
  behindAfterMs?: number;
}

/** A verified step handed to the publisher, persisted once its events are queued. */
interface PublishedStep {
  from: bigint;
  leaves: FetchedLeaf[];
  next: VerifiedPosition;
  result: Promise<PublishResult>;
}

/**
 * `inactive`: the log was removed from the list of logs, or its origin now names another key (by this or
 * another worker's list): this follower is stale and wrote nothing.
 */
export type PollOutcome = 'started' | 'advanced' | 'idle' | 'halted' | 'error' | 'inactive';

export class IncidentError extends Error {
  override readonly name = 'IncidentError';
  constructor(
    readonly code: string,
    message: string,
    readonly evidence: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class Follower {
  private readonly id: string;
  /** The key this follower verifies with (base64 DER SPKI, as the Log row stores it). */
  private readonly publicKey: string;
  private samples: Array<{ at: number; backlog: bigint }> = [];

  constructor(private readonly deps: FollowerDeps) {
    this.id = deps.source.config.id;
    this.publicKey = Buffer.from(deps.source.config.publicKeyDer).toString('base64');
  }

  /** One poll. Never throws: the outcome says what happened, errors are recorded. */
  async poll(): Promise<PollOutcome> {
    const { source, store, log } = this.deps;
    const labels = { log: this.id };
    try {
      const state = await store.load(this.id);
      if (!state.active || state.publicKey !== this.publicKey) return 'inactive';
      const outcome = await this.step(state.position, state.halted);
      if (state.halted) {
        const n = await store.resolveIncidents(this.id);
        log.warn({ logId: this.id, resolved: n }, 'log verified again after a halt: incidents resolved, following resumed');
        m.halted.set(labels, 0);
      }
      m.lastSuccess.set(labels, Date.now() / 1000);
      return outcome;
    } catch (e) {
      if (e instanceof LogReconfiguredError) return 'inactive';
      if (e instanceof IncidentError || e instanceof TlogError) {
        const incident = e instanceof IncidentError ? e : new IncidentError(e.code, e.message, {}, { cause: e });
        m.errors.inc({ log: this.id, kind: 'verification' });
        m.halted.set(labels, 1);
        const { created, id } = await store.openIncident(this.id, incident.code, incident.message, incident.evidence).catch((err: unknown) => {
          log.error({ logId: this.id, err: String(err) }, 'could not store incident');
          return { created: false, id: '' };
        });
        if (created) {
          log.error({ logId: this.id, origin: source.config.origin, code: incident.code, incidentId: id }, `log halted: ${incident.message}`);
          await this.deps.onIncident?.(id).catch((err: unknown) => log.error({ logId: this.id, incidentId: id, err: String(err) }, 'could not alert about the incident'));
        }
        return 'halted';
      }
      m.errors.inc({ log: this.id, kind: 'transport' });
      const message = e instanceof Error ? e.message : String(e);
      log.warn({ logId: this.id, origin: source.config.origin, err: message }, 'poll failed; will retry');
      await store.recordError(this.id, message).catch(() => {});
      return 'error';
    }
  }

  private async step(position: VerifiedPosition | undefined, halted: boolean): Promise<PollOutcome> {
    const { source, store } = this.deps;
    const head = await this.verifiedHead(position);
    m.logSize.set({ log: this.id }, Number(head.size));

    if (position === undefined) {
      // A new log starts at its current head: no history needed (DESIGN.md "Starting point").
      const offset = (head.inactiveShards ?? []).reduce((sum, s) => sum + s.head.size, 0n);
      const shard: ShardView = { offset, ...(head.treeId !== undefined ? { treeId: head.treeId } : {}) };
      const range = await source.compactRangeAt(head, shard);
      await store.advance(this.id, this.publicKey, { treeSize: head.size, rootHash: head.rootHash, checkpoint: head.signed, range, globalOffset: offset, ...(head.treeId !== undefined ? { treeId: head.treeId } : {}) }, [], head.size);
      m.verifiedSize.set({ log: this.id }, Number(head.size));
      this.deps.log.info({ logId: this.id, origin: source.config.origin, treeSize: String(head.size) }, 'following from the current head');
      return 'started';
    }

    let pos = position;
    // Rekor v1 shard rollover: finish the old tree against its final signed head, then start the new one.
    if (head.treeId !== undefined && pos.treeId !== undefined && head.treeId !== pos.treeId) {
      const old = head.inactiveShards?.find((s) => s.treeId === pos.treeId);
      if (old === undefined) {
        throw new IncidentError('UNKNOWN_SHARD', `the log's active tree changed from ${pos.treeId} to ${head.treeId} and the old tree is not among its inactive shards`, {
          trusted: pos.checkpoint,
          latest: head.signed,
        });
      }
      pos = await this.catchUp(pos, old.head, head.size);
      pos = { treeSize: 0n, rootHash: CompactRange.empty().root(), checkpoint: head.signed, range: CompactRange.empty(), treeId: head.treeId, globalOffset: pos.globalOffset + old.head.size };
      await store.advance(this.id, this.publicKey, pos, [], head.size);
      this.deps.log.info({ logId: this.id, treeId: head.treeId, globalOffset: String(pos.globalOffset) }, 'moved to the new shard');
    }

    if (head.size < pos.treeSize) {
      throw new IncidentError('ROLLBACK', `the log's signed tree size ${head.size} is smaller than the verified size ${pos.treeSize}`, { trusted: pos.checkpoint, latest: head.signed });
    }
    if (head.size === pos.treeSize) {
      if (!bytesEqual(head.rootHash, pos.rootHash)) {
        throw new IncidentError('FORK', `the log signed two different roots for size ${head.size}`, {
          trusted: pos.checkpoint,
          latest: head.signed,
          trustedRoot: toHex(pos.rootHash),
          latestRoot: toHex(head.rootHash),
        });
      }
      this.trackBacklog(0n);
      m.verifiedSize.set({ log: this.id }, Number(pos.treeSize));
      return halted ? 'advanced' : 'idle';
    }
    // A tile log may hold back the partial tile at the tree's end for a while (LogSource.readEnd).
    const reached = await this.catchUp(pos, head, head.size, source.readEnd?.(head, pos.treeSize) ?? head.size);
    return reached.treeSize > pos.treeSize ? 'advanced' : 'idle';
  }

  private async verifiedHead(position: VerifiedPosition | undefined): Promise<LogHead> {
    try {
      return await this.deps.source.fetchHead();
    } catch (e) {
      if (e instanceof TlogError) {
        throw new IncidentError(e.code, `the log's signed tree head does not verify: ${e.message}`, { trusted: position?.checkpoint ?? null }, { cause: e });
      }
      throw e;
    }
  }

  /** Verify and publish [pos.treeSize, end) of the tree `target` heads (end ≤ target.size). Returns the new position. */
  private async catchUp(start: VerifiedPosition, target: LogHead, announced: bigint, end = target.size): Promise<VerifiedPosition> {
    const { source, store } = this.deps;
    const shard: ShardView = { offset: start.globalOffset, ...(start.treeId !== undefined ? { treeId: start.treeId } : {}) };
    // Cheap fork detection first: the verified tree must be a prefix of the new one.
    if (start.treeSize > 0n) {
      await source.provePrefix(start.range, target, shard).catch((e: unknown) => {
        if (e instanceof TlogError) {
          throw new IncidentError('INCONSISTENT_TREE', `the new tree head is not an extension of the verified tree: ${e.message}`, {
            trusted: start.checkpoint,
            latest: target.signed,
          }, { cause: e });
        }
        throw e;
      });
    }
    let pos = start;
    const step = BigInt(source.maxStep);
    const stepEnd = (from: bigint): bigint => {
      let to = from + step < end ? from + step : end;
      // Tile-friendly steps: end on a multiple of 256 unless this is the last one.
      if (to < end && to % 256n !== 0n && to - (to % 256n) > from) to -= to % 256n;
      return to;
    };
    // Pipeline: the next step's raw leaves are fetched while this step is verified, and this step is
    // verified while the previous one is published. Verification stays in order; a step is published only
    // once the previous one is persisted.
    let ahead: { from: bigint; to: bigint; leaves: Promise<FetchedLeaf[]> } | undefined;
    let inFlight: PublishedStep | undefined;
    const settle = async (): Promise<void> => {
      if (inFlight === undefined) return;
      const done = inFlight;
      inFlight = undefined;
      await this.persist(done, announced);
    };
    try {
      while (pos.treeSize < end) {
        let to = stepEnd(pos.treeSize);
        // A step interrupted after its write-ahead is repeated exactly, so its jobs get the same ids.
        if (pos.pendingSize !== undefined && pos.pendingSize > pos.treeSize && pos.pendingSize <= target.size) to = pos.pendingSize;
        this.trackBacklog(announced - pos.treeSize);
        const leaves = ahead !== undefined && ahead.from === pos.treeSize && ahead.to === to ? ahead.leaves : source.fetchLeaves(pos.treeSize, to, shard);
        ahead = undefined;
        // Started once this step's leaves have arrived, so the two fetches do not compete for the log.
        const fetchAhead = () => {
          if (to >= end) return;
          const next = { from: to, to: stepEnd(to), leaves: source.fetchLeaves(to, stepEnd(to), shard) };
          next.leaves.catch(() => {}); // an abandoned prefetch must not be an unhandled rejection
          ahead = next;
        };
        const verified = await this.verifyStep(pos, to, target, shard, leaves, fetchAhead);
        await settle();
        await store.markPending(this.id, to);
        const result = this.deps.publisher.publish({
          log: { id: this.id, origin: source.config.origin, kind: source.config.kind },
          from: pos.treeSize,
          offset: shard.offset,
          leaves: verified.leaves,
          hashes: verified.hashes,
          ...(to >= end ? { recentFrom: Math.max(0, verified.leaves.length - RECENT_EVENTS_MAX) } : {}),
        });
        result.catch(() => {}); // awaited by settle(); must not be an unhandled rejection meanwhile
        inFlight = { from: pos.treeSize, leaves: verified.leaves, next: verified.next, result };
        pos = verified.next;
      }
      await settle();
    } catch (e) {
      // A later step failed: the step already published is still persisted, so it is not repeated.
      await settle().catch(() => {});
      throw e;
    }
    this.trackBacklog(announced - pos.treeSize);
    await store.setStatus(this.id, this.isBehind() ? 'behind' : 'ok');
    return pos;
  }

  /** Hash the fetched leaves into a copy of the range and prove the result against the signed head. No side effects. */
  private async verifyStep(pos: VerifiedPosition, to: bigint, target: LogHead, shard: ShardView, fetched: Promise<FetchedLeaf[]>, fetchAhead: () => void): Promise<{ leaves: FetchedLeaf[]; hashes: Uint8Array[]; next: VerifiedPosition }> {
    const { source } = this.deps;
    const leaves = await fetched;
    fetchAhead();
    if (BigInt(leaves.length) !== to - pos.treeSize) {
      throw new TlogError('MALFORMED_ENTRY', `asked for ${to - pos.treeSize} leaves, got ${leaves.length}`);
    }
    const range = pos.range.clone();
    const hashes = leaves.map((l) => hashLeaf(l.leaf));
    for (const h of hashes) range.append(h);
    if (to === target.size) {
      const root = range.root();
      if (!bytesEqual(root, target.rootHash)) {
        throw new IncidentError('ROOT_MISMATCH', `the leaves [${pos.treeSize}, ${to}) do not hash to the signed root`, {
          trusted: pos.checkpoint,
          latest: target.signed,
          recomputedRoot: toHex(root),
          signedRoot: toHex(target.rootHash),
        });
      }
    } else {
      await source.provePrefix(range, target, shard).catch((e: unknown) => {
        if (e instanceof TlogError) {
          throw new IncidentError('ROOT_MISMATCH', `the leaves [${pos.treeSize}, ${to}) are not a prefix of the signed tree: ${e.message}`, {
            trusted: pos.checkpoint,
            latest: target.signed,
            recomputedRoot: toHex(range.root()),
          }, { cause: e });
        }
        throw e;
      });
    }
    const next: VerifiedPosition = {
      treeSize: to,
      rootHash: range.root(),
      checkpoint: to === target.size ? target.signed : pos.checkpoint,
      range,
      globalOffset: pos.globalOffset,
      ...(pos.treeId !== undefined ? { treeId: pos.treeId } : {}),
    };
    return { leaves, hashes, next };
  }

  /** Wait for a published step's events to be queued, then persist its position and malformed entries. */
  private async persist(step: PublishedStep, announced: bigint): Promise<void> {
    const result = await step.result;
    const malformed: MalformedRecord[] = result.malformed.map((x) => {
      const leaf = step.leaves[x.position];
      if (leaf === undefined) throw new Error(`the publisher reported a malformed leaf at ${x.position} of a batch of ${step.leaves.length}`);
      return { index: step.from + BigInt(x.position), leaf: leaf.leaf, code: x.code, reason: x.reason };
    });
    await this.deps.store.advance(this.id, this.publicKey, step.next, malformed, announced);
    m.verifiedSize.set({ log: this.id }, Number(step.next.treeSize));
    m.entries.inc({ log: this.id }, result.published);
    if (malformed.length > 0) {
      m.malformed.inc({ log: this.id }, malformed.length);
      this.deps.log.warn({ logId: this.id, count: malformed.length, first: String(malformed[0]?.index), code: malformed[0]?.code }, 'malformed entries recorded and skipped');
    }
  }

  private trackBacklog(backlog: bigint): void {
    const now = Date.now();
    m.backlog.set({ log: this.id }, Number(backlog));
    this.samples.push({ at: now, backlog });
    const window = this.deps.behindAfterMs ?? 5 * 60_000;
    this.samples = this.samples.filter((s) => s.at >= now - window * 2);
    m.behind.set({ log: this.id }, this.isBehind() ? 1 : 0);
  }

  /** Behind: the backlog is non-zero and has not shrunk over the whole window. */
  isBehind(now = Date.now()): boolean {
    const window = this.deps.behindAfterMs ?? 5 * 60_000;
    const inWindow = this.samples.filter((s) => s.at >= now - window);
    const oldest = this.samples.find((s) => s.at <= now - window);
    if (oldest === undefined || inWindow.length === 0) return false;
    const latest = inWindow[inWindow.length - 1] as { backlog: bigint };
    return latest.backlog > 0n && inWindow.every((s) => s.backlog >= oldest.backlog);
  }
}
