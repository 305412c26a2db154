/**
 * Certificate Transparency (RFC 6962) structures:
 * - §3.5 signed tree heads: `TreeHeadSignature` inside a TLS `digitally-signed` struct (verify + sign, the
 *   simulator signs STHs);
 * - §3.4 `MerkleTreeLeaf` / `TimestampedEntry` (x509_entry and precert_entry), encode + decode;
 * - §4.6 `extra_data` chains.
 * All decoders throw `MALFORMED_CT` on malformed input; signature failures are `BAD_SIGNATURE`.
 */
import { sign as cryptoSign, type KeyObject } from 'node:crypto';
import { TlogError } from './errors.js';
import { concatBytes, fromBase64, toBase64, toU64 } from './encoding.js';
import { assertHash, hashLeaf } from './hash.js';
import { importPrivateKey, importPublicKey, verifySignature, type PublicKeyInput } from './keys.js';
import { TlsReader, TlsWriter } from './tls-reader.js';

/** TLS HashAlgorithm / SignatureAlgorithm numbers (RFC 5246 §7.4.1.4.1). */
export const TLS_HASH_SHA256 = 4;
export const TLS_SIG_RSA = 1;
export const TLS_SIG_ECDSA = 3;

export interface DigitallySigned {
  hashAlgorithm: number;
  signatureAlgorithm: number;
  signature: Uint8Array;
}

export function decodeDigitallySigned(bytes: Uint8Array, what = 'digitally-signed'): DigitallySigned {
  const r = new TlsReader(bytes, 'MALFORMED_CT', what);
  const ds = { hashAlgorithm: r.uint(1), signatureAlgorithm: r.uint(1), signature: r.vector(2) };
  r.end();
  return ds;
}

export function encodeDigitallySigned(ds: DigitallySigned): Uint8Array {
  return new TlsWriter().uint(1, ds.hashAlgorithm).uint(1, ds.signatureAlgorithm).vector(2, ds.signature).finish();
}

/** Verifies a `digitally-signed` struct over `message` (SHA-256 with ECDSA or RSA). */
export function verifyDigitallySigned(key: KeyObject, message: Uint8Array, ds: DigitallySigned, what: string): void {
  if (ds.hashAlgorithm !== TLS_HASH_SHA256) throw new TlogError('UNSUPPORTED', `${what}: hash algorithm ${ds.hashAlgorithm} is not SHA-256`);
  const want = key.asymmetricKeyType === 'ec' ? TLS_SIG_ECDSA : key.asymmetricKeyType === 'rsa' ? TLS_SIG_RSA : -1;
  if (ds.signatureAlgorithm !== want) throw new TlogError('BAD_SIGNATURE', `${what}: signature algorithm ${ds.signatureAlgorithm} does not match the ${key.asymmetricKeyType ?? '?'} key`);
  if (!verifySignature(key, message, ds.signature, 'sha256')) throw new TlogError('BAD_SIGNATURE', `${what} does not verify`);
}

function signDigitallySigned(key: KeyObject, message: Uint8Array): DigitallySigned {
  if (key.asymmetricKeyType === 'ec') {
    return { hashAlgorithm: TLS_HASH_SHA256, signatureAlgorithm: TLS_SIG_ECDSA, signature: new Uint8Array(cryptoSign('sha256', message, { key, dsaEncoding: 'der' })) };
  }
  if (key.asymmetricKeyType === 'rsa') return { hashAlgorithm: TLS_HASH_SHA256, signatureAlgorithm: TLS_SIG_RSA, signature: new Uint8Array(cryptoSign('sha256', message, key)) };
  throw new TlogError('MALFORMED_KEY', `CT logs sign with ECDSA or RSA, not ${key.asymmetricKeyType ?? '?'}`);
}

export interface TreeHead {
  treeSize: bigint;
  /** Milliseconds since the epoch. */
  timestamp: bigint;
  rootHash: Uint8Array;
}

/** The bytes a CT log signs for a tree head: TreeHeadSignature{v1, tree_hash, timestamp, tree_size, root}. */
export function treeHeadSignatureInput(th: TreeHead): Uint8Array {
  assertHash(th.rootHash, 'STH root hash');
  return new TlsWriter().uint(1, 0).uint(1, 1).uint(8, th.timestamp).uint(8, th.treeSize).bytes(th.rootHash).finish();
}

/** RFC 6962 `get-sth` response body. */
export interface SthJson {
  tree_size: number;
  timestamp: number;
  sha256_root_hash: string;
  tree_head_signature: string;
}

/** Decodes a `get-sth` JSON body (numbers must be safe integers; hashes canonical base64). */
export function parseSth(json: unknown): TreeHead & { signature: DigitallySigned } {
  if (typeof json !== 'object' || json === null) throw new TlogError('MALFORMED_CT', 'STH must be a JSON object');
  const o = json as Record<string, unknown>;
  const num = (k: string) => {
    const v = o[k];
    if (typeof v !== 'number' && typeof v !== 'string') throw new TlogError('MALFORMED_CT', `STH ${k} missing`);
    return toU64(v, `STH ${k}`, 'MALFORMED_CT');
  };
  const str = (k: string) => {
    const v = o[k];
    if (typeof v !== 'string') throw new TlogError('MALFORMED_CT', `STH ${k} missing`);
    return fromBase64(v, 'MALFORMED_CT', `STH ${k}`);
  };
  const rootHash = str('sha256_root_hash');
  if (rootHash.length !== 32) throw new TlogError('MALFORMED_CT', 'STH root hash must be 32 bytes');
  return { treeSize: num('tree_size'), timestamp: num('timestamp'), rootHash, signature: decodeDigitallySigned(str('tree_head_signature'), 'STH signature') };
}

