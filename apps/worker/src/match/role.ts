/** The `match` role: the live rule index, the chain checker of matched entries, and the entries-to-match consumer. */
import { Producer, QueueName } from '@sigwatch/queue';
import type { RoleDeps } from '../roles.js';
import { loadLogList } from '../logs/log-list.js';
import { trustedRootSource } from '../logs/trusted-root-source.js';
import { ChainStatusChecker } from './chain-status.js';
import { LiveRuleIndex } from './live-index.js';
import { createMatchProcessor } from './match-worker.js';

export async function startMatchRole(deps: RoleDeps): Promise<() => Promise<void>> {
  const { config, db, redis, workers, log } = deps;
  const index = new LiveRuleIndex(db, redis, config.REDIS_PREFIX, log);
  await index.start();
  const deliveries = new Producer(QueueName.Deliveries, redis, config.REDIS_PREFIX);
  const roots = deps.trustedRoot ?? trustedRootSource(config, log);
  const chain = new ChainStatusChecker({
    log,
    // Re-read as often as the follow role does, so a log it starts following (a new shard) is known here too.
    reloadMs: config.LOGS_REFRESH_INTERVAL_MS > 0 ? config.LOGS_REFRESH_INTERVAL_MS : Infinity,
    load: async () => {
      const root = await roots.load();
      return { root, logs: await loadLogList(config.SIGWATCH_LOGS, root) };
    },
  });
  workers.register(QueueName.EntriesToMatch, createMatchProcessor({ db, index, deliveries, log, chain }), { concurrency: config.MATCH_CONCURRENCY });
  return async () => {
    await index.stop();
    await deliveries.close();
  };
}
