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

export function rulesVersionKey(prefix: string): string {
  return `${prefix}:rules:version`;
}
export function rulesChannel(prefix: string): string {
  return `${prefix}:rules:changed`;
}

export class LiveRuleIndex {
  private index = new RuleIndex();
  private version: string | null = null;
  private subscriber: Redis | undefined;
  private readonly pending = new Set<string>();

  constructor(
    private readonly db: Db,
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly log: Logger,
  ) {}

  get current(): RuleIndex {
    return this.index;
  }

  async start(): Promise<void> {
    this.subscriber = this.redis.duplicate();
    this.subscriber.on('error', (err) => this.log.warn({ err: err.message }, 'rule-change subscriber error'));
    this.subscriber.on('message', (_channel: string, subscriptionId: string) => this.pending.add(subscriptionId));
    await this.subscriber.subscribe(rulesChannel(this.prefix));
    await this.rebuild();
  }

  async stop(): Promise<void> {
    this.subscriber?.disconnect();
  }

  private async records(where: { id?: string } = {}): Promise<RuleRecord[]> {
    const subs = await this.db.subscription.findMany({
      where: { ...where, enabled: true, mutedAt: null },
      select: { id: true, rules: { select: { id: true, definition: true } } },
    });
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

  async rebuild(): Promise<void> {
    const version = await this.redis.get(rulesVersionKey(this.prefix));
    this.pending.clear();
    const started = Date.now();
    this.index = RuleIndex.build(await this.records());
    this.version = version;
    this.log.info({ ...this.index.stats(), ms: Date.now() - started }, 'rule index built');
  }

  /** Apply pending per-subscription changes; rebuild if the counter moved with no message to explain it. */
  async ensureFresh(): Promise<void> {
    const version = await this.redis.get(rulesVersionKey(this.prefix));
    if (this.pending.size > 0) {
      const ids = [...this.pending];
      this.pending.clear();
      for (const id of ids) {
        const records = await this.records({ id });
        if (records.length === 0) this.index.remove(id);
        else this.index.replace(id, records);
      }
      this.version = version;
      return;
    }
    if (version !== this.version) {
      // A change we were not told about (or its message is still in flight): be correct, rebuild.
      await this.rebuild();
    }
  }
}