/** Verifies a `get-sth` response with the log's public key; returns the tree head. */
export function verifySth(json: unknown, logKey: PublicKeyInput): TreeHead {
  const sth = parseSth(json);
  verifyDigitallySigned(importPublicKey(logKey), treeHeadSignatureInput(sth), sth.signature, 'tree head signature');
  return { treeSize: sth.treeSize, timestamp: sth.timestamp, rootHash: sth.rootHash };
}

/** Signs a tree head as a CT log (simulator); returns the `get-sth` JSON. Sizes/timestamps must be < 2^53. */
export function signSth(th: TreeHead, privateKey: KeyObject | Uint8Array | string): SthJson {
  const ds = signDigitallySigned(importPrivateKey(privateKey), treeHeadSignatureInput(th));
  return {
    tree_size: Number(th.treeSize),
    timestamp: Number(th.timestamp),
    sha256_root_hash: toBase64(th.rootHash),
    tree_head_signature: toBase64(encodeDigitallySigned(ds)),
  };
}

export type CtEntry =
  | { type: 'x509'; certificate: Uint8Array }
  | { type: 'precert'; issuerKeyHash: Uint8Array; tbsCertificate: Uint8Array };

/** RFC 6962 §3.4 TimestampedEntry. */
export interface TimestampedEntry {
  /** Milliseconds since the epoch. */
  timestamp: bigint;
  entry: CtEntry;
  /** CtExtensions (opaque; static CT puts the leaf_index extension here). */
  extensions: Uint8Array;
}

export function encodeTimestampedEntry(te: TimestampedEntry): Uint8Array {
  const w = new TlsWriter().uint(8, te.timestamp);
  if (te.entry.type === 'x509') w.uint(2, 0).vector(3, te.entry.certificate);
  else {
    if (te.entry.issuerKeyHash.length !== 32) throw new TlogError('MALFORMED_CT', 'issuer_key_hash must be 32 bytes');
    w.uint(2, 1).bytes(te.entry.issuerKeyHash).vector(3, te.entry.tbsCertificate);
  }
  return w.vector(2, te.extensions).finish();
}

/** Reads a TimestampedEntry from `r` (leaves the reader after it). */
export function readTimestampedEntry(r: TlsReader): TimestampedEntry {
  const timestamp = r.uintBig(8);
  const type = r.uint(2);
  let entry: CtEntry;
  if (type === 0) entry = { type: 'x509', certificate: r.vector(3, 1) };
  else if (type === 1) entry = { type: 'precert', issuerKeyHash: r.bytes(32), tbsCertificate: r.vector(3, 1) };
  else r.fail(`unknown entry_type ${type}`);
  return { timestamp, entry, extensions: r.vector(2) };
}

/** Encodes a MerkleTreeLeaf{v1, timestamped_entry, TimestampedEntry} (the `leaf_input` of get-entries). */
export function encodeMerkleTreeLeaf(te: TimestampedEntry): Uint8Array {
  return concatBytes(Uint8Array.of(0, 0), encodeTimestampedEntry(te));
}

/** Decodes a `leaf_input` (bytes or base64). */
export function decodeMerkleTreeLeaf(input: Uint8Array | string): TimestampedEntry {
  const bytes = typeof input === 'string' ? fromBase64(input, 'MALFORMED_CT', 'leaf_input') : input;
  const r = new TlsReader(bytes, 'MALFORMED_CT', 'MerkleTreeLeaf');
  const version = r.uint(1);
  if (version !== 0) r.fail(`unknown version ${version}`);
  const leafType = r.uint(1);
  if (leafType !== 0) r.fail(`unknown leaf_type ${leafType}`);
  const te = readTimestampedEntry(r);
  r.end();
  return te;
}

/** Leaf hash of a CT entry: SHA-256(0x00 ‖ MerkleTreeLeaf). */
export function ctLeafHash(te: TimestampedEntry): Uint8Array {
  return hashLeaf(encodeMerkleTreeLeaf(te));
}

/**
 * Decodes `extra_data` of get-entries: for x509 entries the certificate_chain; for precert entries the
 * PrecertChainEntry (pre_certificate, then its chain).
 */
export function decodeExtraData(input: Uint8Array | string, entryType: CtEntry['type']): { preCertificate?: Uint8Array; chain: Uint8Array[] } {
  const bytes = typeof input === 'string' ? fromBase64(input, 'MALFORMED_CT', 'extra_data') : input;
  const r = new TlsReader(bytes, 'MALFORMED_CT', 'extra_data');
  const out: { preCertificate?: Uint8Array; chain: Uint8Array[] } = { chain: [] };
  if (entryType === 'precert') out.preCertificate = r.vector(3, 1);
  const list = new TlsReader(r.vector(3), 'MALFORMED_CT', 'certificate chain');
  while (list.remaining > 0) out.chain.push(list.vector(3, 1));
  r.end();
  return out;
}
