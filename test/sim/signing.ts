/**
 * Signatures the simulator's logs produce besides checkpoints: Rekor v1 SETs and RFC 6962 STH signatures.
 * Private helpers until `@sigwatch/tlog` exports the same (its verifiers are what the tests use).
 *
 * - SET (Rekor `inclusionPromise.signedEntryTimestamp`): ECDSA P-256/SHA-256 (DER) over the canonical JSON
 *   `{"body":<b64>,"integratedTime":<int>,"logID":<hex>,"logIndex":<global index>}` (testdata README).
 * - STH (RFC 6962 §3.5): TLS `digitally-signed` over TreeHeadSignature{version 0, signature_type tree_hash(1),
 *   u64 timestamp, u64 tree_size, root[32]}, encoded as hash alg (4 = SHA-256) ‖ sig alg (3 = ECDSA) ‖
 *   u16 length ‖ DER signature.
 */
import { sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from './entries.js';

export function setPayload(body: string, integratedTime: number, logIdHex: string, logIndex: number): Buffer {
  return Buffer.from(canonicalJson({ body, integratedTime, logID: logIdHex, logIndex }), 'utf8');
}

export function signSet(key: KeyObject, body: string, integratedTime: number, logIdHex: string, logIndex: number): string {
  return sign('sha256', setPayload(body, integratedTime, logIdHex, logIndex), { key, dsaEncoding: 'der' }).toString('base64');
}

export function treeHeadSignatureInput(timestamp: number, treeSize: number, root: Uint8Array): Buffer {
  const b = Buffer.alloc(2 + 8 + 8 + 32);
  b[0] = 0; // v1
  b[1] = 1; // tree_hash
  b.writeBigUInt64BE(BigInt(timestamp), 2);
  b.writeBigUInt64BE(BigInt(treeSize), 10);
  Buffer.from(root).copy(b, 18);
  return b;
}

export function digitallySigned(signature: Uint8Array): Buffer {
  const head = Buffer.from([4, 3, 0, 0]);
  head.writeUInt16BE(signature.length, 2);
  return Buffer.concat([head, signature]);
}

export function signSth(key: KeyObject, timestamp: number, treeSize: number, root: Uint8Array): Buffer {
  return digitallySigned(sign('sha256', treeHeadSignatureInput(timestamp, treeSize, root), { key, dsaEncoding: 'der' }));
}

/** Verifies an STH signature as a client would (used by the tests until tlog has its own). */
export function verifySth(key: KeyObject, sth: { tree_size: number; timestamp: number; sha256_root_hash: string; tree_head_signature: string }): boolean {
  const ds = Buffer.from(sth.tree_head_signature, 'base64');
  if (ds.length < 4 || ds[0] !== 4 || ds[1] !== 3 || ds.readUInt16BE(2) !== ds.length - 4) return false;
  const input = treeHeadSignatureInput(sth.timestamp, sth.tree_size, Buffer.from(sth.sha256_root_hash, 'base64'));
  try {
    return verify('sha256', input, { key, dsaEncoding: 'der' }, ds.subarray(4));
  } catch {
    return false;
  }
}
