/**
 * One publish thread (worker_threads): receives verified batches from the ThreadedPublisher, runs
 * an InlinePublisher on them (parse → SigningEvents → BullMQ jobs) with its own Redis connection, and replies
 * with the count and the malformed leaves. The follower persists its position only after the reply.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createRedis } from '@sigwatch/queue';
import { InlinePublisher } from './publish.js';
import { PublishRequest, ThreadOptions, unpackBatch, type PublishReply } from './publish-wire.js';

const port = parentPort;
if (port === null) throw new Error('publish-thread.ts runs only as a worker thread (see publish-threads.ts)');
const options = ThreadOptions.parse(workerData);
const redis = createRedis(options.redisUrl, 'producer');
const publisher = InlinePublisher.onRedis(redis, options);

port.on('message', (raw: unknown) => {
  if (raw === 'close') {
    void publisher
      .close()
      .finally(() => redis.disconnect())
      .finally(() => port.close());
    return;
  }
  const parsed = PublishRequest.safeParse(raw);
  if (!parsed.success) {
    const id = typeof (raw as { id?: unknown } | null)?.id === 'number' ? (raw as { id: number }).id : -1;
    port.postMessage({ id, ok: false, error: `bad publish request: ${parsed.error.message}` } satisfies PublishReply);
    return;
  }
  const request = parsed.data;
  publisher.publish(unpackBatch(request)).then(
    (r) => port.postMessage({ id: request.id, ok: true, published: r.published, jobs: r.jobs, malformed: [...r.malformed] } satisfies PublishReply),
    (e: unknown) => port.postMessage({ id: request.id, ok: false, error: e instanceof Error ? e.message : String(e) } satisfies PublishReply),
  );
});
