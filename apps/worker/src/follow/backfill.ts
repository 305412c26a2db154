/**
 * Backfill: re-read an earlier range [from, verified size) of a followed log and enqueue it for matching,
 * e.g. after a subscription was created for an identity that signed last week. Every leaf is verified as the
 * follower verifies: the compact range at `from` is rebuilt from the log (audit path or hash tiles), the
 * leaves are appended, each step is proven a prefix of the current head — which is first proven to extend
 * the verified position — and the last step must land exactly on the verified root.
 */
import type { Logger } from 'pino';
import { TlogError, bytesEqual, hashLeaf, toHex } from '@sigwatch/tlog';
import type { FetchedLeaf, LogSource, ShardView } from '../logs/log-source.js';
import type { LogStateStore } from './log-state-store.js';
import { publishBatch, type PublishDeps } from './publish.js';

export class BackfillError extends Error {
  override readonly name = 'BackfillError';
  constructor(
    readonly code: 'NOT_FOLLOWED' | 'OUT_OF_RANGE' | 'NOT_VERIFIED',
    message: string,
  ) {
    super(message);
  }
}

export interface BackfillResult {
  from: bigint;
  to: bigint;
  events: number;
  malformed: number;
  jobs: number;
}

export async function backfill(
  deps: { source: LogSource; store: LogStateStore; producer: PublishDeps['producer']; log: Logger },
  fromGlobal: bigint,
): Promise<BackfillResult> {
  const { source, store, producer } = deps;
  const id = source.config.id;
  const pos = (await store.load(id)).position;
  if (pos === undefined) throw new BackfillError('NOT_FOLLOWED', `${source.config.origin} has no verified position yet: let the worker follow it first`);
  const from = fromGlobal - pos.globalOffset;
  if (from < 0n) throw new BackfillError('OUT_OF_RANGE', `index ${fromGlobal} is in an older shard; the current shard starts at global index ${pos.globalOffset}`);
  if (from >= pos.treeSize) throw new BackfillError('OUT_OF_RANGE', `index ${fromGlobal} is not below the verified size ${pos.treeSize + pos.globalOffset}: nothing to backfill`);
  const shard: ShardView = { offset: pos.globalOffset, ...(pos.treeId !== undefined ? { treeId: pos.treeId } : {}) };

  const head = await source.fetchHead();
  if (head.size < pos.treeSize) throw new BackfillError('NOT_VERIFIED', `the log's head (${head.size}) is behind the verified size ${pos.treeSize}`);
  await source.provePrefix(pos.range, head, shard);

  const range = await source.rangeAt(from, head, shard);
  let at = from;
  let events = 0;
  let malformed = 0;
  let jobs = 0;
  const stamp = Date.now().toString(36);
  while (at < pos.treeSize) {
    const to = at + BigInt(source.maxStep) < pos.treeSize ? at + BigInt(source.maxStep) : pos.treeSize;
    const leaves = await source.fetchLeaves(at, to, shard);
    if (BigInt(leaves.length) !== to - at) throw new TlogError('MALFORMED_ENTRY', `asked for ${to - at} leaves, got ${leaves.length}`);
    const hashes = leaves.map((l) => hashLeaf(l.leaf));
    for (const h of hashes) range.append(h);
    if (to === pos.treeSize) {
      if (!bytesEqual(range.root(), pos.rootHash)) {
        throw new BackfillError('NOT_VERIFIED', `leaves [${from}, ${to}) do not hash to the verified root ${toHex(pos.rootHash)}: nothing more enqueued`);
      }
    } else {
      await source.provePrefix(range, head, shard);
    }
    // Distinct job ids: a backfill must run even if the original jobs are still retained; the matcher's
    // unique keys make re-matching an entry harmless.
    const result = await publishBatch(
      { log: { id, origin: source.config.origin, kind: source.config.kind }, from: at, offset: shard.offset, leaves, hashes },
      { producer, jobId: (logId, first, last) => `backfill-${logId}-${first}-${last}-${stamp}` },
    );
    await store.recordMalformed(
      id,
      result.malformed.map((m) => ({ index: at + BigInt(m.position), leaf: (leaves[m.position] as FetchedLeaf).leaf, code: m.code, reason: m.reason })),
    );
    malformed += result.malformed.length;
    jobs += result.jobs;
    events += result.published;
    at = to;
    deps.log.info({ logId: id, at: String(at + shard.offset), events }, 'backfill progress');
  }
  return { from: fromGlobal, to: pos.treeSize + pos.globalOffset, events, malformed, jobs };
}
