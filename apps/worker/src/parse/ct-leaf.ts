/**
 * Certificate Transparency leaf (RFC 6962 §3.4 MerkleTreeLeaf → TimestampedEntry) → certificate fields.
 *
 *   MerkleTreeLeaf  = version u8 (0 = v1) ‖ leaf_type u8 (0 = timestamped_entry) ‖ TimestampedEntry
 *   TimestampedEntry = timestamp u64 (ms) ‖ entry_type u16 ‖ signed_entry ‖ extensions opaque<0..2^16-1>
 *   x509_entry (0)    : ASN.1Cert opaque<1..2^24-1>                 (a whole certificate)
 *   precert_entry (1) : issuer_key_hash[32] ‖ TBSCertificate opaque<1..2^24-1>  (RFC 6962 §3.2)
 *
 * A local decoder: packages/tlog's decodeMerkleTreeLeaf did not exist when this was written; switch to it
 * once it does. Leaves come from the log, so every length is bounds-checked (EntryParseError('BAD_CT_LEAF')).
 */
import { toHex } from './der.js';
import { EntryParseError } from './entry-parse-error.js';
import { parseCertificateFast, parseTbsFast } from './certificate-fast.js';
import type { CertificateFields } from './certificate-fields.js';

export interface ParsedCtLeaf {
  kind: 'x509' | 'precert';
  /** RFC 6962 leaf version: "v1". */
  apiVersion: 'v1';
  /** TimestampedEntry.timestamp, milliseconds since the epoch. */
  timestampMs: number;
  /** SHA-256 of the issuer's SPKI (precert entries only), hex. */
  issuerKeyHash?: string;
  certificate: CertificateFields;
}

function fail(message: string): never {
  throw new EntryParseError('BAD_CT_LEAF', message);
}

function u24(b: Uint8Array, p: number): number {
  if (p + 3 > b.length) fail('truncated length');
  return (b[p]! << 16) | (b[p + 1]! << 8) | b[p + 2]!;
}

export function parseCtLeaf(leaf: Uint8Array): ParsedCtLeaf {
  if (leaf.length < 12) fail(`leaf of ${leaf.length} bytes`);
  if (leaf[0] !== 0) fail(`MerkleTreeLeaf version ${leaf[0]}`);
  if (leaf[1] !== 0) fail(`leaf_type ${leaf[1]}`);
  const view = new DataView(leaf.buffer, leaf.byteOffset, leaf.byteLength);
  const ts = view.getBigUint64(2);
  if (ts > BigInt(Number.MAX_SAFE_INTEGER)) fail('timestamp out of range');
  const entryType = view.getUint16(10);
  let p = 12;
  let kind: ParsedCtLeaf['kind'];
  let issuerKeyHash: string | undefined;
  let certificate: CertificateFields;
  if (entryType === 0) {
    const n = u24(leaf, p);
    p += 3;
    if (n === 0 || p + n > leaf.length) fail('ASN.1Cert overruns the leaf');
    certificate = parseCertificateFast(leaf.subarray(p, p + n));
    kind = 'x509';
    p += n;
  } else if (entryType === 1) {
    if (p + 32 > leaf.length) fail('truncated issuer_key_hash');
    issuerKeyHash = toHex(leaf, p, p + 32);
    p += 32;
    const n = u24(leaf, p);
    p += 3;
    if (n === 0 || p + n > leaf.length) fail('TBSCertificate overruns the leaf');
    certificate = parseTbsFast(leaf.subarray(p, p + n));
    kind = 'precert';
    p += n;
  } else {
    fail(`entry_type ${entryType}`);
  }
  if (p + 2 > leaf.length) fail('missing extensions length');
  const extLen = view.getUint16(p);
  if (p + 2 + extLen !== leaf.length) fail('extensions length does not end the leaf');
  const out: ParsedCtLeaf = { kind, apiVersion: 'v1', timestampMs: Number(ts), certificate };
  if (issuerKeyHash !== undefined) out.issuerKeyHash = issuerKeyHash;
  return out;
}
