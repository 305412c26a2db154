/**
 * An EventPublisher that parses and queues in worker threads (PARSE_THREADS), so that on a machine with
 * more than one core the follower's own thread only fetches, hashes and verifies: parsing, building the
 * events and serialising the jobs (about two thirds of the per-entry CPU on the tiles path) run beside it.
 *
 * A batch goes to the thread with the fewest batches in flight. A thread that dies rejects what it had in
 * flight (the follower records an error and repeats the step, whose job ids make the repeat a no-op) and
 * is started again on the next batch.
 */
import { Worker } from 'node:worker_threads';
import type { EventPublisher, PublishResult, VerifiedBatch } from './publish.js';
import { PublishReply, packBatch, type ThreadOptions } from './publish-wire.js';

const ENTRY = new URL('./publish-thread-entry.mjs', import.meta.url);

/**
 * Young generation of each publish thread (V8 gives it to two semi-spaces and the young large-object
 * space: 96 MB is 32 MB semi-spaces, twice V8's default). A thread allocates ~13 KB per Rekor v2 entry while
 * parsing and ~4 KB more serialising its job; with the default, a young-generation GC ran every ~900
 * entries (--trace-gc), each copying what was alive. Measured as alternating batches of 16,384 entries through two
 * publishers in one process (one with the default, one with this): 9–10 % less CPU per entry for the whole
 * process, lower in 9 of 10 pairs, in two series (medians 30.1 vs 33.4 and 29.3 vs 32.2 µs/entry). The cost is
 * up to ~32 MB more resident memory per thread at full ingest rate.
 */
const PUBLISH_THREAD_YOUNG_GENERATION_MB = 96;

export class PublishThreadError extends Error {
  override readonly name = 'PublishThreadError';
}

interface Pending {
  resolve: (r: PublishResult) => void;
  reject: (e: Error) => void;
}

class PublishThread {
  private worker: Worker | undefined;
  readonly pending = new Map<number, Pending>();

  constructor(private readonly options: ThreadOptions) {
    // Started at once: loading the thread's modules takes a while, better before the first batch.
    this.start().unref();
  }

  private start(): Worker {
    const w = new Worker(ENTRY, { workerData: this.options, resourceLimits: { maxYoungGenerationSizeMb: PUBLISH_THREAD_YOUNG_GENERATION_MB } });
    w.on('message', (raw: unknown) => this.onReply(raw));
    w.on('error', (e) => this.fail(w, new PublishThreadError(`publish thread failed: ${e.message}`, { cause: e })));
    w.on('exit', (code) => this.fail(w, new PublishThreadError(`publish thread exited (code ${code})`)));
    this.worker = w;
    return w;
  }

  send(id: number, batch: VerifiedBatch): Promise<PublishResult> {
    const w = this.worker ?? this.start();
    const { request, transfer } = packBatch(id, batch);
    return new Promise<PublishResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.ref(); // an idle thread does not keep the process alive; one with work does
      w.postMessage(request, transfer);
    });
  }

  private onReply(raw: unknown): void {
    const parsed = PublishReply.safeParse(raw);
    if (!parsed.success) return; // cannot be matched to a batch; its sender times out with the thread
    const reply = parsed.data;
    const p = this.pending.get(reply.id);
    if (p === undefined) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker?.unref();
    if (reply.ok) p.resolve({ published: reply.published, jobs: reply.jobs, malformed: reply.malformed });
    else p.reject(new PublishThreadError(`publishing a batch failed: ${reply.error}`));
  }

  private fail(w: Worker, e: Error): void {
    if (this.worker !== w) return;
    this.worker = undefined;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  async close(): Promise<void> {
    const w = this.worker;
    if (w === undefined) return;
    this.worker = undefined;
    const exited = new Promise<void>((r) => w.once('exit', () => r()));
    w.postMessage('close');
    const timer = setTimeout(() => void w.terminate(), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

export class ThreadedPublisher implements EventPublisher {
  private readonly threads: PublishThread[];
  private readonly jobSize: number;
  private nextId = 0;

  constructor(options: ThreadOptions & { threads: number }) {
    if (!Number.isInteger(options.threads) || options.threads < 1) throw new RangeError('ThreadedPublisher needs at least one thread');
    const { threads, ...threadOptions } = options;
    this.jobSize = options.jobSize;
    this.threads = Array.from({ length: threads }, () => new PublishThread(threadOptions));
  }

  /**
   * A batch of more than one job is split into one slice per thread, each slice a whole number of jobs,
   * so the job boundaries (and ids) are those of the unsplit batch and every thread works on it at once.
   */
  async publish(batch: VerifiedBatch): Promise<PublishResult> {
    const n = batch.leaves.length;
    const jobsInBatch = Math.ceil(n / this.jobSize);
    const parts = Math.max(1, Math.min(this.threads.length, jobsInBatch));
    const sliceJobs = Math.ceil(jobsInBatch / parts);
    const slices: Array<{ start: number; promise: Promise<PublishResult> }> = [];
    for (let p = 0; p < parts; p++) {
      const start = p * sliceJobs * this.jobSize;
      const end = Math.min(n, start + sliceJobs * this.jobSize);
      if (start >= end) break;
      const slice: VerifiedBatch = {
        log: batch.log,
        from: batch.from + BigInt(start),
        offset: batch.offset,
        leaves: batch.leaves.slice(start, end),
        hashes: batch.hashes.slice(start, end),
        ...(batch.recentFrom !== undefined && batch.recentFrom < end ? { recentFrom: Math.max(0, batch.recentFrom - start) } : {}),
      };
      slices.push({ start, promise: this.leastBusy().send(this.nextId++, slice) });
    }
    const results = await Promise.all(slices.map((s) => s.promise));
    return {
      published: results.reduce((sum, r) => sum + r.published, 0),
      jobs: results.reduce((sum, r) => sum + r.jobs, 0),
      malformed: results.flatMap((r, i) => r.malformed.map((m) => ({ ...m, position: m.position + (slices[i] as { start: number }).start }))),
    };
  }

  private leastBusy(): PublishThread {
    let best = this.threads[0] as PublishThread;
    for (const t of this.threads) if (t.pending.size < best.pending.size) best = t;
    return best;
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.close()));
  }
}
