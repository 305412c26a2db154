/**
 * The matcher's in-memory rule index, kept current: built from PostgreSQL at start, updated per
 * subscription when the API publishes a change (`<prefix>:rules:changed`, message = subscription id), and
 * rebuilt whole when the change counter `<prefix>:rules:version` moved without a message reaching us (a
 * dropped pub/sub connection). `ensureFresh()` runs before every batch, so a batch is never matched against
 * an index more than one batch (well under a second) older than the newest change.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Db } from '@sigwatch/db';
import { RuleIndex, parseRule, type RuleRecord } from '@sigwatch/rules';

/** Subscriptions read per query while the whole index is (re)built. */
const REBUILD_PAGE = 2_000;

/** How long a batch waits for the change message that explains a moved counter before rebuilding. */
const MESSAGE_GRACE_MS = 200;

export function rulesVersionKey(prefix: string): string {
  return `${prefix}:rules:version`;
}
export function rulesChannel(prefix: string): string {
  return `${prefix}:rules:changed`;
}

export class LiveRuleIndex {
  private index = new RuleIndex();
  /** Changes applied so far (the value of the change counter the index reflects). */
  private version = 0;
  private subscriber: Redis | undefined;
  /** Subscription ids from change messages not yet applied, one per message. */
  private readonly pending: string[] = [];
  /** False from the start of a rebuild until it completes. */
  private complete = false;
  /** The refresh in flight (`ensureFresh`). */
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly db: Db,
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly log: Logger,
    /** Subscriptions read per query while the whole index is (re)built. */
    private readonly pageSize = REBUILD_PAGE,
  ) {}

  get current(): RuleIndex {
    return this.index;
  }

  async start(): Promise<void> {
    this.subscriber = this.redis.duplicate();
    this.subscriber.on('error', (err) => this.log.warn({ err: err.message }, 'rule-change subscriber error'));
    this.subscriber.on('message', (_channel: string, subscriptionId: string) => this.pending.push(subscriptionId));
    await this.subscriber.subscribe(rulesChannel(this.prefix));
    await this.rebuild();
  }

  async stop(): Promise<void> {
    this.subscriber?.disconnect();
  }

  private toRecords(subs: Array<{ id: string; rules: Array<{ id: string; definition: unknown }> }>): RuleRecord[] {
    const out: RuleRecord[] = [];
    for (const s of subs) {
      for (const r of s.rules) {
        try {
          out.push({ subscriptionId: s.id, ruleId: r.id, rule: parseRule(r.definition) });
        } catch (e) {
          // Rules are validated at the API; a stored rule that no longer parses is skipped, loudly.
          this.log.error({ subscriptionId: s.id, ruleId: r.id, err: e instanceof Error ? e.message : String(e) }, 'stored rule is invalid; skipped');
        }
      }
    }
    return out;
  }

  private async records(where: { id?: string } = {}): Promise<RuleRecord[]> {
    const subs = await this.db.subscription.findMany({
      where: { ...where, enabled: true, mutedAt: null },
      select: { id: true, rules: { select: { id: true, definition: true } } },
    });
    return this.toRecords(subs);
  }

  /** Every enabled subscription's rules, a page at a time (bounded memory while a large index is built). */
  private async buildIndex(): Promise<RuleIndex> {
    const index = new RuleIndex();
    let cursor: string | undefined;
    for (;;) {
      const page = await this.db.subscription.findMany({
        where: { enabled: true, mutedAt: null },
        select: { id: true, rules: { select: { id: true, definition: true } } },
        orderBy: { id: 'asc' },
        take: this.pageSize,
        ...(cursor !== undefined ? { cursor: { id: cursor }, skip: 1 } : {}),
      });
      index.add(this.toRecords(page));
      if (page.length < this.pageSize) return index;
      cursor = page[page.length - 1]?.id;
    }
  }

  /**
   * Build the whole index again from the database. The old index is let go first, so that the matcher
   * never holds two indexes of 100,000 subscriptions at once (the peak of a rebuild would otherwise be
   * twice the index); batches wait for the rebuild in `ensureFresh`, and a batch already matching keeps
   * the index it started with. Until a rebuild completes, `ensureFresh` rebuilds again rather than
   * apply changes to a partial index.
   */
  async rebuild(): Promise<void> {
    const version = Number((await this.redis.get(rulesVersionKey(this.prefix))) ?? 0);
    this.pending.length = 0;
    const started = Date.now();
    this.complete = false;
    this.index = new RuleIndex();
    this.index = await this.buildIndex();
    this.version = version;
    this.complete = true;
    this.log.info({ ...this.index.stats(), ms: Date.now() - started }, 'rule index built');
  }

  /**
   * Bring the index up to the newest change. Batches run concurrently (MATCH_CONCURRENCY), and each one
   * refreshes in turn after the refresh in flight, so two batches never rebuild at once and none misses a
   * change that came during another's refresh.
   */
  async ensureFresh(): Promise<void> {
    while (this.refreshing !== undefined) await this.refreshing.catch(() => undefined);
    const refresh = this.refresh();
    this.refreshing = refresh;
    try {
      await refresh;
    } finally {
      this.refreshing = undefined;
    }
  }

  /**
   * Each change bumps the counter once and publishes one message, so `counter − applied − messages
   * waiting` is the number of changes whose message has not (yet) arrived: wait a moment for them, then
   * rebuild if any is still missing (a dropped subscriber connection).
   */
  private async refresh(): Promise<void> {
    const remote = async () => Number((await this.redis.get(rulesVersionKey(this.prefix))) ?? 0);
    let version = await remote();
    for (let i = 0; i < MESSAGE_GRACE_MS / 10 && version - this.version > this.pending.length; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    version = await remote();
    if (!this.complete || version - this.version > this.pending.length || version < this.version) {
      await this.rebuild();
      return;
    }
    const ids = this.pending.splice(0);
    for (const id of new Set(ids)) {
      const records = await this.records({ id });
      if (records.length === 0) this.index.remove(id);
      else this.index.replace(id, records);
    }
    this.version += ids.length;
  }
}
