/**
 * Messages between the ThreadedPublisher and its publish threads. A batch travels packed: all leaf bytes
 * in one buffer with their end offsets, all leaf hashes in another, both transferred (not copied) to the
 * thread. Every message is checked with zod on arrival, as any other input.
 */
import { z } from 'zod';
import type { FetchedLeaf } from '../logs/log-source.js';
import type { VerifiedBatch } from './publish.js';

const decimal = z.string().regex(/^(0|[1-9][0-9]*)$/);

export const ThreadOptions = z.object({
  redisUrl: z.string().min(1),
  prefix: z.string().min(1),
  jobSize: z.number().int().positive(),
  recordRecentEvents: z.boolean(),
});
export type ThreadOptions = z.infer<typeof ThreadOptions>;

export const PublishRequest = z
  .object({
    id: z.number().int().nonnegative(),
    log: z.object({ id: z.string().min(1), origin: z.string().min(1), kind: z.enum(['rekor-v1', 'rekor-v2', 'ct']) }),
    from: decimal,
    offset: decimal,
    data: z.instanceof(Uint8Array),
    ends: z.instanceof(Uint32Array),
    hashes: z.instanceof(Uint8Array),
    uuids: z.array(z.string().nullable()).optional(),
    times: z.array(z.number().int().nullable()).optional(),
    recentFrom: z.number().int().nonnegative().optional(),
  })
  .superRefine((r, ctx) => {
    const n = r.ends.length;
    if (r.hashes.length !== 32 * n) ctx.addIssue({ code: 'custom', message: `${r.hashes.length} hash bytes for ${n} leaves` });
    if (n > 0 && r.ends[n - 1] !== r.data.length) ctx.addIssue({ code: 'custom', message: 'leaf ends do not cover the data' });
    for (let i = 1; i < n; i++) {
      if ((r.ends[i] as number) < (r.ends[i - 1] as number)) {
        ctx.addIssue({ code: 'custom', message: `leaf ends decrease at ${i}` });
        break;
      }
    }
    if (r.uuids !== undefined && r.uuids.length !== n) ctx.addIssue({ code: 'custom', message: 'uuids do not match the leaves' });
    if (r.times !== undefined && r.times.length !== n) ctx.addIssue({ code: 'custom', message: 'times do not match the leaves' });
  });
export type PublishRequest = z.infer<typeof PublishRequest>;

export const PublishReply = z.discriminatedUnion('ok', [
  z.object({
    id: z.number().int(),
    ok: z.literal(true),
    published: z.number().int().nonnegative(),
    jobs: z.number().int().nonnegative(),
    malformed: z.array(z.object({ position: z.number().int().nonnegative(), code: z.string(), reason: z.string() })),
  }),
  z.object({ id: z.number().int(), ok: z.literal(false), error: z.string() }),
]);
export type PublishReply = z.infer<typeof PublishReply>;

/** The request for `batch` and the buffers to transfer with it. */
export function packBatch(id: number, batch: VerifiedBatch): { request: PublishRequest; transfer: ArrayBuffer[] } {
  const n = batch.leaves.length;
  let total = 0;
  for (const l of batch.leaves) total += l.leaf.length;
  const data = new Uint8Array(total);
  const ends = new Uint32Array(n);
  const hashes = new Uint8Array(32 * n);
  let at = 0;
  let uuids: Array<string | null> | undefined;
  let times: Array<number | null> | undefined;
  batch.leaves.forEach((l, i) => {
    data.set(l.leaf, at);
    at += l.leaf.length;
    ends[i] = at;
    hashes.set(batch.hashes[i] as Uint8Array, 32 * i);
    if (l.uuid !== undefined) (uuids ??= new Array<string | null>(n).fill(null))[i] = l.uuid;
    if (l.integratedTime !== undefined) (times ??= new Array<number | null>(n).fill(null))[i] = l.integratedTime;
  });
  const request: PublishRequest = {
    id,
    log: { id: batch.log.id, origin: batch.log.origin, kind: batch.log.kind },
    from: batch.from.toString(),
    offset: batch.offset.toString(),
    data,
    ends,
    hashes,
    ...(batch.recentFrom !== undefined ? { recentFrom: batch.recentFrom } : {}),
    ...(uuids !== undefined ? { uuids } : {}),
    ...(times !== undefined ? { times } : {}),
  };
  return { request, transfer: [data.buffer as ArrayBuffer, ends.buffer as ArrayBuffer, hashes.buffer as ArrayBuffer] };
}

/** The batch a request carries (views into its buffers, no copies). */
export function unpackBatch(r: PublishRequest): VerifiedBatch {
  const leaves: FetchedLeaf[] = [];
  const hashes: Uint8Array[] = [];
  let start = 0;
  r.ends.forEach((end, i) => {
    const leaf: FetchedLeaf = { leaf: r.data.subarray(start, end) };
    const uuid = r.uuids?.[i];
    const time = r.times?.[i];
    if (uuid !== undefined && uuid !== null) leaf.uuid = uuid;
    if (time !== undefined && time !== null) leaf.integratedTime = time;
    leaves.push(leaf);
    hashes.push(r.hashes.subarray(32 * i, 32 * i + 32));
    start = end;
  });
  return { log: r.log, from: BigInt(r.from), offset: BigInt(r.offset), leaves, hashes, ...(r.recentFrom !== undefined ? { recentFrom: r.recentFrom } : {}) };
}
