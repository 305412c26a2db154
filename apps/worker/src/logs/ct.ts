/**
 * RFC 6962 CT reader for Fulcio's CT log (PROTOCOLS.md §3.4): `get-sth` (TLS digitally-signed
 * TreeHeadSignature, §3.5), `get-sth-consistency`, `get-entries` looped until the whole range arrived
 * whatever the server's cap (§4.6 lets logs return fewer), and the start point from the last leaf's audit
 * path (`get-entry-and-proof`, by index: identical leaves are legal in a log).
 */
import { z } from 'zod';
import { CompactRange, TlogError, bytesEqual, fromBase64, hashLeaf, verifyConsistency, verifySth } from '@sigwatch/tlog';
import { AdaptiveLimiter, requestJson, type HttpOptions } from './http.js';
import type { LogConfig } from './log-list.js';
import { parseLogResponse, type FetchedLeaf, type LogHead, type LogSource } from './log-source.js';
import { compactRangeFromProof, rootMismatch } from '../follow/merkle-edges.js';

const b64 = z.string().max(1 << 20);
const Sth = z.object({ tree_size: z.number().int().nonnegative(), timestamp: z.number().int().nonnegative(), sha256_root_hash: b64, tree_head_signature: b64 });
const Consistency = z.object({ consistency: z.array(b64).max(64) });
const Entries = z.object({ entries: z.array(z.object({ leaf_input: b64, extra_data: b64.optional() })).max(10_000) });
const EntryAndProof = z.object({ leaf_input: b64, extra_data: b64.optional(), audit_path: z.array(b64).max(64) });

export class CtSource implements LogSource {
  readonly maxStep = 4_096;
  private readonly http: HttpOptions;

  constructor(
    readonly config: LogConfig,
    http: HttpOptions = {},
  ) {
    this.http = { ...http, limiter: http.limiter ?? new AdaptiveLimiter(4, 1, 16) };
  }

  private parse<T>(schema: z.ZodType<T>, json: unknown, what: string): T {
    return parseLogResponse(schema, json, 'MALFORMED_CT', `${this.config.origin} ${what}`);
  }

  async fetchHead(): Promise<LogHead> {
    const json = await requestJson(`${this.config.url}/ct/v1/get-sth`, {}, this.http);
    const sth = this.parse(Sth, json, 'get-sth');
    const head = verifySth(sth, this.config.publicKey);
    return { size: head.treeSize, rootHash: head.rootHash, signed: JSON.stringify(sth) };
  }

  async fetchLeaves(from: bigint, to: bigint): Promise<FetchedLeaf[]> {
    const out: FetchedLeaf[] = [];
    let next = from;
    // The server may return fewer entries than asked (its cap): loop until the whole range arrived.
    while (next < to) {
      const json = await requestJson(`${this.config.url}/ct/v1/get-entries?start=${next}&end=${to - 1n}`, {}, this.http);
      const { entries } = this.parse(Entries, json, 'get-entries');
      if (entries.length === 0) throw new TlogError('MALFORMED_CT', `${this.config.origin}: get-entries returned nothing for [${next}, ${to})`);
      for (const e of entries.slice(0, Number(to - next))) out.push({ leaf: fromBase64(e.leaf_input, 'MALFORMED_CT', 'leaf_input') });
      next = from + BigInt(out.length);
    }
    return out;
  }

  async provePrefix(range: CompactRange, head: LogHead): Promise<void> {
    if (range.size === head.size) {
      if (!bytesEqual(range.root(), head.rootHash)) throw rootMismatch(`${this.config.origin} at ${head.size}`, range.root(), head.rootHash);
      return;
    }
    const json = await requestJson(`${this.config.url}/ct/v1/get-sth-consistency?first=${range.size}&second=${head.size}`, {}, this.http);
    const proof = this.parse(Consistency, json, 'get-sth-consistency');
    verifyConsistency(range.size, head.size, proof.consistency.map((h) => fromBase64(h, 'BAD_HASH_SIZE')), range.root(), head.rootHash);
  }

  async rangeAt(size: bigint, head: LogHead): Promise<CompactRange> {
    if (size === 0n) return CompactRange.empty();
    const last = size - 1n;
    // By index, not by hash: identical leaves (same certificate, same millisecond) are legal in a log.
    const q = new URLSearchParams({ leaf_index: String(last), tree_size: String(head.size) });
    const res = this.parse(EntryAndProof, await requestJson(`${this.config.url}/ct/v1/get-entry-and-proof?${q}`, {}, this.http), 'get-entry-and-proof');
    const leafHash = hashLeaf(fromBase64(res.leaf_input, 'MALFORMED_CT', 'leaf_input'));
    return compactRangeFromProof(last, head.size, leafHash, res.audit_path.map((h) => fromBase64(h, 'BAD_HASH_SIZE')));
  }

  async compactRangeAt(head: LogHead): Promise<CompactRange> {
    const range = await this.rangeAt(head.size, head);
    if (!bytesEqual(range.root(), head.rootHash)) throw rootMismatch(`${this.config.origin} start range at ${head.size}`, range.root(), head.rootHash);
    return range;
  }
}
