/**
 * One follower per log across worker processes: a PostgreSQL session-level advisory lock held on a
 * dedicated connection. When the holder dies its session ends and the lock is free for another worker.
 */
import pg from 'pg';
import { createHash } from 'node:crypto';

function lockKey(logId: string): bigint {
  // Two 32-bit halves of SHA-256 as one signed 64-bit key, namespaced to Sigwatch followers.
  return createHash('sha256').update(`sigwatch-follower:${logId}`).digest().readBigInt64BE(0);
}

/** The lock connection's application_name (PostgreSQL keeps 63 bytes). */
export function lockSessionName(logId: string): string {
  return `sigwatch lock ${logId}`.slice(0, 63);
}

export class LeaderLock {
  private client: pg.Client | undefined;
  private lost = false;
  constructor(
    private readonly databaseUrl: string,
    readonly logId: string,
  ) {}

  /**
   * Try once; true when this process now leads the log. A lock whose connection broke is given up first
   * (that connection is closed, so no session of this process is left holding the lock) and sought anew.
   */
  async tryAcquire(): Promise<boolean> {
    if (this.client !== undefined && !this.lost) return true;
    await this.release();
    // Named, so that an operator sees each follower's lock session in pg_stat_activity.
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: lockSessionName(this.logId) });
    client.on('error', () => {
      // Only the connection that holds the lock counts: a stale one's late error must not unseat it.
      if (this.client === client) this.lost = true;
    });
    await client.connect();
    const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [lockKey(this.logId).toString()]);
    if (rows[0]?.ok === true) {
      this.client = client;
      this.lost = false;
      return true;
    }
    await client.end();
    return false;
  }

  /** False once the connection holding the lock broke: stop following at once. */
  get held(): boolean {
    return this.client !== undefined && !this.lost;
  }

  async release(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c === undefined) return;
    await c.query('SELECT pg_advisory_unlock($1)', [lockKey(this.logId).toString()]).catch(() => {});
    await c.end().catch(() => {});
  }
}
