/**
 * What the follower needs from a log, whatever its protocol (certspotter `ctclient.Log`). Every method
 * returns data that is VERIFIED where the method says so and throws `TlogError` when verification fails
 * (the follower halts the log) or `LogHttpError` when the log cannot be reached (the follower retries).
 */
import type { z } from 'zod';
import { TlogError, type CompactRange, type TlogErrorCode } from '@sigwatch/tlog';
import type { LogConfig } from './log-list.js';

/** A signed tree head whose signature has been verified with the log's key. */
export interface LogHead {
  size: bigint;
  rootHash: Uint8Array;
  /** The signed material, kept as evidence: a signed note, or the CT STH JSON. */
  signed: string;
  /** Rekor v1: the active shard's tree id, and the inactive shards' verified heads (oldest first). */
  treeId?: string;
  inactiveShards?: Array<{ treeId: string; head: LogHead }>;
}

export interface FetchedLeaf {
  /** The exact bytes that were hashed into the tree (RFC 6962 leaf input). */
  leaf: Uint8Array;
  /** Rekor v1 integratedTime (unix seconds), when the API gives it. */
  integratedTime?: number;
  uuid?: string;
}

export interface ShardView {
  /** Rekor v1 tree id of the shard being read (others: undefined). */
  treeId?: string;
  /** Added to a local index to get the global index (Rekor v1 inactive shards' sizes). */
  offset: bigint;
}

export interface LogSource {
  readonly config: LogConfig;
  /** Fetches the latest signed tree head and verifies its signature (TlogError on failure). */
  fetchHead(): Promise<LogHead>;
  /** Raw leaves [from, to) of the tree (local indexes). NOT verified: the follower hashes them into its range. */
  fetchLeaves(from: bigint, to: bigint, shard: ShardView): Promise<FetchedLeaf[]>;
  /**
   * Proves that the tree `range` covers is a prefix of `head` (consistency proof, or the
   * log's hash tiles). Throws TlogError('INCONSISTENT_TREE' | 'ROOT_MISMATCH') when it is not.
   */
  provePrefix(range: CompactRange, head: LogHead, shard: ShardView): Promise<void>;
  /**
   * The compact range [0, size) for any size ≤ head.size, from the audit path of leaf size−1 (or the hash
   * tiles of `head`'s tree). NOT verified: the caller extends it and checks a signed root (backfill).
   */
  rangeAt(size: bigint, head: LogHead, shard: ShardView): Promise<CompactRange>;
  /** The compact range at `head.size`, built from the last leaf's audit path (or the tiles' right edge) and verified against `head`. */
  compactRangeAt(head: LogHead, shard: ShardView): Promise<CompactRange>;
  /** Upper bound on leaves per fetch step the reader handles well. */
  readonly maxStep: number;
  /**
   * Where the follower stops reading this poll, in [verifiedSize, head.size] (absent: head.size). A tile log
   * holds back the partial tile at the tree's end until it has waited a while (tile-tail.ts); the follower
   * still proves the verified tree a prefix of `head` on every poll.
   */
  readEnd?(head: LogHead, verifiedSize: bigint): bigint;
}

/**
 * Validate a log's JSON response with zod. Log data is attacker-controlled: a response of the wrong shape is
 * a TlogError with `code` (the follower halts the log on it), never an exception from deep inside a reader.
 */
export function parseLogResponse<T>(schema: z.ZodType<T>, json: unknown, code: TlogErrorCode, what: string): T {
  const r = schema.safeParse(json);
  if (!r.success) throw new TlogError(code, `${what}: ${r.error.issues[0]?.path.join('.')} ${r.error.issues[0]?.message}`);
  return r.data;
}
