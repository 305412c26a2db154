/**
 * The parser's one entry point: a verified log leaf → SigningEvent (packages/rules signing-event.ts).
 *
 * Computes the RFC 6962 §2.1 leaf hash SHA-256(0x00 ‖ leaf) and dispatches on the log kind: Rekor v1/v2
 * leaves are canonical JSON bodies (rekor-body.ts), CT leaves are MerkleTreeLeafs (ct-leaf.ts). The
 * certificate's chain status is 'unknown' unless the caller, who validates chains against the trusted
 * root's Fulcio CAs, passes it. Throws only EntryParseError: the follower stores those leaves as
 * MalformedEntry and goes on.
 */
import { createHash } from 'node:crypto';
import type { CertificateInfo, LogKind, SigningEvent } from '@sigwatch/rules';
import { EntryParseError } from './entry-parse-error.js';
import { parseCtLeaf } from './ct-leaf.js';
import { parseRekorBody } from './rekor-body.js';
import type { CertificateFields } from './certificate-fields.js';

export interface ParseLeafInput {
  readonly log: { readonly origin: string; readonly kind: LogKind };
  /** Index inside this tree (shard). */
  readonly index: bigint | number | string;
  /** Rekor v1 global index; equals `index` elsewhere. */
  readonly globalIndex: bigint | number | string;
  readonly leafBytes: Uint8Array;
  readonly uuid?: string;
  /** Unix seconds (Rekor v1 integratedTime). For CT the leaf's own timestamp is used when absent. */
  readonly integratedTime?: number;
  readonly chainStatus?: CertificateInfo['chain'];
  /**
   * The RFC 6962 leaf hash of `leafBytes` when the caller already computed it (the follower hashes every
   * leaf into its compact range before parsing): saves hashing the same bytes twice. Must be SHA-256(0x00 ‖
   * leafBytes); a value of the wrong length is ignored and the hash recomputed.
   */
  readonly leafHash?: Uint8Array;
}

function decimal(v: bigint | number | string, what: string): string {
  if (typeof v === 'bigint' && v >= 0n) return v.toString(); // always canonical decimal
  const s = typeof v === 'string' ? v : typeof v === 'bigint' ? v.toString() : Number.isSafeInteger(v) ? String(v) : '';
  if (!/^(0|[1-9][0-9]*)$/.test(s)) throw new EntryParseError('BAD_JSON', `${what}: not a non-negative integer`);
  return s;
}

/** RFC 6962 leaf hash, hex. */
export function leafHashHex(leaf: Uint8Array): string {
  return createHash('sha256').update(Uint8Array.of(0)).update(leaf).digest('hex');
}

function hexOf(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** The parser's fresh certificate fields, completed in place with the chain status (no copy). */
function withChain(fields: CertificateFields, chain: CertificateInfo['chain']): CertificateInfo {
  const info = fields as CertificateInfo;
  info.chain = chain;
  return info;
}

/** The entry's SigningEvent (its first signer's, where a DSSE envelope has several: see parseLeafEvents). */
export function parseLeaf(input: ParseLeafInput): SigningEvent {
  return parseLeafEvents(input)[0] as SigningEvent;
}

/**
 * One SigningEvent per signer of the entry (at least one): a DSSE / in-toto envelope signed by several
 * identities gives an event for each, with the same log position, so a rule naming any of them matches
 * (the matcher's unique key on subscription + log + index keeps it to one alert per entry).
 */
export function parseLeafEvents(input: ParseLeafInput): SigningEvent[] {
  const chain = input.chainStatus ?? 'unknown';
  const log = { origin: input.log.origin, kind: input.log.kind };
  const index = decimal(input.index, 'index');
  const globalIndex = decimal(input.globalIndex, 'globalIndex');
  const leafHash = input.leafHash?.length === 32 ? hexOf(input.leafHash) : leafHashHex(input.leafBytes);
  // Events are built field by field in one order (one object shape for the queue's JSON.stringify).
  if (input.log.kind === 'ct') {
    const leaf = parseCtLeaf(input.leafBytes);
    const event: SigningEvent = {
      log,
      index,
      globalIndex,
      leafHash,
      integratedTime: input.integratedTime ?? Math.floor(leaf.timestampMs / 1000),
      kind: leaf.kind,
      apiVersion: leaf.apiVersion,
      digests: [],
      certificate: withChain(leaf.certificate, chain),
    };
    if (input.uuid !== undefined) event.uuid = input.uuid;
    return [event];
  }
  const body = parseRekorBody(input.leafBytes);
  const signers = body.signers.length > 0 ? body.signers : [undefined];
  return signers.map((signer) => {
    // Events of one entry share its (never mutated) log and digests.
    const event: SigningEvent = { log, index, globalIndex, leafHash, kind: body.kind, apiVersion: body.apiVersion, digests: body.digests };
    // Rekor v2 has no integrated time (its entries say 0); never report a fake one.
    if (input.integratedTime !== undefined && !(input.log.kind === 'rekor-v2' && input.integratedTime === 0)) {
      event.integratedTime = input.integratedTime;
    }
    if (signer !== undefined && 'certificate' in signer) event.certificate = withChain(signer.certificate, chain);
    else if (signer !== undefined) event.publicKey = signer.publicKey;
    if (input.uuid !== undefined) event.uuid = input.uuid;
    return event;
  });
}
