/**
 * One CT log entry with its `extra_data` (RFC 6962 §4.6 `get-entries?start=i&end=i`). The follower's reader
 * (ct.ts) keeps only `leaf_input`, the part the tree hash covers; the matcher needs `extra_data` too for a
 * precert entry, whose pre-certificate and chain are only there (PrecertChainEntry). Neither is verified
 * here: the caller hashes `leaf` against a verified leaf hash, and extra_data is checked against the leaf.
 */
import { z } from 'zod';
import { TlogError, fromBase64 } from '@sigwatch/tlog';
import { requestJson, type HttpOptions } from './http.js';
import type { LogConfig } from './log-list.js';
import { parseLogResponse } from './log-source.js';

const b64 = z.string().max(1 << 20);
const Entries = z.object({ entries: z.array(z.object({ leaf_input: b64, extra_data: b64.optional() })).max(10_000) });

export interface CtEntry {
  /** MerkleTreeLeaf: what the tree hashes. */
  leaf: Uint8Array;
  /** X509ChainEntry / PrecertChainEntry, when the log gave it. */
  extraData?: Uint8Array;
}

/** Entry `index` of the CT log `config`. Throws LogHttpError (unreachable) or TlogError (malformed answer). */
export async function fetchCtEntry(config: LogConfig, index: bigint, http: HttpOptions = {}): Promise<CtEntry> {
  const json = await requestJson(`${config.url}/ct/v1/get-entries?start=${index}&end=${index}`, {}, http);
  const { entries } = parseLogResponse(Entries, json, 'MALFORMED_CT', `${config.origin} get-entries`);
  const e = entries[0];
  if (e === undefined) throw new TlogError('MALFORMED_CT', `${config.origin}: get-entries returned nothing for ${index}`);
  const out: CtEntry = { leaf: fromBase64(e.leaf_input, 'MALFORMED_CT', 'leaf_input') };
  if (e.extra_data !== undefined) out.extraData = fromBase64(e.extra_data, 'MALFORMED_CT', 'extra_data');
  return out;
}
