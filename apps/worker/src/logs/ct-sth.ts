/**
 * RFC 6962 §3.5 signed tree head check: the TLS `digitally-signed` struct (hash alg, sig alg, uint16 length,
 * signature) over TreeHeadSignature{version 0, signature_type tree_hash(1), timestamp u64, tree_size u64,
 * sha256_root_hash[32]}. TEMPORARY: replaced by @sigwatch/tlog's CT module once it lands.
 */
import { verify, type KeyObject } from 'node:crypto';
import { TlogError } from '@sigwatch/tlog';

export function treeHeadSignatureInput(timestamp: bigint, treeSize: bigint, rootHash: Uint8Array): Uint8Array {
  const buf = Buffer.alloc(2 + 8 + 8 + 32);
  buf.writeUInt8(0, 0);
  buf.writeUInt8(1, 1);
  buf.writeBigUInt64BE(timestamp, 2);
  buf.writeBigUInt64BE(treeSize, 10);
  Buffer.from(rootHash).copy(buf, 18);
  return buf;
}

export function verifyTreeHeadSignature(key: KeyObject, sth: { timestamp: bigint; treeSize: bigint; rootHash: Uint8Array; signature: Uint8Array }): void {
  if (sth.rootHash.length !== 32) throw new TlogError('BAD_HASH_SIZE', `STH root hash has ${sth.rootHash.length} bytes`);
  const s = sth.signature;
  if (s.length < 4) throw new TlogError('MALFORMED_CT', 'tree_head_signature is truncated');
  const len = ((s[2] as number) << 8) | (s[3] as number);
  if (s.length !== 4 + len) throw new TlogError('MALFORMED_CT', `tree_head_signature length ${len} does not match ${s.length - 4} bytes`);
  if (s[0] !== 4) throw new TlogError('UNSUPPORTED', `STH hash algorithm ${s[0]} (want SHA-256 = 4)`);
  const ok = verify('sha256', treeHeadSignatureInput(sth.timestamp, sth.treeSize, sth.rootHash), key, s.subarray(4));
  if (!ok) throw new TlogError('BAD_SIGNATURE', 'the STH signature does not verify with the log key');
}
