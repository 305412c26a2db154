/**
 * The follower's last stage: a VERIFIED batch of leaves → SigningEvents → the matcher's queue.
 *
 * The follower hands each verified step to an EventPublisher and persists its position only once the
 * publisher says the events are queued. `publishBatch` is the one implementation of the stage; the
 * InlinePublisher runs it on the caller's thread, the ThreadedPublisher (publish-threads.ts) in worker
 * threads so that parsing and serialising run on another core while the follower fetches and hashes the
 * next step. Job ids come from (log, range), so publishing the same batch twice is a no-op in BullMQ.
 */
import type { LogKind, SigningEvent } from '@sigwatch/rules';
import type { Redis } from 'ioredis';
import { Producer, QueueName, entriesJobId } from '@sigwatch/queue';
import type { FetchedLeaf } from '../logs/log-source.js';
import { parseLeafEvents } from '../parse/parse-leaf.js';
import { recentEventsRecorder } from './recent-events.js';

export interface VerifiedBatch {
  readonly log: { readonly id: string; readonly origin: string; readonly kind: LogKind };
  /** Tree (shard-local) index of leaves[0]. */
  readonly from: bigint;
  /** Added to a tree index to get the global index (Rekor v1 inactive shards' sizes; 0 elsewhere). */
  readonly offset: bigint;
  readonly leaves: readonly FetchedLeaf[];
  /** hashes[i] = the verified RFC 6962 leaf hash of leaves[i]. */
  readonly hashes: readonly Uint8Array[];
  /**
   * Leaves from this position on feed `onEvents` (the preview's recent-events list); none when undefined.
   * The follower sets it only on a step that ends at the head it is catching up to, to its last
   * RECENT_EVENTS_MAX leaves: while a long backlog is read, earlier events would only be serialised again
   * to be dropped from the list.
   */
  readonly recentFrom?: number;
}

export interface PublishResult {
  /** Events queued. */
  readonly published: number;
  /** Jobs they were queued in. */
  readonly jobs: number;
  /** Leaves that did not parse: `position` is the offset into the batch. */
  readonly malformed: ReadonlyArray<{ readonly position: number; readonly code: string; readonly reason: string }>;
}

export interface EventPublisher {
  publish(batch: VerifiedBatch): Promise<PublishResult>;
  close(): Promise<void>;
}

export interface PublishDeps {
  readonly producer: Producer<typeof QueueName.EntriesToMatch>;
  /** Events per queued job. */
  readonly jobSize?: number;
  /** Job id of the events [from, to) (global indexes); default entriesJobId, so a repeat is a no-op. */
  readonly jobId?: (logId: string, from: bigint, to: bigint) => string;
  /** Called with the queued events from `recentFrom` on, a job's worth at a time. Its failure is ignored. */
  readonly onEvents?: (events: SigningEvent[]) => Promise<void>;
}

export const DEFAULT_JOB_SIZE = 500;

/**
 * Parse every leaf of a verified batch and queue the events, one job per `jobSize` leaves; report the
 * malformed ones. Each job is sent as soon as its leaves are parsed, so a batch's events never all live at
 * once (a 16,384-leaf step would otherwise keep ~40 MB of events alive, and promote them, while queueing).
 */
export async function publishBatch(batch: VerifiedBatch, deps: PublishDeps): Promise<PublishResult> {
  const log = { origin: batch.log.origin, kind: batch.log.kind };
  const size = deps.jobSize ?? DEFAULT_JOB_SIZE;
  const makeJobId = deps.jobId ?? entriesJobId;
  const n = batch.leaves.length;
  const recentFrom = deps.onEvents === undefined ? n : (batch.recentFrom ?? n);
  const malformed: Array<{ position: number; code: string; reason: string }> = [];
  const sends: Promise<unknown>[] = [];
  const inFlight: Promise<unknown>[] = [];
  let published = 0;
  let jobs = 0;
  for (let start = 0; start < n; start += size) {
    // At most two jobs on their way to Redis while the next is parsed: BullMQ serialises a job only once
    // its addBulk gets going, so without a wait every job's events of the batch would stay alive (and be
    // copied by every young-generation GC) until the loop ended.
    while (inFlight.length >= 2) await inFlight.shift();
    const end = Math.min(n, start + size);
    const events: SigningEvent[] = [];
    for (let i = start; i < end; i++) {
      const leaf = batch.leaves[i] as FetchedLeaf;
      const index = batch.from + BigInt(i);
      try {
        events.push(
          ...parseLeafEvents({
            log,
            index,
            globalIndex: index + batch.offset,
            leafBytes: leaf.leaf,
            leafHash: batch.hashes[i] as Uint8Array,
            ...(leaf.uuid !== undefined ? { uuid: leaf.uuid } : {}),
            ...(leaf.integratedTime !== undefined ? { integratedTime: leaf.integratedTime } : {}),
          }),
        );
      } catch (e) {
        const code = typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : 'PARSE_FAILED';
        malformed.push({ position: i, code, reason: e instanceof Error ? e.message : String(e) });
      }
    }
    if (events.length === 0) continue;
    const from = BigInt((events[0] as SigningEvent).globalIndex);
    const to = BigInt((events[events.length - 1] as SigningEvent).globalIndex) + 1n;
    const data = { log: { id: batch.log.id, origin: batch.log.origin }, from: String(from), to: String(to), events };
    // The parser built these events to the SigningEvent schema; the matcher validates every job it takes.
    const send = deps.producer.addBulk([{ jobId: makeJobId(batch.log.id, from, to), data }], { validated: true });
    sends.push(send);
    inFlight.push(send.catch(() => {}));
    if (end > recentFrom) {
      const recent = start >= recentFrom ? events : events.filter((e) => BigInt(e.index) >= batch.from + BigInt(recentFrom));
      sends.push(deps.onEvents?.(recent).catch(() => {}) ?? Promise.resolve());
    }
    published += events.length;
    jobs++;
  }
  await Promise.all(sends);
  return { published, jobs, malformed };
}

/** Parses and queues on the caller's thread (the CLI, tests, PARSE_THREADS=0, and each publish thread). */
export class InlinePublisher implements EventPublisher {
  /** `ownsProducer`: close() closes the producer too (it was made for this publisher). */
  constructor(
    private readonly deps: PublishDeps,
    private readonly ownsProducer = false,
  ) {}

  /** A publisher with its own producer on `redis`, keeping the recent-events list if asked. */
  static onRedis(redis: Redis, o: { prefix: string; jobSize: number; recordRecentEvents: boolean }): InlinePublisher {
    const producer = new Producer(QueueName.EntriesToMatch, redis, o.prefix);
    return new InlinePublisher({ producer, jobSize: o.jobSize, ...(o.recordRecentEvents ? { onEvents: recentEventsRecorder(redis, o.prefix) } : {}) }, true);
  }

  publish(batch: VerifiedBatch): Promise<PublishResult> {
    return publishBatch(batch, this.deps);
  }

  async close(): Promise<void> {
    if (this.ownsProducer) await this.deps.producer.close();
  }
}
