/**
 * Rekor v1 REST reader (PROTOCOLS.md §3.1): `GET /api/v1/log` (signed checkpoint "<host> - <treeID>", ECDSA
 * key hint), `GET /api/v1/log/proof` (consistency), `POST /api/v1/log/entries/retrieve` (at most 10 global
 * indexes per request, several requests in flight under an adaptive limiter), `GET /api/v1/log/entries?logIndex=`
 * (the last leaf's audit path for the start point). Shards: global index = local index + Σ inactive sizes.
 */
import { z } from 'zod';
import {
  CompactRange,
  TlogError,
  bytesEqual,
  ecdsaNoteVerifier,
  fromBase64,
  fromHex,
  hashLeaf,
  verifyCheckpoint,
  verifyConsistency,
  type NoteVerifier,
} from '@sigwatch/tlog';
import { AdaptiveLimiter, LogHttpError, requestJson, type HttpOptions } from './http.js';
import type { LogConfig } from './log-list.js';
import { parseLogResponse, type FetchedLeaf, type LogHead, type LogSource, type ShardView } from './log-source.js';
import { compactRangeFromProof, rootMismatch } from '../follow/merkle-edges.js';

const hex64 = z.string().regex(/^[0-9a-fA-F]{64}$/);
const ShardInfo = z.object({ rootHash: hex64, treeSize: z.number().int().nonnegative(), signedTreeHead: z.string(), treeID: z.string().regex(/^\d+$/) });
const LogInfo = ShardInfo.extend({ inactiveShards: z.array(ShardInfo).optional() });
const Proof = z.object({ rootHash: hex64.optional(), hashes: z.array(hex64).max(64) });
const InclusionProof = z.object({ logIndex: z.number().int().nonnegative(), treeSize: z.number().int().positive(), rootHash: hex64, hashes: z.array(hex64).max(64) });
const LogEntry = z.object({
  logIndex: z.number().int().nonnegative(),
  body: z.string(),
  integratedTime: z.number().int().optional(),
  logID: z.string().optional(),
  verification: z.object({ inclusionProof: InclusionProof.optional() }).partial().optional(),
});
const EntryMap = z.record(z.string(), LogEntry);
const RetrieveResponse = z.array(EntryMap);

const BATCH = 10;

export class RekorV1Source implements LogSource {
  readonly maxStep = 2_000;
  private readonly verifier: NoteVerifier;
  private readonly keyName: string;
  private readonly limiter: AdaptiveLimiter;
  private readonly http: HttpOptions;

  constructor(
    readonly config: LogConfig,
    http: HttpOptions = {},
  ) {
    // The checkpoint key name is the host; a logs file may name the log by its full checkpoint origin
    // ("<host> - <treeID>"), which changes at every shard rollover.
    this.keyName = config.origin.split(' - ')[0] as string;
    this.verifier = ecdsaNoteVerifier(this.keyName, config.publicKey);
    this.limiter = http.limiter ?? new AdaptiveLimiter(4, 1, 24);
    this.http = { ...http, limiter: this.limiter };
  }

  get concurrency(): number {
    return this.limiter.current;
  }

  private parse<T>(schema: z.ZodType<T>, json: unknown, what: string): T {
    return parseLogResponse(schema, json, 'MALFORMED_ENTRY', `${this.config.origin} ${what}`);
  }

  private verifyShard(info: z.infer<typeof ShardInfo>): LogHead {
    const origin = `${this.keyName} - ${info.treeID}`;
    const { checkpoint } = verifyCheckpoint(info.signedTreeHead, { logKeys: [this.verifier], origin });
    // The unsigned JSON fields must agree with the signed note: we trust only the note.
    if (checkpoint.size !== BigInt(info.treeSize) || !bytesEqual(checkpoint.rootHash, fromHex(info.rootHash))) {
      throw new TlogError('ENTRY_MISMATCH', `${origin}: log info (size ${info.treeSize}) disagrees with its signed checkpoint (size ${checkpoint.size})`);
    }
    return { size: checkpoint.size, rootHash: checkpoint.rootHash, signed: info.signedTreeHead, treeId: info.treeID };
  }

