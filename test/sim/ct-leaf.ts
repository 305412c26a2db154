/**
 * RFC 6962 §3.4 / §4.6 encodings for the simulated CT log: MerkleTreeLeaf (what `get-entries` returns as
 * `leaf_input` and what is hashed into the tree) and the `extra_data` chains.
 *
 *   MerkleTreeLeaf = version(0) ‖ leaf_type timestamped_entry(0) ‖ TimestampedEntry
 *   TimestampedEntry = u64 timestamp ‖ u16 entry_type ‖ (x509: u24 cert | precert: issuer_key_hash[32] ‖ u24 tbs)
 *                      ‖ u16 extensions length ‖ extensions
 *   x509 extra_data   = u24 total ‖ (u24 cert)*                       (certificate_chain)
 *   precert extra_data = u24 pre_certificate ‖ u24 total ‖ (u24 cert)* (PrecertChainEntry)
 */

function u24(n: number): Buffer {
  return Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
}

function opaque24(b: Uint8Array): Buffer {
  return Buffer.concat([u24(b.length), b]);
}

export function chainBytes(chain: readonly Uint8Array[]): Buffer {
  const body = Buffer.concat(chain.map(opaque24));
  return opaque24(body);
}

export function x509LeafInput(timestampMs: number, certDer: Uint8Array): Buffer {
  const head = Buffer.alloc(2 + 8 + 2);
  head.writeBigUInt64BE(BigInt(timestampMs), 2);
  head.writeUInt16BE(0, 10);
  return Buffer.concat([head, opaque24(certDer), Buffer.from([0, 0])]);
}

export function precertLeafInput(timestampMs: number, issuerKeyHash: Uint8Array, tbsDer: Uint8Array): Buffer {
  const head = Buffer.alloc(2 + 8 + 2);
  head.writeBigUInt64BE(BigInt(timestampMs), 2);
  head.writeUInt16BE(1, 10);
  return Buffer.concat([head, issuerKeyHash, opaque24(tbsDer), Buffer.from([0, 0])]);
}

export function precertExtraData(precertDer: Uint8Array, chain: readonly Uint8Array[]): Buffer {
  return Buffer.concat([opaque24(precertDer), chainBytes(chain)]);
}

/** The first element (TBSCertificate) of a DER certificate SEQUENCE. */
export function tbsOf(certDer: Uint8Array): Buffer {
  const b = Buffer.from(certDer);
  const inner = headerLength(b, 0);
  const start = inner.header;
  const tbs = headerLength(b, start);
  return b.subarray(start, start + tbs.header + tbs.length);
}

function headerLength(b: Buffer, at: number): { header: number; length: number } {
  const first = b[at + 1]!;
  if (first < 0x80) return { header: 2, length: first };
  const n = first & 0x7f;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + b[at + 2 + i]!;
  return { header: 2 + n, length: len };
}

/** Stored CT record: u32 leaf length ‖ leaf_input ‖ extra_data. */
export function ctRecord(leafInput: Uint8Array, extraData: Uint8Array): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(leafInput.length);
  return Buffer.concat([len, leafInput, extraData]);
}

export function splitCtRecord(record: Uint8Array): { leafInput: Buffer; extraData: Buffer } {
  const b = Buffer.from(record.buffer, record.byteOffset, record.byteLength);
  const n = b.readUInt32BE(0);
  return { leafInput: b.subarray(4, 4 + n), extraData: b.subarray(4 + n) };
}
