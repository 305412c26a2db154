/**
 * `sigwatch backfill --log <origin> --from <index>`: re-read [index, verified size) of a followed log,
 * verify it against the verified position and enqueue it for matching (see follow/backfill.ts). Uses the
 * worker's environment (DATABASE_URL, REDIS_URL, REDIS_PREFIX, SIGWATCH_LOGS, SIGWATCH_TRUSTED_ROOT or SIGWATCH_TUF_*).
 * Prints one JSON result; exit 0 done, 1 failed, 2 bad usage.
 */
import { pino } from 'pino';
import { ConfigError } from '@sigwatch/config';
import { createDb } from '@sigwatch/db';
import { Producer, QueueName, createRedis } from '@sigwatch/queue';
import { isTlogError } from '@sigwatch/tlog';
import { loadConfig } from '../config.js';
import { loadLogList } from '../logs/log-list.js';
import { trustedRootSource } from '../logs/trusted-root-source.js';
import { LogStateStore } from '../follow/log-state-store.js';
import { backfill, BackfillError } from '../follow/backfill.js';
import { createSource } from '../follow/role.js';
import { parseArgs, printJson, single, UsageError, withUsage } from './args.js';

const USAGE = 'sigwatch backfill --log <origin> --from <index>';

export async function run(args: string[]): Promise<number> {
  return withUsage(USAGE, async () => {
    const p = parseArgs(args, { options: ['log', 'from'] });
    if (p.positionals.length > 0) throw new UsageError(`unexpected argument ${p.positionals[0]}`);
    const origin = single(p, 'log', true);
    const fromText = single(p, 'from', true);
    if (!/^(0|[1-9]\d*)$/.test(fromText)) throw new UsageError('--from must be a non-negative integer');
    let config;
    try {
      config = loadConfig();
    } catch (e) {
      if (e instanceof ConfigError) {
        printJson({ ok: false, code: e.code, message: e.message });
        return 1;
      }
      throw e;
    }
    const stderrLog = pino({ level: config.LOG_LEVEL }, pino.destination(2));
    const logs = await loadLogList(config.SIGWATCH_LOGS, await trustedRootSource(config, stderrLog).load());
    const logConfig = logs.find((l) => l.origin === origin || l.id === origin);
    if (logConfig === undefined) throw new UsageError(`no followed log has origin "${origin}"; known: ${logs.map((l) => l.origin).join(', ')}`);
    const db = createDb(config.DATABASE_URL);
    const redis = createRedis(config.REDIS_URL, 'producer');
    const producer = new Producer(QueueName.EntriesToMatch, redis, config.REDIS_PREFIX);
    try {
      const result = await backfill(
        { source: createSource(logConfig), store: new LogStateStore(db), producer, log: stderrLog },
        BigInt(fromText),
      );
      printJson({ ok: true, log: logConfig.origin, ...result });
      return 0;
    } catch (e) {
      if (e instanceof BackfillError || isTlogError(e)) {
        printJson({ ok: false, code: e.code, message: e.message });
        return 1;
      }
      throw e;
    } finally {
      await producer.close();
      redis.disconnect();
      await db.$disconnect();
    }
  });
}