  async fetchHead(): Promise<LogHead> {
    const info = this.parse(LogInfo, await requestJson(`${this.config.url}/api/v1/log`, {}, this.http), 'log info');
    const head = this.verifyShard(info);
    head.inactiveShards = (info.inactiveShards ?? []).map((s) => ({ treeId: s.treeID, head: this.verifyShard(s) }));
    return head;
  }

  async fetchLeaves(from: bigint, to: bigint, shard: ShardView): Promise<FetchedLeaf[]> {
    const jobs: Promise<FetchedLeaf[]>[] = [];
    for (let start = from; start < to; start += BigInt(BATCH)) {
      const end = start + BigInt(BATCH) < to ? start + BigInt(BATCH) : to;
      jobs.push(this.retrieve(start, end, shard));
    }
    return (await Promise.all(jobs)).flat();
  }

  private async retrieve(from: bigint, to: bigint, shard: ShardView): Promise<FetchedLeaf[]> {
    const globals: number[] = [];
    for (let i = from; i < to; i++) globals.push(Number(i + shard.offset));
    const json = await requestJson(`${this.config.url}/api/v1/log/entries/retrieve`, { method: 'POST', body: { logIndexes: globals } }, this.http);
    const maps = this.parse(RetrieveResponse, json, 'entries/retrieve');
    const byIndex = new Map<number, FetchedLeaf>();
    for (const map of maps) {
      for (const [uuid, entry] of Object.entries(map)) {
        byIndex.set(entry.logIndex, {
          leaf: fromBase64(entry.body, 'MALFORMED_ENTRY', `body of entry ${entry.logIndex}`),
          ...(entry.integratedTime !== undefined ? { integratedTime: entry.integratedTime } : {}),
          uuid,
        });
      }
    }
    return globals.map((g) => {
      const leaf = byIndex.get(g);
      // A missing entry is the log's failure to serve it, not a verification failure: retried later.
      if (leaf === undefined) throw new LogHttpError(`${this.config.origin}: entries/retrieve did not return global index ${g}`, 200, true, this.config.url);
      return leaf;
    });
  }

  async provePrefix(range: CompactRange, head: LogHead, shard: ShardView): Promise<void> {
    const size = range.size;
    const root = range.root();
    if (size === head.size) {
      if (!bytesEqual(root, head.rootHash)) throw rootMismatch(`${this.config.origin} at size ${size}`, root, head.rootHash);
      return;
    }
    const q = new URLSearchParams({ firstSize: String(size), lastSize: String(head.size), ...(shard.treeId ? { treeID: shard.treeId } : {}) });
    const proof = this.parse(Proof, await requestJson(`${this.config.url}/api/v1/log/proof?${q}`, {}, this.http), 'consistency proof');
    verifyConsistency(size, head.size, proof.hashes.map((h) => fromHex(h, 'BAD_HASH_SIZE')), root, head.rootHash);
  }

  async rangeAt(size: bigint, _head: LogHead, shard: ShardView): Promise<CompactRange> {
    if (size === 0n) return CompactRange.empty();
    const last = size - 1n;
    const json = await requestJson(`${this.config.url}/api/v1/log/entries?logIndex=${last + shard.offset}`, {}, this.http);
    const entries = Object.values(this.parse(EntryMap, json, 'entry'));
    const entry = entries[0];
    const proof = entry?.verification?.inclusionProof;
    if (entry === undefined || proof === undefined) throw new TlogError('MALFORMED_ENTRY', `${this.config.origin}: entry ${last} has no inclusion proof`);
    if (BigInt(proof.logIndex) !== last) throw new TlogError('ENTRY_MISMATCH', `${this.config.origin}: asked for local index ${last}, proof is for ${proof.logIndex}`);
    const leafHash = hashLeaf(fromBase64(entry.body, 'MALFORMED_ENTRY', 'entry body'));
    return compactRangeFromProof(last, BigInt(proof.treeSize), leafHash, proof.hashes.map((h) => fromHex(h, 'BAD_HASH_SIZE')));
  }

  async compactRangeAt(head: LogHead, shard: ShardView): Promise<CompactRange> {
    const range = await this.rangeAt(head.size, head, shard);
    if (!bytesEqual(range.root(), head.rootHash)) throw rootMismatch(`${this.config.origin} start range at ${head.size}`, range.root(), head.rootHash);
    return range;
  }
}
